// The deployments of each model_name (entries that share it): a new session goes where the
// strategy says, a continued one stays where it began (sticky.ts); a failed call is retried on
// another deployment (num_retries), failing deployments cool down (cooldowns.ts), and a model
// whose every deployment failed falls back to the next (fallbacks). All of it before the first
// byte reaches the client: `attempt` resolves when the answer (or its stream) has begun.
import type { Context } from "hono";
import { CallerScope } from "../../caller-scope.ts";
import { RateLimitError, ServiceUnavailableError } from "../../errors.ts";
import type { ModelDeployment, ProxyConfig } from "../config.ts";
import type { CounterStore } from "../limits/counter-store.ts";
import { limitsUnavailable } from "../limits/limit-errors.ts";
import { recordOf, whenClosed } from "../request-log.ts";
import { addRouteHeaders } from "../route-headers.ts";
import { Cooldowns, deploymentFailure } from "./cooldowns.ts";
import { markOf, stickyOf } from "./sticky.ts";
import { DeploymentStats, pick } from "./strategy.ts";

/** The header LiteLLM names the answering deployment in. */
export const MODEL_ID_HEADER = "x-litellm-model-id";
const MINUTE = 60_000;

/** Builds a call's parameters for a deployment (the app's callParams). */
export type BuildParams = (deployment: ModelDeployment, fields: Record<string, unknown>) => Record<string, unknown>;
/** Calls the agent; resolves once the answer has begun (before any byte is sent). */
export type Attempt<T> = (params: Record<string, unknown>, deployment: ModelDeployment) => Promise<T>;

export interface RunOptions {
  /** The client sends its history with each turn (chat, Messages, Responses), so a session may start again elsewhere. */
  history: boolean;
  /** Ids the request continues a session with that are not call parameters (an A2A task id). */
  ids?: Record<string, unknown>;
}

export class Router {
  private readonly groups = new Map<string, ModelDeployment[]>();
  readonly stats = new DeploymentStats();
  private readonly cooldowns: Cooldowns;

  constructor(
    private readonly config: ProxyConfig,
    private readonly store: CounterStore,
    private readonly log: (line: string) => void,
  ) {
    for (const d of config.models) {
      const group = this.groups.get(d.model_name);
      if (group) group.push(d);
      else this.groups.set(d.model_name, [d]);
    }
    this.cooldowns = new Cooldowns(store, config.router, log);
  }

  async run<T>(c: Context, name: string, fields: Record<string, unknown>, build: BuildParams, attempt: Attempt<T>, options: RunOptions, allowed: (name: string) => boolean): Promise<T> {
    const record = recordOf(c);
    const group = this.groups.get(name)!;
    const fallbacks = (this.config.router.fallbacks.get(name) ?? []).filter(allowed);
    const counted = group.length > 1 || fallbacks.length > 0;
    // Where a continued session lives matters when there is somewhere else to go.
    const sticky = counted ? stickyOf(options.ids ? { ...fields, ...options.ids } : fields, group) : undefined;
    const tried = new Set<string>();
    let failure: unknown;
    if (sticky) {
      const movable = sticky.movable && options.history;
      const cooling = movable && (await this.cooldowns.cooling([sticky.deployment])).size > 0;
      if (!cooling && !(await this.hasRoom(c, sticky.deployment))) failure = full(sticky.deployment);
      else if (!cooling) {
        try {
          return await this.call(c, sticky.deployment, fields, build, attempt, { routed: true, counted, alone: true });
        } catch (error) {
          if (!deploymentFailure(error)) throw error;
          failure = error;
        }
      }
      if (!movable) throw failure instanceof DeploymentFullError ? failure : stuck(sticky.deployment, failure);
      // The client sent its whole history: a new session elsewhere takes it.
      record.moved_from = sticky.deployment.id;
      fields = withoutSession(fields);
      tried.add(sticky.deployment.id);
    }
    try {
      return await this.spread(c, group, fields, build, attempt, tried, fallbacks.length === 0, counted);
    } catch (error) {
      if (!deploymentFailure(error)) throw error;
      failure = error;
    }
    for (const other of fallbacks) {
      record.fallback = other;
      try {
        return await this.spread(c, this.groups.get(other)!, withoutSession(fields), build, attempt, new Set(), true, true);
      } catch (error) {
        if (!deploymentFailure(error)) throw error;
        failure = error;
      }
    }
    throw failure;
  }

  /** A new session on one of `group`'s deployments, another tried after each failure while retries last. */
  private async spread<T>(c: Context, group: ModelDeployment[], fields: Record<string, unknown>, build: BuildParams, attempt: Attempt<T>, tried: Set<string>, lastResort: boolean, counted: boolean): Promise<T> {
    const record = recordOf(c);
    const cooling = counted ? await this.cooldowns.cooling(group) : new Set<string>();
    let retries = this.config.router.numRetries;
    let failure: unknown;
    for (;;) {
      const left = group.filter((d) => !tried.has(d.id));
      const healthy = left.filter((d) => !cooling.has(d.id));
      // Cooling deployments are skipped while others are healthy; with no fallback left, tried all the same.
      const pool = healthy.length > 0 ? healthy : lastResort ? left : [];
      if (pool.length === 0) break;
      const deployment = pick(pool, this.config.router.strategy, this.stats);
      tried.add(deployment.id);
      if (!(await this.hasRoom(c, deployment))) continue;
      // Nowhere else to go (no other deployment, no fallback): the deployment's own AWS retries stay on.
      const alone = lastResort && left.length === 1;
      try {
        return await this.call(c, deployment, fields, build, attempt, { routed: group.length > 1, counted, alone });
      } catch (error) {
        if (!deploymentFailure(error)) throw error;
        failure = error;
        if (retries-- <= 0 || left.length === 1) break;
        record.retries = (record.retries ?? 0) + 1;
        record.retried_from = record.retried_from ? `${record.retried_from},${deployment.id}` : deployment.id;
      }
    }
    throw failure ?? new RateLimitError(`Every deployment of \`${group[0]!.model_name}\` is at its rpm or tpm, or cooling down; try again shortly`, { code: "deployments_busy", retryAfter: 1 });
  }

