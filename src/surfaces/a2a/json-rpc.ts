// JSON-RPC 2.0 as A2A speaks it: the envelope read and checked, A2A's error codes, and replies
// that echo the request's id unchanged (the official client compares it with `!==`).
import { AgentError } from "../../errors.ts";
import { parseClientJson } from "../../json-depth.ts";
import { isObject } from "../fields.ts";

/** The protocol a request was asked in, and is answered in: its method's name says (PascalCase: 1.0; `a/b`: 0.3). */
export type A2aVersion = "1.0" | "0.3";

export type RpcId = string | number | null;

export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  taskNotFound: -32001,
  pushNotificationNotSupported: -32003,
  unsupportedOperation: -32004,
  contentTypeNotSupported: -32005,
  extendedCardNotConfigured: -32007,
  versionNotSupported: -32009,
} as const;

// A2A 1.0 details its errors with a google.rpc.ErrorInfo whose reason names the error.
const REASONS: Record<number, string> = {
  [RPC.parseError]: "PARSE_ERROR",
  [RPC.invalidRequest]: "INVALID_REQUEST",
  [RPC.methodNotFound]: "METHOD_NOT_FOUND",
  [RPC.invalidParams]: "INVALID_PARAMS",
  [RPC.internalError]: "INTERNAL_ERROR",
  [RPC.taskNotFound]: "TASK_NOT_FOUND",
  [RPC.pushNotificationNotSupported]: "PUSH_NOTIFICATION_NOT_SUPPORTED",
  [RPC.unsupportedOperation]: "UNSUPPORTED_OPERATION",
  [RPC.contentTypeNotSupported]: "CONTENT_TYPE_NOT_SUPPORTED",
  [RPC.extendedCardNotConfigured]: "EXTENDED_AGENT_CARD_NOT_CONFIGURED",
  [RPC.versionNotSupported]: "VERSION_NOT_SUPPORTED",
};

/** The name of an error code, as 1.0's ErrorInfo gives it. */
export function reasonOf(code: number): string {
  return REASONS[code] ?? "UNKNOWN";
}

/** A JSON-RPC error to answer with; `detail`: string facts for the client (our error code, the field at fault). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly detail: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The JSON-RPC error for a failure before the answer: the caller's mistakes are invalid params, the rest internal. */
export function rpcErrorOf(error: AgentError): RpcError {
  const detail: Record<string, string> = { type: error.type };
  if (error.code) detail.code = error.code;
  if (error.param) detail.param = error.param;
  if (error.requestId) detail.awsRequestId = error.requestId;
  // AWS's refusals are not the caller's params: they are its request's fate upstream.
  const callersMistake = error.awsCode === undefined && (error.status === 400 || error.status === 403 || error.status === 413 || error.status === 422);
  return new RpcError(callersMistake ? RPC.invalidParams : RPC.internalError, error.message, detail);
}

export interface RpcRequest {
  id: RpcId;
  method: string;
  params: Record<string, unknown>;
}

/** A request whose envelope is wrong, and the id to answer it with (null when it could not be read). */
export class EnvelopeError extends RpcError {
  constructor(
    readonly id: RpcId,
    code: number,
    message: string,
  ) {
    super(code, message);
  }
}

/** The request in a body; an EnvelopeError when the body is not one. */
export function readEnvelope(text: string): RpcRequest {
  let body: unknown;
  try {
    body = parseClientJson(text, "The request body");
  } catch (error) {
    if (error instanceof AgentError) throw new EnvelopeError(null, RPC.invalidRequest, error.message);
    throw new EnvelopeError(null, RPC.parseError, "The request body is not valid JSON");
  }
  if (!isObject(body)) throw new EnvelopeError(null, RPC.invalidRequest, "The request must be a JSON-RPC 2.0 request object (batches are not supported)");
  const id = body.id === undefined || typeof body.id === "string" || typeof body.id === "number" || body.id === null ? (body.id ?? null) : undefined;
  if (id === undefined) throw new EnvelopeError(null, RPC.invalidRequest, "id must be a string, a number or null");
  if (body.jsonrpc !== "2.0") throw new EnvelopeError(id, RPC.invalidRequest, 'jsonrpc must be "2.0"');
  if (typeof body.method !== "string" || body.method === "") throw new EnvelopeError(id, RPC.invalidRequest, "method must be a non-empty string");
  const params = body.params ?? {};
  if (!isObject(params)) throw new EnvelopeError(id, RPC.invalidParams, "params must be an object");
  return { id, method: body.method, params };
}

/** A reply's JSON-RPC text. */
export function resultText(id: RpcId, result: unknown): string {
  return JSON.stringify({ jsonrpc: "2.0", id, result });
}

/** An error reply's JSON-RPC text: 1.0 details it with an ErrorInfo, 0.3 with a plain object. */
export function errorText(id: RpcId, error: RpcError, version: A2aVersion): string {
  const { code, detail } = error;
  const hasDetail = Object.keys(detail).length > 0;
  let data: unknown;
  if (version === "1.0") {
    const info: Record<string, unknown> = { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: reasonOf(code), domain: "a2a-protocol.org" };
    if (hasDetail) info.metadata = detail;
    data = [info];
  } else if (hasDetail) data = detail;
  const body: Record<string, unknown> = { code, message: error.message };
  if (data !== undefined) body.data = data;
  return JSON.stringify({ jsonrpc: "2.0", id, error: body });
}

/** The version a method name is asked in. */
export function versionOfMethod(method: string): A2aVersion {
  return method.includes("/") ? "0.3" : "1.0";
}

/**
 * The version an `A2A-Version` header asks for (missing or empty: 0.3, as the spec says), or
 * undefined when it names one not served here.
 */
export function versionOfHeader(header: string | undefined): A2aVersion | undefined {
  const value = header?.trim() ?? "";
  if (value === "") return "0.3";
  const match = /^(0\.3|1\.0)(\.\d+)?$/.exec(value);
  return match ? (match[1] as A2aVersion) : undefined;
}
