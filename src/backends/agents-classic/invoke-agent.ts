import type { AwsClient } from "aws4fetch";
import { AgentError, ConnectionError, StreamError, awsError, normalizeAwsCode, scrubAwsMessage } from "../../errors.ts";
import { type AgentEvent, agentEventBatches } from "./events.ts";
import type { InvokeAgentRequest } from "./request.ts";
import { type CallSignals, RetryBudget, type RetryPolicy } from "../../aws/retry.ts";

export interface Transport {
  /** Base URL without a trailing slash. */
  endpoint: string;
  signer: AwsClient;
  fetch: typeof fetch;
  signals: CallSignals;
  retry: RetryPolicy;
  /** Seconds without a byte from the agent before the call fails; undefined: no limit. */
  idleTimeout?: number;
}

/** An open InvokeAgent response: its identifiers and its events, read on demand. */
export interface AgentResponse {
  sessionId: string;
  memoryId: string | undefined;
  /** Of the attempt being read (a retry gets a new one). */
  requestId: string | undefined;
  /** The agent's events, a batch per network read. */
  events: AsyncGenerator<AgentEvent[]>;
}

// Error bodies are small JSON documents; never hold more than this of one.
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Sends InvokeAgent, retrying throttling, 5xx and dropped connections with backoff, but only
 * while nothing has reached the caller: an HTTP error, a failed connection, or an exception
 * frame that arrives before any event. Later errors are raised as they come.
 */
export async function invokeAgent(request: InvokeAgentRequest, transport: Transport): Promise<AgentResponse> {
  const budget = new RetryBudget(transport.retry, transport.signals);
  const url = [
    transport.endpoint,
    "agents",
    pathLabel(request.agentId),
    "agentAliases",
    pathLabel(request.agentAliasId),
    "sessions",
    pathLabel(request.sessionId),
    "text",
  ].join("/");
  const body = JSON.stringify(request.body);

  const open = async (): Promise<Response> => {
    for (;;) {
      try {
        return await attempt(url, body, transport);
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
  const result: AgentResponse = {
    sessionId: response.headers.get("x-amz-bedrock-agent-session-id") ?? request.sessionId,
    memoryId: response.headers.get("x-amz-bedrock-agent-memory-id") ?? undefined,
    requestId: requestIdOf(response),
    events: readEvents(),
  };
  async function* readEvents(): AsyncGenerator<AgentEvent[]> {
    const touch = () => transport.signals.touch();
    try {
      for (;;) {
        let received = false;
        try {
          for await (const batch of agentEventBatches(response.body!, result.requestId, touch)) {
            received = true;
            yield batch;
          }
          return;
        } catch (error) {
          const failure = asAgentError(error, transport, result.requestId, "Lost the connection to");
          if (received) throw failure;
          await budget.beforeRetry(failure);
          response = await open();
          result.requestId = requestIdOf(response);
        }
      }
    } finally {
      transport.signals.stopIdleTimer();
    }
  }
  return result;
}

async function attempt(url: string, body: string, transport: Transport): Promise<Response> {
  let response: Response;
  try {
    const signed = await transport.signer.sign(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/vnd.amazon.eventstream" },
      body,
      signal: transport.signals.signal,
    });
    response = await transport.fetch(signed);
  } catch (error) {
    throw asAgentError(error, transport, undefined, "Could not reach");
  }
  if (response.ok) {
    if (!response.body) throw new StreamError("The agent runtime answered without a body", { code: "stream_empty" });
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
  const code = normalizeAwsCode(
    response.headers.get("x-amzn-errortype") ?? stringOf(parsed.code) ?? stringOf(parsed.__type),
  );
  const message = scrubAwsMessage(stringOf(parsed.message) ?? stringOf(parsed.Message) ?? (response.statusText || "no message"));
  const retryAfter = Number(response.headers.get("retry-after"));
  return awsError(code, response.status, `${code ?? `HTTP ${response.status}`}: ${message}`, {
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

/** Anything thrown while talking to the runtime → an AgentError, without leaking the request. */
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
  return new ConnectionError(`${what} the agent runtime at ${host}: ${reason}`, {
    code: "connection_error",
    cause: error,
    requestId,
  });
}

// Percent-encoding for path labels: encodeURIComponent plus the characters it leaves alone.
function pathLabel(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function requestIdOf(response: Response): string | undefined {
  return response.headers.get("x-amzn-requestid") ?? undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
