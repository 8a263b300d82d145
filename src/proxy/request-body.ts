// The request body: its limit, and its JSON. A declared length is checked from the header alone,
// the runtime holding the body to it; not asking for the body stream lets @hono/node-server read
// it straight from the socket, without a web Request and its streams. A body without one
// (chunked) is counted as it streams.
import type { Context, MiddlewareHandler } from "hono";
import { AgentError, BadRequestError, PayloadTooLargeError } from "../errors.ts";
import { parseClientJson } from "../json-depth.ts";

// Past the limit a chunked body is still read, and dropped, up to this many times the limit: a
// body left unread holds the connection (and on a Worker with static assets, the router in front
// of it) for the next request. Beyond that the reader is cancelled.
const DRAINED_FACTOR = 8;

export function bodyLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = (): never => {
    throw new PayloadTooLargeError(`The request body is larger than the limit of ${maxBytes} bytes`, { code: "request_too_large" });
  };
  return async (c, next) => {
    const length = c.req.header("content-length");
    if (length !== undefined && /^\d+$/.test(length) && c.req.header("transfer-encoding") === undefined) {
      if (Number(length) > maxBytes) tooLarge();
      return next();
    }
    const body = c.req.raw.body;
    if (!body) return next();
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size <= maxBytes) chunks.push(value);
      else if (size > maxBytes * DRAINED_FACTOR) {
        await reader.cancel().catch(() => {});
        break;
      }
    }
    if (size > maxBytes) tooLarge();
    const whole = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      whole.set(chunk, at);
      at += chunk.byteLength;
    }
    c.req.raw = new Request(c.req.raw, { body: whole });
    return next();
  };
}

/** The body as a JSON object, its nesting bounded (json-depth.ts); a 400 otherwise. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text(); // the body limit throws here
  let body: unknown;
  try {
    body = parseClientJson(text, "The request body");
  } catch (error) {
    if (error instanceof AgentError) throw error; // nested too deep
    throw new BadRequestError("The request body is not valid JSON", { code: "invalid_json" });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new BadRequestError("The request body must be a JSON object", { code: "invalid_json" });
  }
  return body as Record<string, unknown>;
}