  private async call<T>(c: Context, deployment: ModelDeployment, fields: Record<string, unknown>, build: BuildParams, attempt: Attempt<T>, how: { routed: boolean; counted: boolean; alone: boolean }): Promise<T> {
    const record = recordOf(c);
    record.deployment = deployment.id;
    const params = build(deployment, fields);
    if (how.routed) params.scope = ((params.scope as CallerScope | undefined) ?? new CallerScope(undefined, [])).withPrefix(markOf(deployment));
    // With another deployment to try, the router is the retry loop (as LiteLLM's): a throttled region is left at once.
    if (!how.alone && deployment.params.num_retries === undefined) params.num_retries = 0;
    if (params.timeout === undefined && this.config.router.timeoutSeconds !== undefined) params.timeout = this.config.router.timeoutSeconds;
    const done = this.stats.started(deployment.id);
    const started = performance.now();
    try {
      const result = await attempt(params, deployment);
      this.stats.took(deployment.id, performance.now() - started);
      whenClosed(c, done);
      addRouteHeaders(c, { [MODEL_ID_HEADER]: deployment.id });
      return result;
    } catch (error) {
      done();
      if (how.counted && deploymentFailure(error) && (await this.cooldowns.failed(deployment))) {
        record.cooldowns = record.cooldowns ? `${record.cooldowns},${deployment.id}` : deployment.id;
      }
      throw error;
    }
  }

  /** A deployment's own rpm and tpm (litellm_params), counted in the store; the tokens added when the answer ends. */
  private async hasRoom(c: Context, deployment: ModelDeployment): Promise<boolean> {
    if (deployment.rpm === undefined && deployment.tpm === undefined) return true;
    const now = Date.now();
    const minute = Math.floor(now / MINUTE);
    const owner = `deployment:${deployment.id}`;
    const ttlMs = (minute + 1) * MINUTE - now + 1000;
    const gates = [];
    if (deployment.rpm !== undefined) gates.push({ key: `${owner}|rpm|${minute}`, limit: deployment.rpm, add: 1, ttlMs });
    if (deployment.tpm !== undefined) gates.push({ key: `${owner}|tpm|${minute}`, limit: deployment.tpm, add: 0, ttlMs });
    try {
      if ((await this.store.admit(gates)).refused >= 0) return false;
    } catch (error) {
      this.log(`limits: the store could not be reached for deployment ${deployment.id}: ${(error as Error).message}`);
      if (!this.config.router.limitsFailOpen) throw limitsUnavailable();
      return true;
    }
    if (deployment.tpm !== undefined) {
      whenClosed(c, (record) => {
        const tokens = (record.input_tokens ?? 0) + (record.output_tokens ?? 0);
        if (record.deployment === deployment.id && tokens > 0) {
          const at = Date.now();
          const m = Math.floor(at / MINUTE);
          this.store.add([{ key: `${owner}|tpm|${m}`, add: tokens, ttlMs: (m + 1) * MINUTE - at + 1000 }]).catch((error) => this.log(`limits: tokens of deployment ${deployment.id} not counted: ${(error as Error).message}`));
        }
      });
    }
    return true;
  }
}

/** A deployment at its own rpm or tpm (litellm_params) this minute. */
class DeploymentFullError extends RateLimitError {}

function full(deployment: ModelDeployment): DeploymentFullError {
  const retryAfter = Math.ceil((MINUTE - (Date.now() % MINUTE)) / 1000);
  return new DeploymentFullError(`Deployment ${deployment.id} of \`${deployment.model_name}\`, where this session lives, is at its rpm or tpm this minute; retry after ${retryAfter} s`, {
    code: "deployment_full",
    retryAfter,
  });
}

/** A continued session whose deployment failed, and whose client sent only an id: nothing else can answer it. */
function stuck(deployment: ModelDeployment, failure: unknown): ServiceUnavailableError {
  const why = failure === undefined ? "is cooling down" : `failed (${(failure as Error & { code?: string }).code ?? "error"})`;
  return new ServiceUnavailableError(
    `This session lives on deployment ${deployment.id} of \`${deployment.model_name}\`, which ${why}; only it can continue the session. Try again shortly, or start a new session (send the whole conversation without its ids)`,
    { code: "session_deployment_unavailable", retryAfter: 1 },
  );
}

const SESSION_KEYS = ["session_id", "sessionID", "sessionId", "runtimeSessionId", "previous_response_id"];

function withoutSession(fields: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...fields };
  for (const key of SESSION_KEYS) delete rest[key];
  return rest;
}
