// The events of an InvokeAgent response: frames decoded by aws/event-stream.ts, typed here.
import { StreamError, awsError, exceptionTypeToCode } from "../../errors.ts";
import type { AgentFile } from "../../types.ts";
import { type DecodedMessage, Framer, base64ToBytes, decodeFrame, reads, utf8Decoder } from "../../aws/event-stream.ts";

export interface Citation {
  generatedResponsePart?: { textResponsePart?: { text?: string; span?: { start?: number; end?: number } } };
  retrievedReferences?: Array<Record<string, unknown>>;
}

/** One model call's report inside a trace; every trace kind has this shape where it calls a model. */
export interface ModelInvocationTrace {
  modelInvocationInput?: { traceId?: string; foundationModel?: string; [key: string]: unknown };
  modelInvocationOutput?: {
    traceId?: string;
    metadata?: { usage?: { inputTokens?: number; outputTokens?: number } };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface TracePart {
  agentId?: string;
  agentAliasId?: string;
  sessionId?: string;
  collaboratorName?: string;
  callerChain?: unknown[];
  eventTime?: string;
  /** One of preProcessingTrace, orchestrationTrace, postProcessingTrace, routingClassifierTrace, ... */
  trace?: Record<string, ModelInvocationTrace | undefined>;
  [key: string]: unknown;
}


export type AgentEvent =
  | { type: "chunk"; bytes: Uint8Array; attribution?: { citations?: Citation[] } }
  | { type: "trace"; trace: TracePart }
  | { type: "returnControl"; returnControl: Record<string, unknown> }
  | { type: "files"; files: AgentFile[] };


/**
 * The typed agent events of an InvokeAgent response body. Exception and error frames
 * raise the matching AgentError; unknown event types are skipped, as the SDK does.
 */
export async function* agentEvents(
  body: ReadableStream<Uint8Array>,
  requestId?: string,
  onRead?: () => void,
): AsyncGenerator<AgentEvent> {
  for await (const batch of agentEventBatches(body, requestId, onRead)) yield* batch;
}

/**
 * The same, a batch per network read: every frame of one read is decoded in one synchronous
 * pass, and the stages downstream pay their async overhead once per read, not per event.
 * The events before a failing frame come out before the error.
 */
export async function* agentEventBatches(
  body: ReadableStream<Uint8Array>,
  requestId?: string,
  onRead?: () => void,
): AsyncGenerator<AgentEvent[]> {
  const framer = new Framer();
  for await (const read of reads(body, onRead)) {
    const events: AgentEvent[] = [];
    try {
      for (const frame of framer.push(read)) {
        const event = toAgentEvent(decodeFrame(frame), requestId);
        if (event) events.push(event);
      }
    } catch (error) {
      if (events.length > 0) yield events;
      throw error;
    }
    if (events.length > 0) yield events;
  }
  framer.end();
}

function toAgentEvent({ headers, body }: DecodedMessage, requestId: string | undefined): AgentEvent | undefined {
  const header = (name: string) => {
    const value = headers[name]?.value;
    return typeof value === "string" ? value : undefined;
  };
  const messageType = header(":message-type");
  if (messageType === "exception") {
    const exceptionType = header(":exception-type") ?? "unknownException";
    const payload = parsePayload(body) as { message?: string; Message?: string };
    const message = payload.message ?? payload.Message ?? exceptionType;
    throw awsError(exceptionTypeToCode(exceptionType), 500, `${exceptionTypeToCode(exceptionType)}: ${message}`, {
      requestId,
    });
  }
  if (messageType === "error") {
    const code = header(":error-code") ?? "UnknownError";
    throw awsError(code, 500, `${code}: ${header(":error-message") ?? "the agent's stream reported an error"}`, {
      requestId,
    });
  }
  if (messageType !== "event") {
    throw new StreamError(`The agent's event stream has a frame of unknown message type "${messageType}"`, {
      code: "stream_corrupt",
      requestId,
    });
  }
  switch (header(":event-type")) {
    case "chunk": {
      const payload = parsePayload(body) as { bytes?: string; attribution?: { citations?: Citation[] } };
      const bytes = base64ToBytes(payload.bytes ?? "");
      return payload.attribution ? { type: "chunk", bytes, attribution: payload.attribution } : { type: "chunk", bytes };
    }
    case "trace":
      return { type: "trace", trace: parsePayload(body) as TracePart };
    case "returnControl":
      return { type: "returnControl", returnControl: parsePayload(body) as Record<string, unknown> };
    case "files": {
      const payload = parsePayload(body) as { files?: Array<{ name?: string; type?: string; bytes?: string }> };
      const files = (payload.files ?? []).map((file) => ({
        name: file.name ?? "",
        type: file.type ?? "application/octet-stream",
        bytes: base64ToBytes(file.bytes ?? ""),
      }));
      return { type: "files", files };
    }
    default:
      return undefined;
  }
}

function parsePayload(body: Uint8Array): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(utf8Decoder.decode(body));
    if (value && typeof value === "object") return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new StreamError("The agent's event stream has a frame whose payload is not a JSON object", {
    code: "stream_corrupt",
  });
}

