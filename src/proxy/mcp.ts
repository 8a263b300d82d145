// MCP over Streamable HTTP, stateless: POST /mcp serves every model the key may use as one tool,
// /mcp/{model_name} just that one. Each POST is one JSON-RPC message; a tool call is answered as
// JSON, or, when the caller asked for progress, as SSE: progress while the agent streams, then
// the result. Nothing is kept between requests: sessions travel in the tool's session_id.
import type { Context, Hono, MiddlewareHandler } from "hono";
import { asAgentError } from "../batches.ts";
import type { PartsAnswer } from "../client.ts";
import { AgentError, AuthenticationError, NotFoundError } from "../errors.ts";
import { parseClientJson } from "../json-depth.ts";
import { parseModel } from "../model.ts";
import {
  INVALID_PARAMS,
  INVALID_REQUEST,
  METHOD_NOT_FOUND,
  PARSE_ERROR,
  type RequestId,
  RpcFailure,
  TRANSPORT_ERROR,
  readMessage,
  rpcError,
  rpcResult,
} from "../surfaces/mcp/jsonrpc.ts";
import { initializeResult, servesVersionHeader } from "../surfaces/mcp/lifecycle.ts";
import { readArguments, toolRequest } from "../surfaces/mcp/tool-arguments.ts";
import { ToolAnswer, failureResult } from "../surfaces/mcp/tool-result.ts";
import { toolCallSse } from "../surfaces/mcp/tool-sse.ts";
import { ToolNames, toolDefinition } from "../surfaces/mcp/tools.ts";
import type { CallParams } from "../types.ts";
import { answered, deferRecord, failed, recordOf } from "./request-log.ts";
import type { RouteDeps } from "./route-deps.ts";
import { sseResponse } from "./sse.ts";

