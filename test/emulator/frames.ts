// Event-stream frames exactly as the Agents runtime writes them. Pure: Web APIs only, because
// tests running inside workerd build and compare frames too.
import { EventStreamCodec } from "@smithy/eventstream-codec";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The codec wants (bytes → string, string → bytes) to read and write header strings.
const codec = new EventStreamCodec(
  (bytes: Uint8Array) => decoder.decode(bytes),
  (text: string) => encoder.encode(text),
);

type StringHeaders = Record<string, { type: "string"; value: string }>;

function stringHeaders(headers: Record<string, string>): StringHeaders {
  const out: StringHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[name] = { type: "string", value };
  return out;
}

function json(payload: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(payload));
}

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Base64 of bytes, as JSON blobs carry them (chunk.bytes, files[].bytes). */
export function base64(bytes: Uint8Array): string {
  let binary = "";
  // Spread in slices: String.fromCharCode(...huge) would overflow the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Bytes of a base64 string (the inverse of `base64`). */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * An event (`chunk`, `trace`, `returnControl`, `files`, or any other type a client must skip).
 * The header set is what AWS sends and what the SDK's unmarshaller reads: `:message-type`
 * picks the branch, `:event-type` names the union member, `:content-type` describes the payload.
 */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: stringHeaders({
      ":event-type": eventType,
      ":content-type": "application/json",
      ":message-type": "event",
    }),
    body: json(payload),
  });
}

/**
 * A modeled exception inside the stream. `exceptionType` is the lowerCamelCase member name of
 * ResponseStream (`throttlingException`, ...); it ends the stream with that error.
 */
export function exceptionFrame(
  exceptionType: string,
  body: { message: string; [extra: string]: unknown },
): Uint8Array {
  return codec.encode({
    headers: stringHeaders({
      ":exception-type": exceptionType,
      ":content-type": "application/json",
      ":message-type": "exception",
    }),
    body: json(body),
  });
}

/** An unmodeled error: everything is in the headers, the payload is empty. */
export function errorFrame(code: string, message: string): Uint8Array {
  return codec.encode({
    headers: stringHeaders({
      ":error-code": code,
      ":error-message": message,
      ":message-type": "error",
    }),
    body: new Uint8Array(0),
  });
}

/** A `chunk` event carrying raw bytes of the answer (base64 in JSON) and optional citations. */
export function chunkFrame(bytes: Uint8Array | string, attribution?: unknown): Uint8Array {
  const raw = typeof bytes === "string" ? utf8(bytes) : bytes;
  return eventFrame("chunk", attribution === undefined ? { bytes: base64(raw) } : { bytes: base64(raw), attribution });
}

export interface DecodedFrame {
  headers: Record<string, string | number | boolean>;
  body: Uint8Array;
}

/** Decodes one whole frame (checks both CRCs); for the emulator's own tests. */
export function decodeFrame(frame: Uint8Array): DecodedFrame {
  const message = codec.decode(frame);
  const headers: DecodedFrame["headers"] = {};
  for (const [name, header] of Object.entries(message.headers)) {
    const value = header.value;
    headers[name] = typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? value : String(value);
  }
  return { headers, body: message.body };
}
