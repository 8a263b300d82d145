export { BedrockAgentClient, completion, messages, responses, type ClientOptions } from "./client.ts";
export {
  AbortError,
  AgentError,
  AuthenticationError,
  BadGatewayError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  ConnectionError,
  DependencyFailedError,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  QuotaExceededError,
  RateLimitError,
  ServiceUnavailableError,
  StreamError,
  TimeoutError,
  type OpenAIErrorBody,
} from "./errors.ts";
export { readFrames } from "./aws/event-stream.ts";
export { type AgentEvent, agentEvents } from "./backends/agents-classic/events.ts";
export type { TracePart } from "./raw-types.ts";
export { INSTRUCTIONS_ATTRIBUTE } from "./backends/agents-classic/request.ts";
export { MODEL_FORM, parseModel } from "./model.ts";
export { costOf, priceOf } from "./pricing.ts";
export type { Env } from "./env.ts";
export type { AwsFileReader } from "./aws/profile.ts";
export type * from "./types.ts";
export type * from "./surfaces/responses/types.ts";
export type * from "./surfaces/messages/types.ts";
