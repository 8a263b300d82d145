import { AgentError } from "../errors.ts";
import { anthropicError } from "../surfaces/messages/response.ts";
import { REQUEST_ID_HEADER } from "./headers.ts";

/** The error in the shape the route's clients expect: Anthropic's on the Messages route, OpenAI's elsewhere. */
export function errorResponse(error: AgentError, path: string): Response {
  const headers = new Headers({ "content-type": "application/json" });
  if (error.requestId) headers.set(REQUEST_ID_HEADER, error.requestId);
  // Throttling that outlasted our own retries: tell the caller when to come back.
  if (error.retryAfter !== undefined || (error.retryable && (error.status === 429 || error.status === 503))) {
    headers.set("retry-after", String(Math.ceil(error.retryAfter ?? 1)));
  }
  // A key's rate limit says what is left (limits/limit-errors.ts).
  if ("headers" in error) for (const [name, value] of Object.entries(error.headers as Record<string, string>)) headers.set(name, value);
  const body = /^(\/v1)?\/messages(\/|$)/.test(path) ? anthropicError(error) : error.toJSON();
  return new Response(JSON.stringify(body), { status: error.status, headers });
}
