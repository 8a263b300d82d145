// One record per request, filled as the request goes, and its line in the request log. Nothing
// of a request's content goes in: no message text, no key or credential, only what an operator
// needs to see what the endpoint does (and what Prometheus counts).

import type { LogFormat } from "./config.ts";

export interface RequestRecord {
  /** When the request arrived, ISO 8601. */
  time: string;
  method: string;
  /** The path (no query string: keys sometimes travel there). */
  route: string;
  /** The `model_name` asked for, once it names a configured one. */
  model?: string;
  status: number;
  duration_ms: number;
  /** Until the first byte of the answer: the first streamed event, or the whole response. */
  ttfb_ms?: number;
  stream?: boolean;
  input_tokens?: number;
  output_tokens?: number;
  /** USD; null when a model's price is unknown. */
  cost_usd?: number | null;
  session_id?: string;
  aws_request_id?: string;
  /** `api_keys[].name`, or "master key"; never a key. */
  caller?: string;
  /** The error's code, also for an error in the middle of a stream. */
  error?: string;
  /** AWS's error code, when AWS said one. */
  aws_code?: string;
}

/** Who else wants to know about requests (the Node server's metrics). */
export interface RequestObserver {
  /** A stream's headers went out; `ended` follows when it closes. */
  streamOpened?(record: RequestRecord): void;
  ended(record: RequestRecord): void;
}

const PLAIN = /^[\w.:/@+-]+$/;
// Lines read the same whatever order a request filled its record in.
const ORDER = [
  "time",
  "method",
  "route",
  "status",
  "model",
  "duration_ms",
  "ttfb_ms",
  "stream",
  "input_tokens",
  "output_tokens",
  "cost_usd",
  "session_id",
  "aws_request_id",
  "caller",
  "error",
  "aws_code",
] as const satisfies ReadonlyArray<keyof RequestRecord>;

/** The record as one log line: `key=value` text (values quoted when needed), or a JSON object. */
export function formatRecord(record: RequestRecord, format: Exclude<LogFormat, "off">): string {
  const ordered: Array<[string, unknown]> = ORDER.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]);
  if (format === "json") return JSON.stringify(Object.fromEntries(ordered));
  // time, method, route and status lead without their names, as access logs do.
  return ordered
    .map(([key, value], i) => {
      const text = typeof value === "string" && !PLAIN.test(value) ? JSON.stringify(value) : String(value);
      return i < 4 ? text : `${key}=${text}`;
    })
    .join(" ");
}
