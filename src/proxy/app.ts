import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { Hono } from "hono/tiny";
import { BedrockAgentClient } from "../client.ts";
import type { Env } from "../env.ts";
import {
  AgentError,
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
} from "../errors.ts";
import { COST_HEADER, REQUEST_ID_HEADER, SESSION_HEADER } from "./headers.ts";
import { bodyLimit, readJsonObject } from "./request-body.ts";
import { type Caller, bearerToken, identify, missingKeyMessage } from "./auth.ts";
import type { LogFormat, ModelDeployment, ProxyConfig } from "./config.ts";
import { FailureLog, seesAwsText } from "./error-disclosure.ts";
import { LIVENESS_PATHS, READINESS_PATH, liveness, readiness } from "./health.ts";
import { type RequestObserver, answered, clip, deferRecord, failed, recordOf, requestRecorder } from "./request-log.ts";
import { sseResponse } from "./sse.ts";
import { SESSION_FIELDS, type SurfaceRoute, chatRoute, messagesRoute, responsesRoute } from "./surfaces.ts";
import type { RouteDeps } from "./route-deps.ts";
import { mcpRoutes } from "./mcp.ts";
import { a2aRoutes } from "./a2a.ts";
import { type Assets, uiRoutes } from "./ui.ts";
import { checkTraceAccess } from "./trace-access.ts";
import { forOperator } from "./missing-credentials.ts";
import { localRoutes, modelObject } from "./local-routes.ts";
import { errorResponse } from "./error-response.ts";
import { type CounterStore, MemoryStore } from "./limits/counter-store.ts";
import { callerLimits } from "./limits/admit-caller.ts";
import { MODEL_ID_HEADER, Router } from "./router/router.ts";
import { routeHeaders } from "./route-headers.ts";

export { COST_HEADER, REQUEST_ID_HEADER, SESSION_HEADER } from "./headers.ts";

export interface AppOptions {
  config: ProxyConfig;
  /** Where `os.environ/`-less settings come from: a Worker's bindings (Node reads process.env). */
  env?: Env;
  client?: BedrockAgentClient;
  /** One line per server-side failure; never given credentials. */
  log?: (line: string) => void;
  /** Where the request log's lines go (`console.log` by default: Workers Logs collect it); false: nowhere. */
  requestLog?: ((line: string) => void) | false;
  /** The request log's format, over the config's `log_format`. */
  logFormat?: LogFormat;
  /** Told of every request, e.g. to count it (the Node server's metrics). */
  observers?: RequestObserver[];
  /** Serves `GET /metrics` (Prometheus' text format) with this; master key only unless `allow_open_metrics`. */
  metrics?: { contentType: string; render(): Promise<string> };
  /** The playground's files (ui/): bin/ui-files.ts under Node; else a Worker's `ASSETS` binding. */
  assets?: Assets;
  /** Where limits, budgets and cooldowns are counted: Redis for several Node servers, a Durable Object on Workers; memory by default. */
  store?: CounterStore;
}

