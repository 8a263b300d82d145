// LiteLLM's routing settings: `router_settings`, and the same keys in `litellm_settings` (where
// LiteLLM also reads num_retries, fallbacks, allowed_fails and cooldown_time). router_settings wins.
import { type Check, ConfigError, type Context, bool, fail, keyPath, mapping, num, optionalMapping, resolve, str } from "./config-values.ts";

export type RoutingStrategy = "simple-shuffle" | "least-busy" | "latency-based-routing";
const STRATEGIES: readonly RoutingStrategy[] = ["simple-shuffle", "least-busy", "latency-based-routing"];

export interface RouterSettings {
  strategy: RoutingStrategy;
  /** Further deployments a failed new call is tried on. */
  numRetries: number;
  /** Failures within a minute that put a deployment in cooldown. */
  allowedFails: number;
  cooldownSeconds: number;
  /** model_name → the model_names tried, in order, when every deployment of it failed or is cooling down. */
  fallbacks: Map<string, string[]>;
  /** Bounds each call, in seconds. */
  timeoutSeconds: number | undefined;
  /** Where limits are counted by several Node servers: `redis_host`/`redis_port`/`redis_password`, or `REDIS_URL`. */
  redis: { url: string } | { host: string; port: number; password: string | undefined } | undefined;
  /** Serve anyway when the store of limits cannot be reached (503 by default). */
  limitsFailOpen: boolean;
}

/** LiteLLM's defaults: 2 retries, 3 failures a minute, 5 seconds of cooldown. */
export const DEFAULT_ROUTER: Omit<RouterSettings, "fallbacks"> = {
  strategy: "simple-shuffle",
  numRetries: 2,
  allowedFails: 3,
  cooldownSeconds: 5,
  timeoutSeconds: undefined,
  redis: undefined,
  limitsFailOpen: false,
};

const count = num("a whole number >= 0", (n) => Number.isInteger(n) && n >= 0);
const seconds = num("a number of seconds > 0", (n) => n > 0);
const ROUTER_KEYS: Record<string, Check> = {
  routing_strategy: str,
  num_retries: count,
  allowed_fails: count,
  cooldown_time: seconds,
  timeout: seconds,
  fallbacks: (v) => v.value,
  redis_host: str,
  redis_port: num("a port number", (n) => Number.isInteger(n) && n > 0 && n < 65536),
  redis_password: str,
  redis_url: str,
  limits_fail_open: bool,
};
/** What litellm_settings may hold besides json_logs (read here too); the rest is LiteLLM's own. */
const LITELLM_KEYS = new Set(["num_retries", "allowed_fails", "cooldown_time", "fallbacks", "request_timeout", "json_logs"]);

export function parseRouter(top: Record<string, unknown>, modelNames: Set<string>, ctx: Context): RouterSettings {
  const router = optionalMapping(top.router_settings, "router_settings");
  const litellm = optionalMapping(top.litellm_settings, "litellm_settings");
  for (const key of Object.keys(router)) if (!Object.hasOwn(ROUTER_KEYS, key)) ctx.warn(`${keyPath("router_settings", key)}: not used by this endpoint, ignored`);
  for (const key of Object.keys(litellm)) if (!LITELLM_KEYS.has(key)) ctx.warn(`${keyPath("litellm_settings", key)}: not used by this endpoint, ignored`);
  const read = (section: Record<string, unknown>, name: string, key: string, check: Check): unknown => {
    const raw = section[key];
    if (raw === null || raw === undefined) return undefined;
    const v = resolve(raw, `${name}.${key}`, key, ctx);
    return v.value === undefined ? undefined : check(v);
  };
  // router_settings first, then litellm_settings (request_timeout is LiteLLM's name there for timeout).
  const setting = (key: string, litellmKey = key) =>
    read(router, "router_settings", key, ROUTER_KEYS[key]!) ?? (LITELLM_KEYS.has(litellmKey) ? read(litellm, "litellm_settings", litellmKey, ROUTER_KEYS[key]!) : undefined);

  const host = setting("redis_host") as string | undefined;
  const url = (setting("redis_url") as string | undefined) ?? ctx.lookup("REDIS_URL");
  let redis: RouterSettings["redis"];
  if (host !== undefined) redis = { host, port: (setting("redis_port") as number | undefined) ?? 6379, password: setting("redis_password") as string | undefined };
  else if (url) {
    if (!/^rediss?:\/\//.test(url)) throw new ConfigError("REDIS_URL (or router_settings.redis_url): expected redis://host:port or rediss://...");
    redis = { url };
  }
  let strategy = setting("routing_strategy") as string | undefined;
  if (strategy !== undefined && !(STRATEGIES as readonly string[]).includes(strategy)) {
    ctx.warn(`router_settings.routing_strategy: ${strategy} is not served here (${STRATEGIES.join(", ")} are), simple-shuffle is used`);
    strategy = undefined;
  }
  return {
    strategy: (strategy as RoutingStrategy | undefined) ?? DEFAULT_ROUTER.strategy,
    numRetries: (setting("num_retries") as number | undefined) ?? DEFAULT_ROUTER.numRetries,
    allowedFails: (setting("allowed_fails") as number | undefined) ?? DEFAULT_ROUTER.allowedFails,
    cooldownSeconds: (setting("cooldown_time") as number | undefined) ?? DEFAULT_ROUTER.cooldownSeconds,
    timeoutSeconds: setting("timeout", "request_timeout") as number | undefined,
    fallbacks: fallbacks(router.fallbacks ?? litellm.fallbacks, router.fallbacks !== undefined ? "router_settings" : "litellm_settings", modelNames),
    redis,
    limitsFailOpen: (setting("limits_fail_open") as boolean | undefined) ?? false,
  };
}

/** `[{"model-a": ["model-b", "model-c"]}, ...]`, every name a model_name of model_list. */
function fallbacks(raw: unknown, section: string, modelNames: Set<string>): Map<string, string[]> {
  const path = `${section}.fallbacks`;
  const found = new Map<string, string[]>();
  if (raw === null || raw === undefined) return found;
  const expected = 'a list of {model_name: [fallback model_name, ...]}, e.g. [{"agent-a": ["agent-b"]}]';
  if (!Array.isArray(raw)) fail({ value: raw, path, hidden: false }, expected);
  raw.forEach((entry, i) => {
    for (const [from, to] of Object.entries(mapping(entry, `${path}[${i}]`))) {
      const at = keyPath(`${path}[${i}]`, from);
      if (!modelNames.has(from)) throw new ConfigError(`${at}: "${from}" is not a model_name of model_list`);
      const list = Array.isArray(to) ? to : [to];
      found.set(
        from,
        list.map((name, j) => {
          if (typeof name !== "string" || !modelNames.has(name)) fail({ value: name, path: `${at}[${j}]`, hidden: false }, "a model_name of model_list");
          if (name === from) throw new ConfigError(`${at}[${j}]: a model cannot fall back to itself`);
          return name;
        }),
      );
    }
  });
  return found;
}
