// A2A's routes: one agent per model_name at /a2a/{model_name}/, its card at .well-known, JSON-RPC
// on POST, in protocol 1.0 or 0.3 as asked. Tasks are not stored: contextId is the agent session
// (caller-scoped like every session id), and a task id is signed, carrying its session, so that
// tool results sent to it continue it.
import type { Context, Hono, MiddlewareHandler } from "hono";
import { AgentError, AuthenticationError, BadRequestError, InternalServerError, NotFoundError } from "../errors.ts";
import { parseModel } from "../model.ts";
import { SignedIds } from "../signed-ids.ts";
import { agentCard } from "../surfaces/a2a/card.ts";
import {
  type A2aVersion,
  EnvelopeError,
  RPC,
  type RpcId,
  RpcError,
  errorText,
  readEnvelope,
  reasonOf,
  resultText,
  rpcErrorOf,
  versionOfHeader,
  versionOfMethod,
} from "../surfaces/a2a/json-rpc.ts";
import { type SentMessage, agentRequest, readSendParams } from "../surfaces/a2a/request.ts";
import { wire } from "../surfaces/a2a/response.ts";
import { finishedTask, taskSse } from "../surfaces/a2a/stream.ts";
import { TaskRun } from "../surfaces/a2a/task-run.ts";
import type { CallParams } from "../types.ts";
import type { ModelDeployment } from "./config.ts";
import { answered, clip, deferRecord, failed, recordOf } from "./request-log.ts";
import type { RouteDeps } from "./route-deps.ts";
import { sseResponse } from "./sse.ts";

const SEND = new Set(["SendMessage", "message/send"]);
const STREAM = new Set(["SendStreamingMessage", "message/stream"]);
/** Methods on stored tasks: none are stored, so none is found. */
const TASK_METHODS = new Set(["GetTask", "tasks/get", "CancelTask", "tasks/cancel", "SubscribeToTask", "tasks/resubscribe"]);
const PUSH_METHODS = /^(Create|Get|List|Delete)TaskPushNotificationConfigs?$|^tasks\/pushNotificationConfig\//;

