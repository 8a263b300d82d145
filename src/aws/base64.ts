// Base64 as AWS's JSON blobs carry it (standard alphabet, padded), decoded from a string or straight
// from the bytes of a payload, without the intermediate strings of atob; and bytes encoded, in
// that alphabet or in the URL-safe one of our ids.
import { StreamError } from "../errors.ts";

// Byte → its 6 bits; 255: not in the alphabet.
const SEXTETS = new Uint8Array(256).fill(255);
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".split("").forEach((c, i) => (SEXTETS[c.charCodeAt(0)] = i));
const PAD = 61; // "="

/** The bytes of base64 text held as ASCII bytes, `from` to `to`; undefined when it is not valid base64. */
export function base64Bytes(ascii: Uint8Array, from: number, to: number): Uint8Array | undefined {
  const length = to - from;
  if (length % 4 !== 0) return undefined;
  const padding = length === 0 ? 0 : ascii[to - 1] === PAD ? (ascii[to - 2] === PAD ? 2 : 1) : 0;
  const out = new Uint8Array((length / 4) * 3 - padding);
  let at = 0;
  for (let i = from; i < to; i += 4) {
    const a = SEXTETS[ascii[i]!]!;
    const b = SEXTETS[ascii[i + 1]!]!;
    const last = i + 4 === to;
    const c = last && padding === 2 ? 0 : SEXTETS[ascii[i + 2]!]!;
    const d = last && padding >= 1 ? 0 : SEXTETS[ascii[i + 3]!]!;
    if ((a | b | c | d) > 63) return undefined;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    out[at++] = bits >> 16;
    if (at < out.length) out[at++] = (bits >> 8) & 0xff;
    if (at < out.length) out[at++] = bits & 0xff;
  }
  return out;
}

/** The bytes of a base64 string; anything invalid is a corrupt stream. */
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

/** Bytes as base64 (standard alphabet, padded). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  // In slices: fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Bytes as URL-safe base64, unpadded (ids). */
export function bytesToBase64url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
