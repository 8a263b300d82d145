// What every client API's routes get from the app: the config, the client, the caller's key and
// models, the body's limits, and one way to build a call's parameters, so that a new protocol's
// routes (A2A, MCP) mount beside the others without the app growing.
import type { Context, MiddlewareHandler } from "hono";
import type { BedrockAgentClient } from "../client.ts";
import type { Env } from "../env.ts";
import type { AgentError } from "../errors.ts";
import type { ModelDeployment, ProxyConfig } from "./config.ts";
import type { RunOptions } from "./router/router.ts";

export interface RouteDeps {
  config: ProxyConfig;
  client: BedrockAgentClient;
  /** model_name → its deployment (the first of a name). */
  deployments: ReadonlyMap<string, ModelDeployment>;
  /** Checks the key (401 without a good one) and sets the caller (`c.get("caller")`, auth.ts). */
  authorize: MiddlewareHandler;
  /** Whether the caller may use this model_name. */
  allowed(c: Context, model: string): boolean;
  /** The deployment a body's `model` names, recorded for the log: 400 without one, 404 unknown, 403 not this key's. */
  deploymentFor(c: Context, model: unknown): ModelDeployment;
  /** The body limit (413). */
  limitBody: MiddlewareHandler;
  /** The body as a JSON object, its nesting bounded (400 otherwise). */
  readJson(c: Context): Promise<Record<string, unknown>>;
  /**
   * A call's parameters: the caller's `fields` (session fields and the surface's own, never AWS
   * settings) under the deployment's, with the Worker's env, the request's signal, the caller's
   * scope and the failure hook; the model's own include_reasoning: false wins, and include_traces
   * is refused (403) to a caller the model's allow_traces does not admit.
   */
  callParams(c: Context, deployment: ModelDeployment, fields: Record<string, unknown>): Record<string, unknown>;
  /**
   * Runs a call on the model's deployments (router/router.ts), after the caller's key limits:
   * `attempt` gets each try's parameters (callParams for the deployment tried) and resolves
   * once the answer has begun. `history`: the client sends its whole conversation each turn;
   * `ids`: ids that continue a session without being call parameters (an A2A task id).
   */
  run<T>(c: Context, deployment: ModelDeployment, fields: Record<string, unknown>, attempt: (params: Record<string, unknown>, deployment: ModelDeployment) => Promise<T>, options?: RunOptions): Promise<T>;
  /** Logs a failure (once), and gives what this caller may see of it (AWS's text for the master key only). */
  shown(c: Context, error: AgentError): AgentError;
  /** Silence after which a stream sends a keep-alive. */
  keepAliveMs: number;
}