export function mcpRoutes(app: Hono, deps: RouteDeps): void {
  const names = new ToolNames(deps.deployments.keys());
  // Made once: the tool list is the same for every caller, filtered by what each may use.
  const tools = new Map<string, Record<string, unknown>>();
  for (const [modelName, deployment] of deps.deployments) {
    const model = { modelName, description: deployment.description, kind: parseModel(deployment.params.model).kind };
    tools.set(modelName, toolDefinition(model, names.toolName(modelName)!));
  }

  // MCP clients expect a challenge on a 401 (and start OAuth only when they were given a provider).
  const authorize: MiddlewareHandler = async (c, next) => {
    try {
      await deps.authorize(c, async () => {});
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      Object.assign(recordOf(c), failed(error));
      const given = c.req.header("authorization") !== undefined || c.req.header("x-api-key") !== undefined;
      const challenge = given ? 'Bearer error="invalid_token"' : "Bearer";
      return refusal(401, error.message, { "www-authenticate": challenge });
    }
    return next();
  };

  /** The model /mcp/{model_name} serves (its model_name or its tool name); undefined on /mcp. */
  const scopedModel = (c: Context): string | undefined => {
    const given = c.req.param("model");
    if (given === undefined) return undefined;
    const modelName = deps.deployments.has(given) ? given : names.modelName(given);
    // A key sees only its models: the others do not exist for it, as on /v1/models.
    if (modelName === undefined || !deps.allowed(c, modelName)) {
      throw new NotFoundError(`The model \`${given.slice(0, 100)}\` does not exist: GET /v1/models lists the models served here`, { code: "model_not_found" });
    }
    recordOf(c).model = modelName;
    return modelName;
  };

  const serve = async (c: Context): Promise<Response> => {
    const scoped = scopedModel(c);
    const refused = checkHeaders(c, deps.config.corsAllowOrigins);
    if (refused) return refused;
    let message;
    try {
      const text = await c.req.text(); // the body limit throws here
      let body: unknown;
      try {
        body = parseClientJson(text, "The request body");
      } catch (error) {
        throw new RpcFailure(PARSE_ERROR, error instanceof AgentError ? error.message : "The body is not valid JSON"); // nested too deep, or not JSON
      }
      message = readMessage(body);
    } catch (error) {
      if (!(error instanceof RpcFailure)) throw error;
      recordOf(c).error = "invalid_json_rpc";
      return json(rpcError(null, { code: error.code, message: error.message }), 400);
    }
    const { id, method } = message;
    // A notification (initialized, cancelled: best effort, as the call runs elsewhere) or a response: accepted.
    if (method === undefined || id === undefined) return new Response(null, { status: 202 });
    if (id === null) return json(rpcError(null, { code: INVALID_REQUEST, message: "A request id is a string or a number, not null" }), 400);
    try {
      switch (method) {
        case "initialize":
          return json(rpcResult(id, initializeResult(message.params)));
        case "ping":
          return json(rpcResult(id, {}));
        case "tools/list": {
          const listed = scoped ? [scoped] : [...deps.deployments.keys()].filter((name) => deps.allowed(c, name));
          return json(rpcResult(id, { tools: listed.map((name) => tools.get(name)) }));
        }
        case "tools/call":
          return await callTool(c, id, message.params ?? {}, scoped);
        default:
          throw new RpcFailure(METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 60)} (this server has tools only)`);
      }
    } catch (error) {
      if (!(error instanceof RpcFailure)) throw error;
      return json(rpcError(id, { code: error.code, message: error.message, data: error.data }));
    }
  };

  const callTool = async (c: Context, id: RequestId, params: Record<string, unknown>, scoped: string | undefined): Promise<Response> => {
    const name = params.name;
    const modelName = typeof name === "string" ? names.modelName(name) : undefined;
    if (modelName === undefined || (scoped !== undefined && modelName !== scoped) || !deps.allowed(c, modelName)) {
      throw new RpcFailure(INVALID_PARAMS, `Unknown tool: ${JSON.stringify(name)?.slice(0, 100)}; tools/list names the tools here`);
    }
    const record = recordOf(c);
    record.model = modelName;
    const meta = params._meta as Record<string, unknown> | undefined;
    const token = meta?.progressToken;
    // Progress goes out over SSE: only to a caller that takes it.
    const progressToken = (typeof token === "string" || typeof token === "number") && acceptsSse(c) ? token : undefined;
    record.stream = progressToken !== undefined;
    let answer: PartsAnswer;
    try {
      const args = readArguments(params.arguments);
      const fields = args.sessionId ? { session_id: args.sessionId } : {};
      answer = await deps.run(c, deps.deployments.get(modelName)!, fields, (call) => deps.client.parts(call as unknown as CallParams & { model: string }, (prepared) => toolRequest(prepared, args, record.stream!)));
    } catch (error) {
      const failure = asAgentError(error);
      Object.assign(record, failed(failure));
      // Our refusal of an argument (it names it) is the caller's mistake; anything else the agent's failure.
      if (isArgumentError(failure)) throw new RpcFailure(INVALID_PARAMS, failure.message, { param: failure.param, code: failure.code });
      return json(rpcResult(id, failureResult(deps.shown(c, failure))));
    }
    const outcome = () => ({ hidden: answer.hidden(), inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens });
    if (progressToken === undefined) {
      const collected = new ToolAnswer(undefined);
      try {
        for (let batch = await answer.parts.next(); !batch.done; batch = await answer.parts.next()) collected.take(batch.value);
      } catch (error) {
        collected.error = shownFailure(c, error);
      }
      Object.assign(record, answered(outcome()));
      return json(rpcResult(id, collected.result({ hidden: answer.hidden(), usage: answer.usage })));
    }
    const closeRecord = deferRecord(c);
    const source = toolCallSse(answer, id, progressToken, (error) => shownFailure(c, error));
    return sseResponse(source, {
      headers: new Headers(),
      request: c.req.raw,
      keepAliveMs: deps.keepAliveMs,
      onEnd: ({ firstEventAt, cancelled }) => {
        Object.assign(record, answered(outcome()));
        const failure = source.failure();
        if (failure) Object.assign(record, failed(failure));
        else if (cancelled) record.error = "client_disconnected";
        closeRecord(firstEventAt);
      },
    });
  };

  const shownFailure = (c: Context, error: unknown): AgentError => {
    const failure = asAgentError(error);
    Object.assign(recordOf(c), failed(failure));
    return deps.shown(c, failure);
  };

  // No server-initiated stream and no session to end: both are 405, which the SDK's client expects.
  const notAllowed = () => refusal(405, "This MCP server is stateless: POST each JSON-RPC message", { allow: "POST" });
  for (const path of ["/mcp", "/mcp/:model{.+}"]) {
    app.post(path, authorize, deps.limitBody, serve);
    app.get(path, notAllowed);
    app.delete(path, notAllowed);
  }
}

/** An error we raised about one of the tool's arguments (it names it): AWS's refusals are the agent's failures. */
function isArgumentError(error: AgentError): boolean {
  return error.status < 500 && error.param !== null && error.awsCode === undefined && error.awsMessage === undefined;
}

function json(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "application/json" } });
}

/** A refusal before any JSON-RPC: an HTTP status, with a JSON-RPC error body as the SDK's own server sends. */
function refusal(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(rpcError(null, { code: TRANSPORT_ERROR, message }), { status, headers: { "content-type": "application/json", ...headers } });
}

function acceptsSse(c: Context): boolean {
  const accept = c.req.header("accept");
  return accept !== undefined && (accept.includes("text/event-stream") || accept.includes("*/*"));
}

/** The transport's rules: a JSON body, an answer the client can read, a version served, an Origin allowed. */
function checkHeaders(c: Context, allowedOrigins: readonly string[]): Response | undefined {
  const type = c.req.header("content-type");
  if (!type || !/^application\/json\s*(;|$)/i.test(type)) return refusal(415, "Content-Type must be application/json");
  const accept = c.req.header("accept");
  if (accept && !/application\/json|text\/event-stream|\*\/\*/i.test(accept)) return refusal(406, "Accept must include application/json and text/event-stream");
  if (!servesVersionHeader(c.req.header("mcp-protocol-version"))) {
    return refusal(400, `Unsupported MCP-Protocol-Version: ${c.req.header("mcp-protocol-version")!.slice(0, 40)}`);
  }
  // Browsers' requests carry their page's origin: a page elsewhere must not drive a local server.
  const origin = c.req.header("origin");
  if (origin && origin !== new URL(c.req.url).origin && !allowedOrigins.includes("*") && !allowedOrigins.includes(origin)) {
    return refusal(403, "Origin not allowed: list it in general_settings.cors_allow_origins");
  }
  return undefined;
}
