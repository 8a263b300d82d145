// One record per request, filled as the request goes, and its line in the request log. Nothing
// of a request's content goes in: no message text, no key or credential, only what an operator
// needs to see what the endpoint does (and what Prometheus counts).

import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AgentError } from "../errors.ts";
import type { HiddenParams } from "../types.ts";
import type { LogFormat } from "./config.ts";

export interface RequestRecord {
  /** When the request arrived, ISO 8601. */
  time: string;
  method: string;
  /**
   * The route's pattern (`/v1/responses/:id`), or "unknown": never the path itself, since a
   * client chooses paths without end and the metrics count by route.
   */
  route: string;
  /** The path, clipped, for the log line only (no query string: keys sometimes travel there). */
  path: string;
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
  /** The deployment that answered (`model_info.id`, or the id derived for it): `x-litellm-model-id`. */
  deployment?: string;
  /** Further deployments tried after failures (router_settings.num_retries). */
  retries?: number;
  /** The deployments that failed and were left for another, comma-separated. */
  retried_from?: string;
  /** The deployments this request's failures put in cooldown, comma-separated. */
  cooldowns?: string;
  /** The model_name fallen back to (fallbacks). */
  fallback?: string;
  /** The deployment a continued session left for a new one on another, as its own failed. */
  moved_from?: string;
  /** Which of the key's limits refused it: budget, rpm, tpm, parallel; or "unavailable" when their store could not be reached. */
  limit?: string;
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
  "path",
  "status",
  "route",
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
  "deployment",
  "retries",
  "retried_from",
  "cooldowns",
  "fallback",
  "moved_from",
  "limit",
] as const satisfies ReadonlyArray<keyof RequestRecord>;

/** The record as one log line: `key=value` text (values quoted when needed), or a JSON object. */
export function formatRecord(record: RequestRecord, format: Exclude<LogFormat, "off">): string {
  const ordered: Array<[string, unknown]> = ORDER.filter((key) => record[key] !== undefined).map((key) => [key, record[key]]);
  if (format === "json") return JSON.stringify(Object.fromEntries(ordered));
  // time, method, path and status lead without their names, as access logs do.
  return ordered
    .map(([key, value], i) => {
      const text = typeof value === "string" && !PLAIN.test(value) ? JSON.stringify(value) : String(value);
      return i < 4 ? text : `${key}=${text}`;
    })
    .join(" ");
}

export interface RecorderOptions {
  /** Where lines go; undefined: nowhere (observers are still told). */
  write: ((line: string) => void) | undefined;
  format: LogFormat;
  observers: RequestObserver[];
}

/** What the recorder keeps per request: its record, and how to close it. */
interface Entry {
  record: RequestRecord;
  /** A stream closes its record when it ends, not when its headers go out. */
  deferred: boolean;
  finish(firstByteAt?: number): void;
  /** Told when the record closes, before it is logged: limits settle, the router counts. */
  closing: Array<(record: RequestRecord) => void>;
}

const ENTRY = "requestRecord";

/**
 * The first middleware: every request gets its record, which handlers fill (`recordOf`) and
 * which is closed, logged and observed when the answer is ready, or when its stream ends.
 */
export function requestRecorder(options: RecorderOptions): MiddlewareHandler {
  const { write, format, observers } = options;
  return async (c, next) => {
    const started = performance.now();
    const record: RequestRecord = {
      time: new Date().toISOString(),
      method: c.req.method,
      route: UNKNOWN_ROUTE,
      status: 0,
      path: clip(c.req.path),
      duration_ms: 0,
    };
    let finished = false;
    const entry: Entry = {
      record,
      deferred: false,
      closing: [],
      finish(firstByteAt = performance.now()) {
        if (finished) return;
        finished = true;
        for (const close of entry.closing) close(record);
        record.duration_ms = milliseconds(performance.now() - started);
        record.ttfb_ms = milliseconds(firstByteAt - started);
        if (write && format !== "off") write(formatRecord(record, format));
        for (const observer of observers) observer.ended(record);
      },
    };
    c.set(ENTRY, entry);
    await next();
    record.route = routePattern(c);
    record.status = c.res.status;
    if (!entry.deferred) return entry.finish();
    for (const observer of observers) observer.streamOpened?.(record);
  };
}

const UNKNOWN_ROUTE = "unknown";

/** The pattern of the route that answered: the last one matched that is not a middleware for every path. */
function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.path !== "/*" && routes[i]!.path !== "*") return routes[i]!.path;
  return UNKNOWN_ROUTE;
}

export function recordOf(c: Context): RequestRecord {
  return (c.get(ENTRY) as Entry).record;
}

/** Calls `close` when the request's record closes: its answer ended (a stream's too, also on a disconnect), or it failed. */
export function whenClosed(c: Context, close: (record: RequestRecord) => void): void {
  (c.get(ENTRY) as Entry).closing.push(close);
}

/** For a stream: the record stays open; call the result when the stream ends. */
export function deferRecord(c: Context): (firstEventAt: number | undefined) => void {
  const entry = c.get(ENTRY) as Entry;
  entry.deferred = true;
  return (firstEventAt) => entry.finish(firstEventAt);
}

/** What an answer adds to its record. */
export function answered({ hidden, inputTokens, outputTokens }: { hidden: HiddenParams; inputTokens: number; outputTokens: number }): Partial<RequestRecord> {
  const part: Partial<RequestRecord> = {
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    cost_usd: hidden.response_cost,
    session_id: hidden.session_id,
  };
  if (hidden.aws_request_id) part.aws_request_id = hidden.aws_request_id;
  return part;
}

/** What a failure adds to its record: its codes, never its message (which may quote the request). */
export function failed(error: AgentError): Partial<RequestRecord> {
  const part: Partial<RequestRecord> = { error: error.code ?? error.type };
  if (error.awsCode) part.aws_code = error.awsCode;
  if (error.requestId) part.aws_request_id = error.requestId;
  return part;
}

function milliseconds(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Paths come from the client: recorded short. */
export function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
