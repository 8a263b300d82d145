import { EventStreamCodec } from "@smithy/eventstream-codec";
import { StreamError, awsError, exceptionTypeToCode } from "./errors.ts";
import type { AgentFile } from "./types.ts";

// The AWS event-stream format caps a message at 16 MiB; a length prefix above that is
// corruption, rejected before buffering anything for it.
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const MIN_FRAME_BYTES = 16;

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => utf8Decoder.decode(bytes),
  (text) => utf8Encoder.encode(text),
);

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
 * Cuts bytes into whole frames, synchronously, one network read at a time. Reads do not align
 * with frames: a frame, even its 4-byte length prefix, may arrive in pieces, and one read may
 * hold many frames.
 */
export class Framer {
  private pending: Uint8Array[] = []; // bytes of the frame being assembled
  private pendingBytes = 0;
  private frameLength = 0; // 0 while the length prefix is not known yet

  /** The frames this read completes, in order. */
  push(read: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let chunk = read;
    while (chunk.byteLength > 0) {
      if (this.frameLength === 0 && this.pendingBytes + chunk.byteLength >= 4) {
        this.frameLength = this.readLength(chunk);
      }
      // Fast path: whole frames inside this read are taken without copying.
      if (this.pendingBytes === 0 && this.frameLength > 0 && chunk.byteLength >= this.frameLength) {
        frames.push(chunk.subarray(0, this.frameLength));
        chunk = chunk.subarray(this.frameLength);
        this.frameLength = 0;
        continue;
      }
      const needed = this.frameLength > 0 ? this.frameLength - this.pendingBytes : 4 - this.pendingBytes;
      const piece = chunk.subarray(0, needed);
      this.pending.push(piece);
      this.pendingBytes += piece.byteLength;
      chunk = chunk.subarray(piece.byteLength);
      if (this.frameLength > 0 && this.pendingBytes === this.frameLength) {
        frames.push(concat(this.pending, this.pendingBytes));
        this.pending = [];
        this.pendingBytes = 0;
        this.frameLength = 0;
      }
    }
    return frames;
  }

  /** The stream is over: ending inside a frame is an error, never a silent end. */
  end(): void {
    if (this.pendingBytes > 0) {
      throw new StreamError(
        `The agent's event stream was truncated: it ended inside a frame (${this.pendingBytes} of ${this.frameLength || "?"} bytes)`,
        { code: "stream_truncated" },
      );
    }
  }

  private readLength(chunk: Uint8Array): number {
    const head = this.pendingBytes === 0 ? chunk : concat([...this.pending, chunk.subarray(0, 4)], this.pendingBytes + 4);
    const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
    if (length < MIN_FRAME_BYTES || length > MAX_FRAME_BYTES) {
      throw new StreamError(`The agent's event stream is corrupt: a frame claims ${length} bytes`, {
        code: "stream_corrupt",
      });
    }
    return length;
  }
}

/** Each read of a byte stream, until it ends; leaving early closes the upstream connection. */
async function* reads(body: ReadableStream<Uint8Array>, onRead?: () => void): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onRead?.();
      yield value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** The whole frames of a byte stream. */
export async function* readFrames(body: ReadableStream<Uint8Array>, onRead?: () => void): AsyncGenerator<Uint8Array> {
  const framer = new Framer();
  for await (const read of reads(body, onRead)) yield* framer.push(read);
  framer.end();
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export type DecodedMessage = ReturnType<EventStreamCodec["decode"]>;

/** Decodes one whole frame, checking both CRCs; any defect is a StreamError. */
export function decodeFrame(frame: Uint8Array): DecodedMessage {
  try {
    return codec.decode(frame);
  } catch (cause) {
    throw new StreamError(`The agent's event stream is corrupt: ${(cause as Error).message}`, {
      code: "stream_corrupt",
      cause,
    });
  }
}

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

export function base64ToBytes(base64: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(base64);
  } catch (cause) {
    throw new StreamError("The agent's event stream has invalid base64 content", { code: "stream_corrupt", cause });
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

