// AgentCore answers a runtime deployed with server protocol A2A in JSON-RPC: its own failures
// too, as an error object on a real HTTP status, with codes of its own (-32051 to -32055).

/** AgentCore's JSON-RPC codes, as the AWS error codes they stand for. */
export const AGENTCORE_RPC_CODES: Readonly<Record<number, string>> = {
  [-32051]: "ResourceNotFoundException",
  [-32052]: "ValidationException",
  [-32053]: "ThrottlingException",
  // Conflict or RetryableConflict: the message ("Session operation in progress") says which.
  [-32054]: "ConflictException",
  [-32055]: "RuntimeClientError",
};

export interface JsonRpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** The error object of a JSON-RPC response, when `value` is one. */
export function jsonRpcErrorOf(value: unknown): JsonRpcError | undefined {
  if (!value || typeof value !== "object") return undefined;
  const error = (value as { error?: unknown }).error;
  if (!error || typeof error !== "object") return undefined;
  const { code, message, data } = error as Record<string, unknown>;
  if (typeof code !== "number") return undefined;
  return { code, message: typeof message === "string" && message !== "" ? message : `JSON-RPC error ${code}`, data };
}
