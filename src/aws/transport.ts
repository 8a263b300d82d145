// One signed call to an AWS API: retries while nothing has reached the caller, AWS's HTTP errors
// mapped to ours, a response stream re-opened when it fails before its first event.
import { AgentError, BadRequestError, ConnectionError, StreamError, awsError, normalizeAwsCode } from "../errors.ts";
import { type Batches, pullBatches } from "../batches.ts";
import { type CallSignals, RetryBudget, type RetryPolicy } from "./retry.ts";
import type { Signer } from "./signing.ts";
import { scrubAwsMessage } from "../scrub.ts";
import { AGENTCORE_RPC_CODES, jsonRpcErrorOf } from "./json-rpc-errors.ts";

export interface Transport {
  /** Base URL without a trailing slash. */
  endpoint: string;
  /** SigV4 signing; undefined when `bearer` authorizes instead. */
  signer: Signer | undefined;
  /** A bearer token instead of SigV4 (AgentCore runtimes behind a JWT authorizer). */
  bearer?: string;
  fetch: typeof fetch;
  signals: CallSignals;
  retry: RetryPolicy;
  /** Seconds without a byte from AWS before the call fails; undefined: no limit. */
  idleTimeout?: number;
  /** What the service is called in messages ("the agent runtime"). */
  service: string;
}

export interface Opened<T> {
  response: Response;
  /** Of the attempt being read (a retry gets a new one). */
  requestId: string | undefined;
  /** The response's items, a batch per network read. */
  batches: Batches<T>;
}

// Error bodies are small JSON documents; never hold more than this of one.
const MAX_ERROR_BODY = 64 * 1024;

/**
 * POSTs, retrying throttling, 5xx and dropped connections with backoff, but only while nothing
 * has reached the caller: an HTTP error, a failed connection, or a stream error before its first
 * item (`read` gives the items of a response body). Later errors are raised as they come.
 */
export async function postStream<T>(
  url: string,
  init: { headers: Record<string, string>; body: string },
  transport: Transport,
  read: (response: Response, requestId: string | undefined, onRead: () => void) => Batches<T>,
): Promise<Opened<T>> {
  const budget = new RetryBudget(transport.retry, transport.signals);
  const open = async (): Promise<Response> => {
    for (;;) {
      try {
        return await attempt(url, init, transport);
      } catch (error) {
        await budget.beforeRetry(error);
      }
    }
  };
  transport.signals.startIdleTimer(transport.idleTimeout);
  let response: Response;
  try {
    response = await open();
  } catch (error) {
    transport.signals.stopIdleTimer();
    throw error;
  }
  const touch = () => transport.signals.touch();
  let source: Batches<T> | undefined;
  let received = false;
  const got = (result: IteratorResult<T[], void>): T[] | undefined => {
    if (result.done) return undefined;
    received = true;
    return result.value;
  };
  // Before the first batch, a broken stream is opened again (within the retry budget).
  const lost = async (error: unknown): Promise<T[] | undefined> => {
    const failure = asAgentError(error, transport, opened.requestId, "Lost the connection to");
    if (received) throw failure;
    await budget.beforeRetry(failure);
    opened.response = await open();
    opened.requestId = requestIdOf(opened.response);
    source = undefined;
    return pull();
  };
  const pull = (): Promise<T[] | undefined> => {
    source ??= read(opened.response, opened.requestId, touch);
    return source.next().then(got, lost);
  };
  const opened: Opened<T> = {
    response,
    requestId: requestIdOf(response),
    batches: pullBatches(pull, () => {
      transport.signals.stopIdleTimer();
      return source?.return();
    }),
  };
  return opened;
}

async function attempt(url: string, init: { headers: Record<string, string>; body: string }, transport: Transport): Promise<Response> {
  let response: Response;
  try {
    const request = { method: "POST", headers: init.headers, body: init.body };
    const headers = transport.signer
      ? await transport.signer.sign(url, request)
      : { ...init.headers, authorization: `Bearer ${transport.bearer ?? ""}` };
    response = await transport.fetch(url, { ...request, headers, signal: transport.signals.signal });
  } catch (error) {
    throw asAgentError(error, transport, undefined, "Could not reach");
  }
  if (response.ok) {
    if (!response.body) throw new StreamError(`${capital(transport.service)} answered without a body`, { code: "stream_empty" });
    return response;
  }
  throw await httpError(response, transport);
}

/** An AWS error response → the matching AgentError. Reading the body also frees the connection. */
async function httpError(response: Response, transport: Transport): Promise<AgentError> {
  let text = "";
  try {
    text = await readLimited(response, MAX_ERROR_BODY);
  } catch {
    const aborted = transport.signals.abortError();
    if (aborted) return aborted;
  }
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object") parsed = value as Record<string, unknown>;
  } catch {
    // not JSON: the status alone decides
  }
  // A runtime that speaks A2A: AgentCore's error is a JSON-RPC error object, its code one of AgentCore's.
  const rpc = jsonRpcErrorOf(parsed);
  const code = normalizeAwsCode(
    response.headers.get("x-amzn-errortype") ?? stringOf(parsed.code) ?? stringOf(parsed.__type) ?? (rpc && AGENTCORE_RPC_CODES[rpc.code]),
  );
  // AWS's message may quote the request's Authorization header, or worse.
  const secrets = [...(transport.signer?.secrets() ?? []), transport.bearer];
  const message = scrubAwsMessage(stringOf(parsed.message) ?? stringOf(parsed.Message) ?? rpc?.message ?? (response.statusText || "no message"), secrets);
  const retryAfter = Number(response.headers.get("retry-after"));
  return awsError(code, response.status, `${code ?? `HTTP ${response.status}`}: ${message}`, {
    awsMessage: message,
    requestId: requestIdOf(response),
    retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  });
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    if (text.length < limit) text += decoder.decode(value, { stream: true });
    // Past the limit keep reading to the end, so the connection can be reused.
  }
}

/** Anything thrown while talking to AWS → an AgentError, without leaking the request. */
function asAgentError(
  error: unknown,
  transport: Transport,
  requestId: string | undefined,
  what: "Could not reach" | "Lost the connection to",
): AgentError {
  if (error instanceof AgentError) return error;
  const aborted = transport.signals.abortError();
  if (aborted) return aborted;
  const reason = error instanceof Error ? error.message : String(error);
  const host = new URL(transport.endpoint).host;
  return new ConnectionError(`${what} ${transport.service} at ${host}: ${reason}`, {
    code: "connection_error",
    cause: error,
    requestId,
  });
}

/**
 * Percent-encoding for path labels: encodeURIComponent plus the characters it leaves alone. "."
 * and ".." are refused: URLs resolve them (encoded too) to another path, whatever was checked before.
 */
export function pathLabel(value: string): string {
  if (value === "." || value === "..") throw new BadRequestError(`"${value}" cannot be a part of a URL path`, { code: "invalid_path_segment" });
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function requestIdOf(response: Response): string | undefined {
  return response.headers.get("x-amzn-requestid") ?? undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
