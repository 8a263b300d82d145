import { EventStreamCodec } from "@smithy/eventstream-codec";
import { type Batches, pullBatches } from "../batches.ts";
import { StreamError, awsError, exceptionTypeToCode } from "../errors.ts";
import { shareHeaderBlocks } from "./header-blocks.ts";

// The AWS event-stream format caps a message at 16 MiB; a length prefix above that is
// corruption, rejected before buffering anything for it.
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const MIN_FRAME_BYTES = 16;

export const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();
const codec = new EventStreamCodec((bytes) => utf8Decoder.decode(bytes), (text) => utf8Encoder.encode(text));
shareHeaderBlocks(codec);

/**
 * Cuts bytes into whole frames, synchronously, one network read at a time. Reads do not align
 * with frames: a frame, even its 4-byte length prefix, may arrive in pieces, and one read may
 * hold many frames.
 */
export class Framer {
  #pending: Uint8Array[] = []; // bytes of the frame being assembled
  #pendingBytes = 0;
  #frameLength = 0; // 0 while the length prefix is not known yet

  /** The frames this read completes, in order. */
  push(read: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let chunk = read;
    while (chunk.byteLength > 0) {
      if (this.#frameLength === 0 && this.#pendingBytes + chunk.byteLength >= 4) {
        this.#frameLength = this.#readLength(chunk);
      }
      // Fast path: whole frames inside this read are taken without copying.
      if (this.#pendingBytes === 0 && this.#frameLength > 0 && chunk.byteLength >= this.#frameLength) {
        frames.push(chunk.subarray(0, this.#frameLength));
        chunk = chunk.subarray(this.#frameLength);
        this.#frameLength = 0;
        continue;
      }
      const needed = this.#frameLength > 0 ? this.#frameLength - this.#pendingBytes : 4 - this.#pendingBytes;
      const piece = chunk.subarray(0, needed);
      this.#pending.push(piece);
      this.#pendingBytes += piece.byteLength;
      chunk = chunk.subarray(piece.byteLength);
      if (this.#frameLength > 0 && this.#pendingBytes === this.#frameLength) {
        frames.push(concat(this.#pending, this.#pendingBytes));
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#frameLength = 0;
      }
    }
    return frames;
  }

  /** The stream is over: ending inside a frame is an error, never a silent end. */
  end(): void {
    if (this.#pendingBytes > 0) {
      throw new StreamError(
        `The agent's event stream was truncated: it ended inside a frame (${this.#pendingBytes} of ${this.#frameLength || "?"} bytes)`,
        { code: "stream_truncated" },
      );
    }
  }

  #readLength(chunk: Uint8Array): number {
    const head = this.#pendingBytes === 0 ? chunk : concat([...this.#pending, chunk.subarray(0, 4)], this.#pendingBytes + 4);
    const length = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
    if (length < MIN_FRAME_BYTES || length > MAX_FRAME_BYTES) {
      throw new StreamError(`The agent's event stream is corrupt: a frame claims ${length} bytes`, {
        code: "stream_corrupt",
      });
    }
    return length;
  }
}

/** Each read of a byte stream as a batch of one, until it ends; leaving early closes the upstream connection. */
export function reads(body: ReadableStream<Uint8Array>, onRead?: () => void): Batches<Uint8Array> {
  const reader = body.getReader();
  return pullBatches(
    () =>
      reader.read().then(({ done, value }) => {
        if (done) return undefined;
        onRead?.();
        return [value];
      }),
    () => reader.cancel().catch(() => {}),
  );
}

/** The whole frames of a byte stream. */
export async function* readFrames(body: ReadableStream<Uint8Array>, onRead?: () => void): AsyncGenerator<Uint8Array> {
  const framer = new Framer();
  for await (const [read] of reads(body, onRead)) yield* framer.push(read!);
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

/** A decoded frame: its headers by name, and its payload. Our own type, so smithy's stay out of ours. */
export interface DecodedMessage {
  /** Shared by the frames whose header bytes are the same (`header-blocks.ts`), so never changed. */
  readonly headers: Readonly<Record<string, Readonly<{ type: string; value: unknown }>>>;
  body: Uint8Array;
}

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



/** An event of an AWS event stream: its `:event-type` and its JSON payload. */
export interface StreamEvent {
  type: string;
  payload: Record<string, unknown>;
}

/** A frame's JSON payload, parsed only when asked for. */
export interface EventFrame {
  /** The payload's bytes, for a reader that knows a faster way than JSON.parse. */
  readonly body: Uint8Array;
  payload(): Record<string, unknown>;
}

/** Reads one event: its `:event-type` and its frame. */
export type EventReader<T> = (type: string, frame: EventFrame) => T | undefined;

/** Every event as `{type, payload}`. */
export const anyEvent: EventReader<StreamEvent> = (type, frame) => ({ type, payload: frame.payload() });

/**
 * The events of an event-stream body, a batch per network read: every frame of one read is
 * decoded in one synchronous pass, so the stages downstream pay their async overhead once per
 * read. Exception and error frames raise the matching AgentError, after the events before them;
 * events `read` leaves out (undefined) are skipped, their payloads unread.
 */
export function eventBatches<T>(
  body: ReadableStream<Uint8Array>,
  requestId: string | undefined,
  read: EventReader<T>,
  onRead?: () => void,
): Batches<T> {
  const reader = body.getReader();
  const framer = new Framer();
  let failure: unknown; // raised after the events of its read
  const decode = ({ done, value }: ReadableStreamReadResult<Uint8Array>): T[] | undefined | Promise<T[] | undefined> => {
    if (done) {
      framer.end();
      return undefined;
    }
    onRead?.();
    const events: T[] = [];
    try {
      for (const frame of framer.push(value)) {
        const event = toEvent(decodeFrame(frame), requestId, read);
        if (event !== undefined) events.push(event);
      }
    } catch (error) {
      if (events.length === 0) throw error;
      failure = error;
    }
    return events.length > 0 ? events : pull(); // a read of no whole frame: the next one
  };
  const pull = (): Promise<T[] | undefined> => (failure !== undefined ? Promise.reject(failure) : reader.read().then(decode));
  return pullBatches(pull, () => reader.cancel().catch(() => {}));
}

// An object per frame rather than closures: frames are many.
class Frame implements EventFrame {
  readonly #requestId: string | undefined;

  constructor(
    readonly body: Uint8Array,
    requestId: string | undefined,
  ) {
    this.#requestId = requestId;
  }

  payload(): Record<string, unknown> {
    try {
      const value: unknown = JSON.parse(utf8Decoder.decode(this.body));
      if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new StreamError("The event stream has a frame whose payload is not a JSON object", { code: "stream_corrupt", requestId: this.#requestId });
  }
}

function header(headers: DecodedMessage["headers"], name: string): string | undefined {
  const value = headers[name]?.value;
  return typeof value === "string" ? value : undefined;
}

// For callers not trusted with AWS's text, with the code, status and request id.
const STREAM_FAILED = "AWS ended the answer with an error";

function toEvent<T>({ headers, body }: DecodedMessage, requestId: string | undefined, read: EventReader<T>): T | undefined {
  const messageType = header(headers, ":message-type");
  const frame = new Frame(body, requestId);
  if (messageType === "exception") {
    const code = exceptionTypeToCode(header(headers, ":exception-type") ?? "unknownException");
    const { message, Message } = frame.payload() as { message?: string; Message?: string };
    const text = message ?? Message ?? "no message";
    throw awsError(code, 500, `${code}: ${text}`, { requestId, awsMessage: text, summaryLead: STREAM_FAILED });
  }
  if (messageType === "error") {
    const code = header(headers, ":error-code") ?? "UnknownError";
    const text = header(headers, ":error-message") ?? "the stream reported an error";
    throw awsError(code, 500, `${code}: ${text}`, { requestId, awsMessage: text, summaryLead: STREAM_FAILED });
  }
  if (messageType !== "event") {
    throw new StreamError(`The event stream has a frame of unknown message type "${messageType}"`, { code: "stream_corrupt", requestId });
  }
  return read(header(headers, ":event-type") ?? "", frame);
}
