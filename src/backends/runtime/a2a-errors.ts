// A JSON-RPC error from a runtime that speaks A2A → our error of the same meaning. AgentCore's
// own codes (-32051 to -32055) stand for AWS errors; A2A's say what the agent refused.
import { AGENTCORE_RPC_CODES, type JsonRpcError } from "../../aws/json-rpc-errors.ts";
import {
  type AgentError,
  type AgentErrorOptions,
  BadGatewayError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  awsError,
} from "../../errors.ts";

type ErrorClass = new (message: string, options?: AgentErrorOptions) => AgentError;

// The HTTP status AgentCore gives each of its codes, for an error that came in a 200 body.
const AGENTCORE_STATUS: Record<number, number> = { [-32051]: 404, [-32052]: 400, [-32053]: 429, [-32054]: 409, [-32055]: 424 };

// A version mismatch reads as "unknown method" (a 0.3 server asked SendMessage) or -32009.
const VERSION_HINT = "; the runtime may speak another A2A version than a2a_version says";

const A2A_ERRORS: Record<number, [ErrorClass, string, string?]> = {
  // The runtime could not read what we sent: the two ends disagree on the protocol.
  [-32700]: [BadGatewayError, "a2a_parse_error"],
  [-32600]: [BadGatewayError, "a2a_invalid_request", VERSION_HINT],
  [-32601]: [BadGatewayError, "a2a_method_not_found", VERSION_HINT],
  [-32602]: [BadRequestError, "a2a_invalid_params"],
  [-32603]: [InternalServerError, "a2a_internal_error"],
  [-32001]: [NotFoundError, "task_not_found"],
  [-32002]: [ConflictError, "task_not_cancelable"],
  [-32003]: [BadRequestError, "push_notification_not_supported"],
  [-32004]: [BadRequestError, "unsupported_operation"],
  [-32005]: [BadRequestError, "content_type_not_supported"],
  [-32006]: [BadGatewayError, "invalid_agent_response"],
  [-32007]: [BadRequestError, "extended_agent_card_not_configured"],
  [-32008]: [BadRequestError, "extension_support_required"],
  [-32009]: [BadGatewayError, "version_not_supported", VERSION_HINT],
};

/** The error for a JSON-RPC error object the runtime answered with (HTTP 200, or inside its SSE). */
export function a2aError(rpc: JsonRpcError, requestId: string | undefined): AgentError {
  const awsCode = AGENTCORE_RPC_CODES[rpc.code];
  if (awsCode) return awsError(awsCode, AGENTCORE_STATUS[rpc.code]!, `${awsCode}: ${rpc.message}`, { awsMessage: rpc.message, requestId });
  const [ErrorClass, code, hint = ""] = A2A_ERRORS[rpc.code] ?? [BadGatewayError, "a2a_error"];
  // The agent's own words: the endpoint shows them to the master key only.
  return new ErrorClass(`The agent answered with A2A error ${rpc.code}: ${rpc.message.slice(0, 500)}${hint}`, {
    code,
    requestId,
    awsMessage: rpc.message,
    summaryLead: "The agent refused the call",
  });
}
