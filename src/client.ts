// BedrockAgentClient and the functions on a shared one: every surface, every backend.
import { allCredentials } from "./aws/credential-provider.ts";
import { ALL_BACKENDS } from "./backends/all.ts";
import { completionCall } from "./calls/completion.ts";
import { messagesCall } from "./calls/messages.ts";
import { type PartsAnswer, type PartsContext, partsCall } from "./calls/parts.ts";
import { responsesCall } from "./calls/responses.ts";
import { type Call, type ClientOptions, Invoker } from "./invoker.ts";
import type { AgentRequest } from "./parts.ts";
import type { MessageEventStream, MessageObject, MessagesParams } from "./surfaces/messages/types.ts";
import type { ResponseEventStream, ResponseObject, ResponsesParams } from "./surfaces/responses/types.ts";
import type { CallParams, ChatCompletion, ChatCompletionStream, CompletionParams } from "./types.ts";

export { DEFAULT_IDLE_TIMEOUT_SECONDS, type ClientOptions } from "./invoker.ts";
export type { PartsAnswer, PartsContext } from "./calls/parts.ts";

/**
 * A long-lived client: defaults for every call (credentials, region, endpoint, retries) and
 * warm signing keys. Each call's own parameters win over the defaults.
 */
export class BedrockAgentClient {
  readonly #invoker: Invoker;

  constructor(defaults: ClientOptions = {}) {
    this.#invoker = new Invoker(defaults, ALL_BACKENDS, allCredentials());
  }

  completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
  completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
  completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
  completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
    return completionCall(this.#invoker, params);
  }

  /**
   * OpenAI's Responses API for agents: a `Response` (or, with `stream: true`, its events).
   * `previous_response_id` continues the session a response id carries; nothing is stored.
   */
  responses(params: ResponsesParams & { stream: true }): Promise<ResponseEventStream>;
  responses(params: ResponsesParams & { stream?: false | null }): Promise<ResponseObject>;
  responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream>;
  responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream> {
    return responsesCall(this.#invoker, params);
  }

  /** Anthropic's Messages API for agents: a `Message` (or, with `stream: true`, its events). */
  messages(params: MessagesParams & { stream: true }): Promise<MessageEventStream>;
  messages(params: MessagesParams & { stream?: false | null }): Promise<MessageObject>;
  messages(params: MessagesParams): Promise<MessageObject | MessageEventStream>;
  messages(params: MessagesParams): Promise<MessageObject | MessageEventStream> {
    return messagesCall(this.#invoker, params);
  }

  /**
   * The answer as the neutral parts, for a surface that writes its own protocol (the endpoint's
   * A2A and MCP): `toRequest` assembles the AgentRequest from the call's parameters over the defaults
   * (and may open the surface's own signed ids with `context.idSecret()`).
   */
  parts<P extends CallParams & { model: string }>(
    params: P,
    toRequest: (call: P & Call, context: PartsContext) => AgentRequest | Promise<AgentRequest>,
  ): Promise<PartsAnswer> {
    return partsCall(this.#invoker, params, toRequest);
  }
}

// Pure: a bundle that uses none of the functions below leaves it out (and builds no client at load).
const sharedClient = /* @__PURE__ */ new BedrockAgentClient();

/**
 * LiteLLM's `completion()` for AWS agents: an OpenAI chat request in, a `ChatCompletion`
 * (or, with `stream: true`, an async iterable of chunks) out.
 */
export function completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
export function completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
export function completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
export function completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
  return sharedClient.completion(params);
}

/** OpenAI's Responses API for agents, on a shared client: a `Response`, or with `stream: true` its events. */
export function responses(params: ResponsesParams & { stream: true }): Promise<ResponseEventStream>;
export function responses(params: ResponsesParams & { stream?: false | null }): Promise<ResponseObject>;
export function responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream>;
export function responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream> {
  return sharedClient.responses(params);
}

/** Anthropic's Messages API for agents, on a shared client: a `Message`, or with `stream: true` its events. */
export function messages(params: MessagesParams & { stream: true }): Promise<MessageEventStream>;
export function messages(params: MessagesParams & { stream?: false | null }): Promise<MessageObject>;
export function messages(params: MessagesParams): Promise<MessageObject | MessageEventStream>;
export function messages(params: MessagesParams): Promise<MessageObject | MessageEventStream> {
  return sharedClient.messages(params);
}
