// The emulator's HTTP side (Node): routes InvokeAgent, checks what AWS checks (SigV4, labels,
// body), then plays a scenario's plan onto the socket. Also serves what it recorded, for tests
// that cannot share memory with it (workerd).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { DEFAULT_CREDENTIALS, type EmulatorCredential } from "./credentials.ts";
import {
  DEFAULT_SCENARIO,
  DEMO_PIECE_DELAY_MS,
  demoAnswer,
  wordPieces,
  isHttpErrorPlan,
  planScenario,
  scenarioFromSessionId,
  type InvokeAgentBody,
  type StreamPlan,
} from "./scenarios.ts";
import { sliceFrames } from "./slicing.ts";
import { verifySigV4 } from "./sigv4.ts";
import { agentCoreRoutes } from "./agentcore-server.ts";
import { validateBody, validateLabels, validateSourceArn } from "./validate.ts";

export interface EmulatorOptions {
  /** Default 0: the system picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Accepted in addition to STATIC_CREDENTIALS and TEMPORARY_CREDENTIALS. */
  credentials?: EmulatorCredential[];
  /** When set, signatures must be scoped to this region (AWS checks it; any region by default). */
  region?: string;
  /** Allowed clock skew; AWS allows 5 minutes. */
  maxClockSkewMs?: number;
  /** The emulator's clock (ms since epoch), to test skew. */
  now?: () => number;
}

export interface RecordedRequest {
  method: string;
  /** The raw wire path, percent-encoding included. */
  path: string;
  /** The raw query string, when there is one (AgentCore routes). */
  query?: string;
  /** Lower-cased names; everything except authorization. */
  headers: Record<string, string>;
  /** The parsed JSON body; the raw text when it was not JSON. */
  body: unknown;
  /** The scenario selector used, when the request got that far. */
  scenario?: string;
  agentId?: string;
  agentAliasId?: string;
  sessionId?: string;
  status: number;
  errorType?: string;
  /** The region of the signature's credential scope, once the signature checked out. */
  signingRegion?: string;
  /** ISO 8601 arrival time. */
  time: string;
  /** Set when the client went away before the stream's end, with the time it did. */
  closedEarlyAt?: string;
  /** Bytes of the response body handed to the socket so far. */
  bytesWritten?: number;
}

export interface Emulator {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Streams whose client went away before the end. */
  readonly closedEarly: number;
  /** Forgets recorded requests, flaky counters and closedEarly. */
  reset(): void;
  /** Accepts a credential from now on (credentials minted at run time, e.g. by the STS emulator); replaces one with the same key id. */
  addCredentials(credential: EmulatorCredential): void;
  /** Stops accepting a key id: requests signed with it get UnrecognizedClientException, as a revoked key does. */
  removeCredentials(accessKeyId: string): void;
  close(): Promise<void>;
}

const ROUTE =
  /^(?:\/scenario\/([^/]+))?\/agents\/([^/]+)\/agentAliases\/([^/]+)\/sessions\/([^/]+)\/text$/;
const MAX_BODY_BYTES = 40 * 1024 * 1024;
const AUTH_ERRORS = new Set([
  "ExpiredTokenException",
  "MissingAuthenticationTokenException",
  "IncompleteSignatureException",
  "InvalidSignatureException",
  "UnrecognizedClientException",
]);

/**
 * The scenario (in the path only) of a gateway on the way that drops `Credential=` from the
 * Authorization header: AWS answers IncompleteSignatureException, quoting the whole header.
 */
const MANGLED_AUTHORIZATION = "mangled-authorization";

function mangled(headers: Record<string, string[]>): Record<string, string[]> {
  return { ...headers, authorization: (headers.authorization ?? []).map((value) => value.replace("Credential=", "")) };
}

