// JSON-RPC 2.0 as MCP's Streamable HTTP carries it: one message per POST, answered with one
// response (JSON, or the last event of an SSE stream); the error codes MCP clients know.

export type RequestId = string | number;

/** A message a client POSTs: a request has an id, a notification none; a response has a result or an error. */
export interface RpcMessage {
  jsonrpc: "2.0";
  id?: RequestId | null;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: unknown;
}

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
/** Server-defined: what the MCP SDK's own server answers for transport-level refusals (Accept, Content-Type, auth). */
export const TRANSPORT_ERROR = -32000;

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** An error that becomes the JSON-RPC error answer to the request being served. */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

export function rpcResult(id: RequestId, result: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id, result });
}

export function rpcError(id: RequestId | null, error: RpcError): string {
  return JSON.stringify({ jsonrpc: "2.0", id, error });
}

export function rpcNotification(method: string, params: Record<string, unknown>): string {
  return JSON.stringify({ jsonrpc: "2.0", method, params });
}

/** One SSE event as the MCP client reads it: `message` events only, and never an `id:` (that would turn on resumption). */
export function sseEvent(json: string): string {
  return `event: message\ndata: ${json}\n\n`;
}

/**
 * The POSTed body as one JSON-RPC message, or the reason it is not one. Batches were dropped
 * from MCP in 2025-06-18, and no client of the versions served here sends one.
 */
export function readMessage(body: unknown): RpcMessage {
  if (Array.isArray(body)) throw new RpcFailure(INVALID_REQUEST, "Batches are not supported: send one message per request");
  const message = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const { id, method, params } = message;
  const valid =
    message.jsonrpc === "2.0" &&
    (id === undefined || id === null || typeof id === "string" || typeof id === "number") &&
    (method === undefined ? "result" in message || "error" in message : typeof method === "string") &&
    (params === undefined || (typeof params === "object" && params !== null && !Array.isArray(params)));
  if (!valid) throw new RpcFailure(INVALID_REQUEST, 'Not a JSON-RPC 2.0 message: {"jsonrpc": "2.0", "id", "method", "params"?: {...}}');
  return message as unknown as RpcMessage;
}