export function a2aRoutes(app: Hono, deps: RouteDeps): void {
  // A missing or wrong key is a 401 before any JSON-RPC, with the challenge the spec asks for.
  const authorize: MiddlewareHandler = async (c, next) => {
    try {
      return await deps.authorize(c, next);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      Object.assign(recordOf(c), failed(error));
      return new Response(JSON.stringify(error.toJSON()), { status: 401, headers: { "content-type": "application/json", "www-authenticate": "Bearer" } });
    }
  };

  /** The model the path names, if this key may use it; 404 otherwise, as /v1/models hides it. */
  const deploymentOf = (c: Context): ModelDeployment => {
    const name = c.req.param("model") ?? "";
    const deployment = deps.deployments.get(name);
    if (!deployment || !deps.allowed(c, name)) {
      throw new NotFoundError(`No agent \`${clip(name)}\` here: GET /v1/models lists the models this key may use`, { code: "model_not_found" });
    }
    recordOf(c).model = deployment.model_name;
    return deployment;
  };

  const card = (c: Context) => {
    const deployment = deploymentOf(c);
    const version = versionOfHeader(c.req.header("a2a-version") ?? c.req.query("A2A-Version")) === "0.3" ? "0.3" : "1.0";
    const subject = { modelName: deployment.model_name, kind: parseModel(deployment.params.model).kind, description: deployment.description, url: endpointUrl(c) };
    return new Response(JSON.stringify(agentCard(subject, version)), {
      headers: { "content-type": "application/json", vary: "A2A-Version", "cache-control": "private, max-age=300" },
    });
  };

  const rpc = async (c: Context) => {
    const deployment = deploymentOf(c);
    const header = c.req.header("a2a-version") ?? c.req.query("A2A-Version");
    const asked = versionOfHeader(header);
    const text = await c.req.text(); // the body limit throws here
    let id: RpcId = null;
    let version: A2aVersion = asked ?? "1.0";
    try {
      const contentType = c.req.header("content-type");
      if (contentType && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
        throw new RpcError(RPC.contentTypeNotSupported, `Content-Type ${clip(contentType)} is not served here: send application/json`);
      }
      const request = readEnvelope(text);
      id = request.id;
      version = versionOfMethod(request.method);
      if (asked === undefined) throw new RpcError(RPC.versionNotSupported, `A2A-Version ${clip(header ?? "")} is not served here: 1.0 and 0.3 are`);
      const { method, params } = request;
      if (SEND.has(method) || STREAM.has(method)) return await send(c, deployment, { id, version, stream: STREAM.has(method) }, readSendParams(params));
      if (TASK_METHODS.has(method)) {
        throw new RpcError(RPC.taskNotFound, "Tasks are not stored here: a task's answer comes in the reply to its message (or its stream), and a task waiting for tool results takes them in a message with its taskId");
      }
      if (method === "ListTasks") throw new RpcError(RPC.unsupportedOperation, "Tasks are not stored here, so there are none to list");
      if (PUSH_METHODS.test(method)) throw new RpcError(RPC.pushNotificationNotSupported, "Push notifications are not supported: read the answer from the reply or its stream");
      if (method === "GetExtendedAgentCard" || method === "agent/getAuthenticatedExtendedCard") {
        throw new RpcError(RPC.extendedCardNotConfigured, "There is no extended agent card: the public card says everything");
      }
      throw new RpcError(RPC.methodNotFound, `Unknown method ${clip(method)}`);
    } catch (error) {
      return rpcFailure(c, id, version, error);
    }
  };

  /** A JSON-RPC error reply (HTTP 200, as A2A servers answer them), the failure recorded and, when it is ours, logged. */
  const rpcFailure = (c: Context, id: RpcId, version: A2aVersion, error: unknown): Response => {
    const record = recordOf(c);
    let rpcError: RpcError;
    if (error instanceof RpcError) {
      rpcError = error;
      record.error = reasonOf(error.code).toLowerCase();
    } else {
      const failure = error instanceof AgentError ? error : new InternalServerError("Internal error", { cause: error });
      Object.assign(record, failed(failure));
      rpcError = rpcErrorOf(deps.shown(c, failure));
    }
    const requestId = error instanceof EnvelopeError ? error.id : id;
    return json(errorText(requestId, rpcError, version));
  };

  /** SendMessage and SendStreamingMessage: the agent called, its answer as the finished task or as the task's stream. */
  const send = async (c: Context, deployment: ModelDeployment, rpc: { id: RpcId; version: A2aVersion; stream: boolean }, sent: SentMessage) => {
    const record = recordOf(c);
    record.stream = rpc.stream;
    const fields: Record<string, unknown> = { ...sent.settings };
    if (sent.contextId !== undefined) fields.session_id = sent.contextId;
    let ids: SignedIds | undefined;
    const answer = await deps.run(c, deployment, fields, (params) => deps.client.parts(params as unknown as CallParams & { model: string }, async (call, context) => {
      ids = new SignedIds({ secret: context.idSecret, agent: call.model }, "A2A task id", "task-");
      const request = agentRequest(sent, call, rpc.stream);
      if (sent.taskId !== undefined) {
        // A task waiting for tool results goes on in the session its id carries.
        const session = await taskSession(ids, sent.taskId);
        if (call.scope) await call.scope.claim(session, "params.message.taskId", { issued: true });
        if (request.sessionId !== undefined && request.sessionId !== session) {
          throw new BadRequestError("params.message.contextId names another context than taskId", { param: "params.message.contextId", code: "context_mismatch" });
        }
        request.sessionId = session;
      }
      // The task id will need the secret: settled before the agent runs, so a failure here costs no agent call.
      await ids.ready();
      return request;
    }), { history: false, ids: { taskId: sent.taskId } });
    const contextId = answer.session.sessionId;
    const taskId = sent.taskId ?? (await ids!.sign([contextId, uniquePart()]));
    const run = new TaskRun(taskId, contextId, { includeReasoning: answer.request.options.includeReasoning, whole: !rpc.stream });
    const tally = () => ({ hidden: answer.hidden(), inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens });
    const shown = (error: AgentError) => deps.shown(c, error);
    if (!rpc.stream) {
      const task = await finishedTask(answer, run, shown);
      Object.assign(record, answered(tally()));
      return json(resultText(rpc.id, wire({ task }, rpc.version)));
    }
    const closeRecord = deferRecord(c);
    return sseResponse(taskSse(answer, run, rpc, shown), {
      headers: new Headers(),
      request: c.req.raw,
      keepAliveMs: deps.keepAliveMs,
      onEnd: ({ firstEventAt, error, cancelled }) => {
        Object.assign(record, answered(tally()));
        if (error) Object.assign(record, failed(error));
        else if (cancelled) record.error = "client_disconnected";
        closeRecord(firstEventAt);
      },
    });
  };

  for (const file of ["agent-card.json", "agent.json"]) app.get(`/a2a/:model/.well-known/${file}`, authorize, card);
  for (const path of ["/a2a/:model", "/a2a/:model/"]) app.post(path, authorize, deps.limitBody, rpc);
}

/** The session a task id carries; TaskNotFound for an id this endpoint did not issue for this agent. */
async function taskSession(ids: SignedIds, taskId: string): Promise<string> {
  try {
    return (await ids.open(taskId, 2, "params.message.taskId"))[0]!;
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    throw new RpcError(RPC.taskNotFound, "No such task: params.message.taskId is not a task this agent issued (forged, garbled or for another model)");
  }
}

/** This agent's JSON-RPC URL, absolute, from the URL the card was asked at (a proxy's forwarded host and scheme honoured). */
function endpointUrl(c: Context): string {
  const url = new URL(c.req.url);
  const proto = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim();
  const host = c.req.header("x-forwarded-host")?.split(",")[0]?.trim();
  if (proto === "http" || proto === "https") url.protocol = `${proto}:`;
  if (host) url.host = host;
  return `${url.origin}${url.pathname.replace(/\/\.well-known\/[^/]+$/, "")}`;
}

/** What tells apart the tasks of a context: 96 random bits. */
function uniquePart(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

function json(text: string): Response {
  return new Response(text, { headers: { "content-type": "application/json" } });
}