/** Cancels a running stream at once: pending waits resolve, later writes are skipped. */
class Cancellation {
  cancelled = false;
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly immediates = new Map<NodeJS.Immediate, () => void>();
  private readonly listeners = new Set<() => void>();
  sleep(ms: number): Promise<void> {
    if (this.cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      if (ms > 0) {
        const timer = setTimeout(() => (this.timers.delete(timer), resolve()), ms);
        this.timers.set(timer, resolve);
      } else {
        const immediate = setImmediate(() => (this.immediates.delete(immediate), resolve()));
        this.immediates.set(immediate, resolve);
      }
    });
  }
  /** Runs `fn` on cancel; returns how to stop listening. */
  onCancel(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  cancel(): void {
    this.cancelled = true;
    for (const [timer, resolve] of this.timers) (clearTimeout(timer), resolve());
    for (const [immediate, resolve] of this.immediates) (clearImmediate(immediate), resolve());
    this.timers.clear();
    this.immediates.clear();
    for (const fn of this.listeners) fn();
    this.listeners.clear();
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
      } else parts.push(part);
    });
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function decodeLabel(label: string): string | undefined {
  try {
    return decodeURIComponent(label);
  } catch {
    return undefined;
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const credentials = [...DEFAULT_CREDENTIALS, ...(options.credentials ?? [])];
  const now = options.now ?? Date.now;
  const maxSkewMs = options.maxClockSkewMs ?? 5 * 60 * 1000;
  const requests: RecordedRequest[] = [];
  const attempts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const streams = new Set<Cancellation>();
  let closedEarly = 0;

  function sendJson(res: ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  /** An error as AWS sends it: x-amzn-ErrorType names the code, the body carries the message. */
  function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
    const namespace = AUTH_ERRORS.has(errorType) ? "com.amazon.coral.service" : "com.amazon.bedrock";
    const body = JSON.stringify({ message });
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": randomUUID(),
      "x-amzn-ErrorType": `${errorType}:http://internal.amazon.com/coral/${namespace}/`,
    });
    res.end(body);
  }

  /**
   * Resolves once the bytes are handed to the kernel, or at once when the client has gone: a
   * slow reader slows the emulator down (backpressure). Counts the bytes that went out.
   */
  async function write(res: ServerResponse, bytes: Uint8Array, cancel: Cancellation, record: RecordedRequest): Promise<void> {
    if (cancel.cancelled || res.destroyed || res.writableEnded) return;
    await new Promise<void>((resolve) => {
      const stop = cancel.onCancel(resolve);
      res.write(bytes, () => {
        stop();
        resolve();
      });
    });
    record.bytesWritten = (record.bytesWritten ?? 0) + bytes.byteLength;
  }

  async function play(res: ServerResponse, plan: StreamPlan, cancel: Cancellation, record: RecordedRequest): Promise<void> {
    const slicing = plan.slicing;
    let pending: Uint8Array[] = [];
    let segment = 0;
    // Sliced mode: bytes between two delays are cut at random, including inside frames.
    const flush = async () => {
      if (!slicing || pending.length === 0) return;
      const slices = sliceFrames(pending, slicing.seed + segment++, slicing.maxBytes);
      pending = [];
      for (let i = 0; i < slices.length && !cancel.cancelled; i++) {
        await write(res, slices[i]!, cancel, record);
        await cancel.sleep((i + 1) % slicing.pauseEvery === 0 ? slicing.pauseMs : 0);
      }
    };
    for (const step of plan.steps) {
      if (cancel.cancelled) return;
      if ("delayMs" in step) {
        await flush();
        await cancel.sleep(step.delayMs);
        continue;
      }
      if ("reset" in step) {
        await flush();
        // A connection reset: the socket goes away without ending the chunked body.
        res.socket?.resetAndDestroy();
        cancel.cancel();
        return;
      }
      const bytes = "frame" in step ? step.frame : step.raw;
      if (slicing) pending.push(bytes);
      else await write(res, bytes, cancel, record);
    }
    await flush();
  }

  async function handleInvoke(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, body: Buffer): Promise<void> {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2) as [string, string?];
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headersDistinct)) {
      if (name !== "authorization" && value) headers[name] = value.join(",");
    }
    const text = body.toString("utf8");
    let parsed: unknown = text;
    let jsonOk = true;
    try {
      parsed = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      jsonOk = false;
    }
    const record: RecordedRequest = { method: req.method ?? "", path: rawPath, headers, body: parsed, status: 0, time: new Date().toISOString() };
    requests.push(record);
    const fail = (status: number, errorType: string, message: string) => {
      record.status = status;
      record.errorType = errorType;
      sendError(res, status, errorType, message);
    };

    const arrived = req.headersDistinct as Record<string, string[]>;
    const auth = await verifySigV4(
      { method: req.method ?? "", rawPath, rawQuery, headers: match[1] === MANGLED_AUTHORIZATION ? mangled(arrived) : arrived, body },
      { credentials, region: options.region, maxSkewMs, now },
    );
    if (auth) return fail(403, auth.errorType, auth.message);
    record.signingRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];

    const [, rawScenario, rawAgent, rawAlias, rawSession] = match;
    const agentId = decodeLabel(rawAgent!);
    const agentAliasId = decodeLabel(rawAlias!);
    const sessionId = decodeLabel(rawSession!);
    const scenarioLabel = rawScenario === undefined ? undefined : decodeLabel(rawScenario);
    if (agentId === undefined || agentAliasId === undefined || sessionId === undefined || (rawScenario && !scenarioLabel)) {
      return fail(400, "ValidationException", "The request path is not correctly percent-encoded.");
    }
    Object.assign(record, { agentId, agentAliasId, sessionId });
    const labelError = validateLabels(agentId, agentAliasId, sessionId);
    if (labelError) return fail(400, "ValidationException", labelError);
    const contentType = headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    if (contentType !== "application/json") {
      return fail(400, "ValidationException", `The request content type must be application/json, got ${JSON.stringify(headers["content-type"] ?? null)}.`);
    }
    if (!jsonOk) return fail(400, "ValidationException", "The request body is not valid JSON.");
    const bodyError = validateBody(parsed) ?? validateSourceArn(headers["x-amz-source-arn"]);
    if (bodyError) return fail(400, "ValidationException", bodyError);

    const scenario = scenarioLabel ?? scenarioFromSessionId(sessionId) ?? DEFAULT_SCENARIO;
    record.scenario = scenario;
    const key = `${scenario}\u0000${sessionId}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const invokeBody = parsed as InvokeAgentBody;
    const plan = planScenario(scenario, {
      agentId,
      agentAliasId,
      sessionId,
      body: invokeBody,
      method: req.method ?? "",
      path: rawPath,
      headers,
      attempt,
    });
    if (isHttpErrorPlan(plan)) return fail(plan.status, plan.errorType, plan.message);

    record.status = 200;
    const responseHeaders: Record<string, string> = {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-requestid": randomUUID(),
      "x-amz-bedrock-agent-session-id": sessionId,
      "x-amzn-bedrock-agent-content-type": "application/json",
    };
    if (typeof invokeBody.memoryId === "string") responseHeaders["x-amz-bedrock-agent-memory-id"] = invokeBody.memoryId;
    res.writeHead(200, responseHeaders);
    res.flushHeaders();

    await stream(res, plan, record);
  }

  /** Plays a plan's steps on an open response, noting when the client goes away first. */
  async function stream(res: ServerResponse, plan: StreamPlan, record: RecordedRequest): Promise<void> {
    const cancel = new Cancellation();
    streams.add(cancel);
    const onGone = () => {
      if (!res.writableFinished && !cancel.cancelled) {
        closedEarly++;
        record.closedEarlyAt = new Date().toISOString();
        cancel.cancel();
      }
    };
    res.on("close", onGone);
    if (res.destroyed) onGone();
    try {
      await play(res, plan, cancel, record);
    } finally {
      streams.delete(cancel);
      if (!cancel.cancelled) res.end();
    }
  }

  const agentCore = agentCoreRoutes({
    verify: (req, rawPath, rawQuery, body) =>
      verifySigV4(
        { method: req.method ?? "", rawPath, rawQuery, headers: req.headersDistinct as Record<string, string[]>, body },
        { credentials, maxSkewMs, now, service: "bedrock-agentcore" },
      ),
    record: (record) => requests.push(record),
    sendError,
    stream,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (!body) return sendError(res, 413, "ValidationException", "The request body is too large.");
    const rawPath = (req.url ?? "/").split("?")[0]!;
    if (rawPath.startsWith("/__emulator/")) {
      if (req.method === "GET" && rawPath === "/__emulator/requests") {
        // Optional filters, so concurrent tests can pick out their own requests.
        const query = new URL(req.url ?? "/", "http://emulator").searchParams;
        const sessionId = query.get("sessionId");
        const scenario = query.get("scenario");
        return sendJson(
          res,
          200,
          requests.filter((r) => (!sessionId || r.sessionId === sessionId) && (!scenario || r.scenario === scenario)),
        );
      }
      if (req.method === "POST" && rawPath === "/__emulator/openai-sse") {
        // The demo answer as OpenAI chunks, unsigned, at the demo's pace: what the load
        // benchmark's control Worker passes through, to measure workerd without our code.
        const input = (JSON.parse(body.toString("utf8") || "{}") as { messages?: Array<{ content?: string }> }).messages?.at(-1)?.content;
        const chunk = (delta: object, finish: string | null = null) =>
          `data: ${JSON.stringify({ id: "chatcmpl-control", object: "chat.completion.chunk", created: 0, model: "demo", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        const steps: StreamPlan["steps"] = [{ raw: new TextEncoder().encode(chunk({ role: "assistant", content: "" })) }];
        for (const piece of wordPieces(demoAnswer(input))) steps.push({ delayMs: DEMO_PIECE_DELAY_MS }, { raw: new TextEncoder().encode(chunk({ content: piece })) });
        steps.push({ raw: new TextEncoder().encode(`${chunk({}, "stop")}data: [DONE]\n\n`) });
        const record: RecordedRequest = { method: "POST", path: rawPath, headers: {}, body: null, status: 200, time: new Date().toISOString() };
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.flushHeaders();
        return stream(res, { steps }, record);
      }
      if (req.method === "GET" && rawPath === "/__emulator/stats") {
        return sendJson(res, 200, { requests: requests.length, closedEarly, openStreams: streams.size });
      }
      if (req.method === "POST" && rawPath === "/__emulator/reset") {
        reset();
        return sendJson(res, 200, { ok: true });
      }
      return sendJson(res, 404, { message: "unknown emulator endpoint" });
    }
    if (req.method === "POST" && (await agentCore(req, res, body))) return;
    const match = ROUTE.exec(rawPath);
    if (!match || req.method !== "POST") {
      return sendError(res, 404, "UnknownOperationException", `No operation matches ${req.method} ${rawPath}`);
    }
    await handleInvoke(req, res, match, body);
  }

  function removeCredential(accessKeyId: string): void {
    const index = credentials.findIndex((c) => c.accessKeyId === accessKeyId);
    if (index >= 0) credentials.splice(index, 1);
  }

  function reset(): void {
    requests.length = 0;
    attempts.clear();
    closedEarly = 0;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, "InternalServerException", `emulator bug: ${String(error)}`);
      else res.destroy();
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const host = options.host ?? "127.0.0.1";

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    requests,
    get closedEarly() {
      return closedEarly;
    },
    reset,
    addCredentials(credential) {
      removeCredential(credential.accessKeyId);
      credentials.push(credential);
    },
    removeCredentials: removeCredential,
    close: () =>
      new Promise<void>((resolve) => {
        for (const stream of streams) stream.cancel();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