/** The OpenAI-compatible endpoint as a Hono app: the same app serves Workers, Node, Bun and Deno. */
export function createApp(options: AppOptions): Hono {
  const { config } = options;
  const client = options.client ?? new BedrockAgentClient();
  const log = options.log ?? ((line: string) => console.error(line));
  const failures = new FailureLog(log);
  const store = options.store ?? new MemoryStore();
  const router = new Router(config, store, log);
  const admit = callerLimits(store, config.router.limitsFailOpen, log);
  const deployments = new Map<string, ModelDeployment>();
  for (const deployment of config.models) if (!deployments.has(deployment.model_name)) deployments.set(deployment.model_name, deployment);

  const format = options.logFormat ?? config.logFormat;
  const requestLog = options.requestLog === false ? undefined : (options.requestLog ?? ((line: string) => console.log(line)));
  const observers = options.observers ?? [];

  const app = new Hono();

  // First of all, so that every request gets its record and its line.
  app.use("*", requestRecorder({ write: requestLog, format, observers }));
  app.use("*", routeHeaders);

  if (config.corsAllowOrigins.length > 0) {
    app.use(
      "*",
      cors({
        origin: config.corsAllowOrigins.includes("*") ? "*" : config.corsAllowOrigins,
        // Browser clients of every protocol served: OpenAI's and Anthropic's SDKs, MCP's, A2A's.
        allowHeaders: ["authorization", "content-type", "x-api-key", "anthropic-version", "anthropic-beta", "mcp-protocol-version", "mcp-session-id", "a2a-version", "a2a-extensions", SESSION_HEADER],
        exposeHeaders: [SESSION_HEADER, COST_HEADER, REQUEST_ID_HEADER, MODEL_ID_HEADER, ...RATE_LIMIT_HEADERS],
        maxAge: 600,
      }),
    );
  }

  app.get("/health", (c) => c.json({ status: "ok" }));
  for (const path of LIVENESS_PATHS) app.get(path, () => liveness());
  app.get(READINESS_PATH, () => readiness(true));

  const authorize: MiddlewareHandler = async (c, next) => {
    if (config.masterKey === undefined && config.apiKeys.length === 0) {
      if (config.allowOpenAccess) return next();
      throw new ConfigurationError(
        "This endpoint has no master key, so it refuses to serve: set LITELLM_MASTER_KEY in the environment, " +
          "or general_settings.master_key in the config (a value, or os.environ/NAME), " +
          "or general_settings.allow_open_access: true to serve without one",
        { code: "master_key_not_set" },
      );
    }
    // Anthropic's SDKs send the key as x-api-key; everyone else as a bearer token.
    const token = bearerToken(c.req.header("authorization")) ?? (c.req.header("x-api-key") || undefined);
    const caller = token === undefined ? undefined : await identify(token, config.masterKey, config.apiKeys);
    if (!caller) {
      throw new AuthenticationError(
        token === undefined ? missingKeyMessage(c.req.header("authorization")) : "Invalid API key",
        { code: "invalid_api_key" },
      );
    }
    c.set("caller", caller);
    recordOf(c).caller = caller.name;
    return next();
  };

  const allowed = (c: Context, name: string) => {
    const caller = c.get("caller") as Caller | undefined;
    return !caller?.models || caller.models.has(name);
  };

  const limitBody = bodyLimit(config.maxRequestBytes);

  const listModels = (c: Context) =>
    c.json({
      object: "list",
      data: [...deployments.keys()]
        .filter((id) => allowed(c, id))
        .map(modelObject),
    });

  const deploymentFor: RouteDeps["deploymentFor"] = (c, model) => {
    const deployment = findDeployment(deployments, model);
    recordOf(c).model = deployment.model_name;
    if (!allowed(c, deployment.model_name)) {
      throw new PermissionDeniedError(`This API key may not use the model \`${deployment.model_name}\``, {
        param: "model",
        code: "model_not_allowed",
      });
    }
    return deployment;
  };

  const callParams: RouteDeps["callParams"] = (c, deployment, fields) => {
    const caller = c.get("caller") as Caller | undefined;
    // Raw traces for whom the model's allow_traces admits (the master key by default), refused before AWS.
    checkTraceAccess(deployment, caller, fields.include_traces);
    const record = recordOf(c);
    const trusted = seesAwsText(c);
    c.set("deployment", deployment); // for forOperator, wherever the call's failure surfaces
    const params: Record<string, unknown> = { ...fields, ...deployment.params, env: options.env, signal: c.req.raw.signal, scope: caller?.scope };
    // An answer's failures are recorded, logged, and reported as this caller may see them
    // (error-disclosure.ts); Responses and Messages streams report theirs as events, never thrown.
    params.on_error = (reported: AgentError) => {
      const error = forOperator(reported, deployment);
      Object.assign(record, failed(error));
      return failures.shown(error, trusted);
    };
    // Reasoning can be turned off per model and per request: either one wins (the library checks the caller's value).
    params.include_reasoning = deployment.params.include_reasoning === false ? false : fields.include_reasoning;
    return params;
  };

  const run: RouteDeps["run"] = async (c, deployment, fields, attempt, options = { history: false }) => {
    await admit(c);
    return router.run(c, deployment.model_name, fields, (d, f) => callParams(c, d, f), attempt, options, (name) => allowed(c, name));
  };

  /** Everything a client API's routes need, for those mounted from their own files. */
  const deps: RouteDeps = {
    config,
    client,
    deployments,
    authorize,
    allowed,
    deploymentFor,
    limitBody,
    readJson: readJsonObject,
    callParams,
    run,
    shown: (c, error) => failures.shown(forOperator(error, c.get("deployment") as ModelDeployment | undefined), seesAwsText(c)),
    keepAliveMs: config.streamKeepAliveSeconds * 1000,
  };

  /** A surface's route: the caller's fields over nothing AWS-related, the call, JSON or SSE back. */
  const answer = (route: SurfaceRoute) => async (c: Context) => {
    const body = await readJsonObject(c);
    const record = recordOf(c);
    record.stream = body.stream === true;
    const deployment = deploymentFor(c, body.model);
    route.check?.(body);
    const fields = pick(body, route.fields);
    fields.session_id ??= c.req.header(SESSION_HEADER);
    const trusted = seesAwsText(c);

    // Chat, Responses and Messages clients send their history: a session may start again on another deployment.
    const served = await run(c, deployment, fields, (params, d) => route.call(client, params, d.model_name), { history: true });
    const headers = new Headers();
    if (served.kind === "json") {
      const { hidden } = served.outcome;
      headers.set(SESSION_HEADER, hidden.session_id);
      if (hidden.aws_request_id) headers.set(REQUEST_ID_HEADER, hidden.aws_request_id);
      if (hidden.response_cost !== null) headers.set(COST_HEADER, String(hidden.response_cost));
      Object.assign(record, answered(served.outcome));
      headers.set("content-type", "application/json");
      return new Response(JSON.stringify(served.body), { headers });
    }
    headers.set(SESSION_HEADER, served.sessionId);
    if (served.requestId) headers.set(REQUEST_ID_HEADER, served.requestId);
    const closeRecord = deferRecord(c);
    return sseResponse(failures.source(served.source, trusted), {
      headers,
      request: c.req.raw,
      keepAliveMs: config.streamKeepAliveSeconds * 1000,
      onError: (error) => failures.log(error),
      onEnd: ({ firstEventAt, error, cancelled }) => {
        Object.assign(record, answered(served.outcome()));
        if (error) Object.assign(record, failed(error));
        else if (cancelled) record.error = "client_disconnected";
        closeRecord(firstEventAt);
      },
    });
  };

  const metrics = options.metrics;
  const readMetrics = async (c: Context) => {
    const caller = c.get("caller") as Caller | undefined;
    if (caller && !caller.admin) {
      throw new PermissionDeniedError("Only the master key may read /metrics", { code: "metrics_not_allowed" });
    }
    return new Response(await metrics!.render(), { headers: { "content-type": metrics!.contentType } });
  };
  if (metrics && config.allowOpenMetrics) app.get("/metrics", readMetrics);
  else if (metrics) app.get("/metrics", authorize, readMetrics);

  for (const prefix of ["/v1", ""]) {
    app.get(`${prefix}/models`, authorize, listModels);
    app.post(`${prefix}/chat/completions`, authorize, limitBody, answer(chatRoute));
    app.post(`${prefix}/responses`, authorize, limitBody, answer(responsesRoute));
    app.post(`${prefix}/messages`, authorize, limitBody, answer(messagesRoute));
    // Nothing is stored: a response id carries its session, and is good only for continuing it.
    app.get(`${prefix}/responses/:id`, authorize, () => {
      throw new NotFoundError("Responses are not stored: pass a response id as previous_response_id to continue its session", {
        code: "response_not_stored",
      });
    });
  }

  // Protocols with routes of their own mount here with `deps` (route-deps.ts).
  mcpRoutes(app, deps);
  a2aRoutes(app, deps);
  localRoutes(app, deps);
  uiRoutes(app, config, options.assets ?? (options.env?.ASSETS as Assets | undefined));

  app.notFound((c) => {
    const failure = new NotFoundError(`Unknown route: ${c.req.method} ${clip(c.req.path)}`, { code: "unknown_route" });
    Object.assign(recordOf(c), failed(failure));
    return errorResponse(failure, c.req.path);
  });
  app.onError((error, c) => {
    const failure = error instanceof AgentError ? forOperator(error, (c as Context).get("deployment") as ModelDeployment | undefined) : new InternalServerError("Internal error", { cause: error });
    Object.assign(recordOf(c), failed(failure));
    return errorResponse(failures.shown(failure, seesAwsText(c), error), c.req.path);
  });
  return app;
}

const RATE_LIMIT_HEADERS = ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "retry-after"];

function findDeployment(deployments: Map<string, ModelDeployment>, model: unknown): ModelDeployment {
  if (typeof model !== "string" || model === "") {
    throw new BadRequestError('"model" is required: one of the names GET /v1/models lists', { param: "model", code: "missing_model" });
  }
  const deployment = deployments.get(model);
  if (!deployment) {
    throw new NotFoundError(`The model \`${model.slice(0, 100)}\` does not exist: GET /v1/models lists the models served here`, {
      param: "model",
      code: "model_not_found",
    });
  }
  return deployment;
}

/** The session fields and the surface's own, as the caller sent them. */
function pick(body: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of [...SESSION_FIELDS, ...fields]) if (body[field] !== undefined) picked[field] = body[field];
  return picked;
}
