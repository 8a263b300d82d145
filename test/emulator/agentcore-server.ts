// The emulator's AgentCore routes: InvokeHarness (event-stream frames, a stateful session) and
// InvokeAgentRuntime (SSE or JSON), both checking SigV4 for `bedrock-agentcore` as AWS does; a
// runtime also takes its JWT authorizer's bearer token instead.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  HARNESS_ARN,
  RUNTIME_ARN,
  RUNTIME_BEARER_TOKEN,
  type HarnessMessage,
  type HarnessSession,
  planHarness,
  planRuntime,
} from "./agentcore-scenarios.ts";
import type { StreamPlan } from "./scenarios.ts";
import type { RecordedRequest } from "./server.ts";
import type { AuthFailure } from "./sigv4.ts";

export interface AgentCoreContext {
  verify(req: IncomingMessage, rawPath: string, rawQuery: string, body: Buffer): Promise<AuthFailure | undefined>;
  record(record: RecordedRequest): void;
  sendError(res: ServerResponse, status: number, errorType: string, message: string): void;
  stream(res: ServerResponse, plan: StreamPlan, record: RecordedRequest): Promise<void>;
}

const HARNESS_ROUTE = /^(?:\/scenario\/([^/]+))?\/harnesses\/invoke$/;
const RUNTIME_ROUTE = /^(?:\/scenario\/([^/]+))?\/runtimes\/([^/]+)\/invocations$/;
const ARN = /^arn:aws:bedrock-agentcore:[a-z0-9-]+:\d{12}:(harness|runtime)\/[a-zA-Z][a-zA-Z0-9_-]*$/;
const SESSION_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]{32,99}$/;
const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
const KNOWN_ARNS = new Set([HARNESS_ARN, RUNTIME_ARN]);

/** Handles an AgentCore request; false when the path is none of its routes. */
export function agentCoreRoutes(ctx: AgentCoreContext) {
  const sessions = new Map<string, HarnessSession>();

  return async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean> => {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split("?", 2) as [string, string?];
    const harness = HARNESS_ROUTE.exec(rawPath);
    const runtime = harness ? null : RUNTIME_ROUTE.exec(rawPath);
    if (!harness && !runtime) return false;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headersDistinct)) if (name !== "authorization" && value) headers[name] = value.join(",");
    const text = body.toString("utf8");
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // recorded as text
    }
    const sessionId = headers[SESSION_HEADER];
    const record: RecordedRequest = { method: req.method ?? "", path: rawPath, query: rawQuery, headers, body: parsed, sessionId, status: 0, time: new Date().toISOString() };
    ctx.record(record);
    const fail = (status: number, errorType: string, message: string) => {
      record.status = status;
      record.errorType = errorType;
      ctx.sendError(res, status, errorType, message);
      return true;
    };

    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (runtime && bearer !== undefined) {
      if (bearer !== RUNTIME_BEARER_TOKEN) return fail(401, "UnauthorizedException", "The bearer token is not valid for this runtime.");
    } else {
      const auth = await ctx.verify(req, rawPath, rawQuery, body);
      if (auth) return fail(403, auth.errorType, auth.message);
      record.signingRegion = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
    }
    const scenarioLabel = (harness ?? runtime)![1];
    const [scenario = "demo", ...args] = scenarioLabel ? decodeURIComponent(scenarioLabel).split(":") : [];
    record.scenario = scenarioLabel ? decodeURIComponent(scenarioLabel) : "demo";
    if (!sessionId || !SESSION_ID.test(sessionId)) {
      return fail(400, "ValidationException", "1 validation error detected: runtimeSessionId must have 33 to 100 characters of [a-zA-Z0-9-_].");
    }

    if (harness) {
      const arn = new URLSearchParams(rawQuery).get("harnessArn") ?? "";
      if (!ARN.test(arn)) return fail(400, "ValidationException", "harnessArn is not a valid harness ARN.");
      if (!KNOWN_ARNS.has(arn)) return fail(404, "ResourceNotFoundException", `No harness ${arn}.`);
      const invalid = validateHarnessBody(parsed);
      if (invalid) return fail(400, "ValidationException", invalid);
      const session = sessions.get(sessionId) ?? { messages: [] };
      const plan = planHarness({ scenario, args, body: parsed as never, session });
      if ("status" in plan) return fail(plan.status, plan.errorType, plan.message);
      sessions.set(sessionId, session);
      session.messages.push(...plan.reply);
      record.status = 200;
      res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": randomUUID(), [SESSION_HEADER]: sessionId });
      res.flushHeaders();
      await ctx.stream(res, { steps: plan.steps }, record);
      return true;
    }

    const arn = decodeURIComponent(runtime![2]!);
    if (!ARN.test(arn)) return fail(400, "ValidationException", "agentRuntimeArn is not a valid runtime ARN.");
    if (!KNOWN_ARNS.has(arn)) return fail(404, "ResourceNotFoundException", `No runtime ${arn}.`);
    const plan = planRuntime({ scenario, args, payload: parsed, headers, sessionId });
    if ("status" in plan) return fail(plan.status, plan.errorType, plan.message);
    record.status = plan.httpStatus ?? 200;
    res.writeHead(record.status, { "content-type": plan.contentType, "x-amzn-requestid": randomUUID(), [SESSION_HEADER]: sessionId });
    res.flushHeaders();
    await ctx.stream(res, { steps: plan.steps }, record);
    return true;
  };
}

/** The body's shape as the service checks it: messages required, a user turn last, tools complete. */
function validateHarnessBody(body: unknown): string | undefined {
  const { messages, tools } = (body ?? {}) as { messages?: HarnessMessage[]; tools?: Array<{ type?: string; name?: string; config?: { inlineFunction?: { description?: string; inputSchema?: unknown } } }> };
  if (!Array.isArray(messages) || messages.length === 0) return "1 validation error detected: messages must not be empty.";
  for (const message of messages) {
    if (message.role !== "user" && message.role !== "assistant") return "A message's role must be user or assistant.";
    if (!Array.isArray(message.content) || message.content.length === 0) return "A message must have content.";
    for (const block of message.content) {
      const keys = Object.keys(block);
      if (keys.length !== 1 || !["text", "toolUse", "toolResult", "reasoningContent"].includes(keys[0]!)) return `A content block must be one of text, toolUse, toolResult, reasoningContent, got ${keys.join(",")}.`;
    }
  }
  if (messages.at(-1)!.role !== "user") return "The last message must have the role user.";
  for (const tool of tools ?? []) {
    if (tool.type === "inline_function" && (!tool.name || !tool.config?.inlineFunction?.description || tool.config.inlineFunction.inputSchema === undefined)) {
      return "An inline_function tool needs a name, a description and an inputSchema.";
    }
  }
  return undefined;
}
