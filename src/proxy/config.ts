// The endpoint's configuration in LiteLLM's `config.yaml` format, validated from an already
// parsed object (YAML under Node, JSON in a Worker). Web-standard and dependency-free: this
// file goes into the Worker bundle; a model_list entry is read in config-models.ts, single values
// are checked in config-values.ts.

import { type ModelDeployment, parseDeployment } from "./config-models.ts";
import { type ApiKey, apiKeys } from "./config-keys.ts";
import { type RouterSettings, parseRouter } from "./config-router.ts";
import {
  type Check,
  ConfigError,
  type Context,
  type Value,
  bool,
  fail,
  keyPath,
  kind,
  label,
  mapping,
  num,
  oneOf,
  optionalMapping,
  resolve,
  secret,
  str,
} from "./config-values.ts";

export { ConfigError } from "./config-values.ts";
export type { DeploymentParams, ModelDeployment } from "./config-models.ts";
export type { ApiKey, KeyLimits } from "./config-keys.ts";
export type { RouterSettings, RoutingStrategy } from "./config-router.ts";

export interface ProxyConfig {
  /** Every deployment, in file order; entries that share a model_name are deployments of one model. */
  models: ModelDeployment[];
  /** `router_settings` (and LiteLLM's routing keys in `litellm_settings`). */
  router: RouterSettings;
  /** `general_settings.master_key`, else `LITELLM_MASTER_KEY` from the environment (as LiteLLM reads it). */
  masterKey: string | undefined;
  /** `general_settings.allow_open_access: true`: the explicit opt-in to serve without a key. */
  allowOpenAccess: boolean;
  /** `general_settings.cors_allow_origins`; empty: CORS off. */
  corsAllowOrigins: string[];
  /** From `general_settings.max_request_size_mb`. */
  maxRequestBytes: number;
  /** `general_settings.stream_keepalive_seconds` */
  streamKeepAliveSeconds: number;
  /** `general_settings.api_keys`: keys for other callers, stored as SHA-256 hashes. */
  apiKeys: ApiKey[];
  /** `general_settings.log_format` (else LiteLLM's `litellm_settings.json_logs`): one line per request. */
  logFormat: LogFormat;
  /** `general_settings.allow_open_metrics: true`: `GET /metrics` without the master key. */
  allowOpenMetrics: boolean;
  /** `general_settings.ui: false` turns the playground page (`GET /`) off. */
  ui: boolean;
}

/** How request lines are written: `key=value` text, JSON lines, or not at all. */
export type LogFormat = "text" | "json" | "off";
const LOG_FORMATS: readonly LogFormat[] = ["text", "json", "off"];

export interface ConfigOptions {
  /** Resolves `os.environ/NAME`: `process.env` under Node, bindings and secrets in a Worker. */
  lookup: (name: string) => string | undefined;
  /** Where warnings go; `console.warn` by default. */
  warn?: (message: string) => void;
}

/** Where LiteLLM reads the master key from when the config sets none. */
export const MASTER_KEY_VARIABLE = "LITELLM_MASTER_KEY";
export const DEFAULT_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const DEFAULT_STREAM_KEEPALIVE_SECONDS = 15;

const SECTIONS = new Set(["model_list", "general_settings", "litellm_settings", "router_settings"]);
/** Validates a parsed config (from YAML or JSON) and resolves its `os.environ/` references. */
export function parseConfig(raw: unknown, options: ConfigOptions): ProxyConfig {
  const ctx: Context = { lookup: options.lookup, warn: options.warn ?? ((m) => console.warn(m)), unset: new Map() };
  if (raw === null || raw === undefined) throw new ConfigError("model_list: required, the config is empty");
  const top = mapping(raw, "config");
  const litellmSettings = optionalMapping(top.litellm_settings, "litellm_settings");
  for (const key of Object.keys(top)) {
    if (key === "environment_variables") ctx.warn(`${key}: ignored, this endpoint does not use LiteLLM's ${key}`);
    else if (!SECTIONS.has(key)) ctx.warn(`${keyPath("", key)}: unknown key, ignored`);
  }

  const list = top.model_list;
  if (!Array.isArray(list) || list.length === 0) {
    const got = Array.isArray(list) ? "an empty list" : kind(list);
    throw new ConfigError(`model_list: expected a non-empty list of models, got ${got}`);
  }
  // Entries that share a model_name are deployments of one model (router/).
  const models: ModelDeployment[] = [];
  const ids = new Map<string, number>();
  list.forEach((entry, i) => {
    const deployment = parseDeployment(entry, `model_list[${i}]`, ctx);
    const first = ids.get(deployment.id);
    if (first === undefined) {
      ids.set(deployment.id, i);
      models.push(deployment);
    } else if (isObject(entry) && isObject(entry.model_info) && entry.model_info.id !== undefined) {
      throw new ConfigError(`model_list[${i}].model_info.id: "${deployment.id}" is also model_list[${first}]'s: each deployment needs its own`);
    } else {
      ctx.warn(`model_list[${i}]: the same agent, region and api_base as model_list[${first}] under the same model_name, ignored (give each a model_info.id to count both)`);
    }
  });
  const modelNames = new Set(models.map((m) => m.model_name));
  const router = parseRouter(top, modelNames, ctx);

  const general = optionalMapping(top.general_settings, "general_settings");
  for (const key of Object.keys(general)) {
    if (!GENERAL.has(key)) ctx.warn(`${keyPath("general_settings", key)}: unknown key, ignored`);
  }
  const setting = (key: string, check: Check) => {
    const raw = general[key];
    if (raw === null || raw === undefined) return undefined;
    const v = resolve(raw, `general_settings.${key}`, key, ctx);
    return v.value === undefined ? undefined : check(v);
  };
  const maxMb = setting("max_request_size_mb", num("a number of megabytes > 0", (n) => n > 0)) as number | undefined;
  const idSecret = setting("id_secret", secret) as string | undefined;
  for (const deployment of models) signIds(deployment, idSecret, ctx);
  const config: ProxyConfig = {
    models,
    masterKey: masterKey(general.master_key, ctx),
    allowOpenAccess: (setting("allow_open_access", bool) as boolean | undefined) ?? false,
    corsAllowOrigins: origins(general.cors_allow_origins),
    apiKeys: apiKeys(general.api_keys, modelNames),
    router,
    maxRequestBytes: maxMb === undefined ? DEFAULT_MAX_REQUEST_BYTES : Math.ceil(maxMb * 1024 * 1024),
    logFormat:
      (setting("log_format", oneOf(LOG_FORMATS)) as LogFormat | undefined) ??
      (litellmSettings.json_logs === true ? "json" : "text"),
    allowOpenMetrics: (setting("allow_open_metrics", bool) as boolean | undefined) ?? false,
    ui: (setting("ui", bool) as boolean | undefined) ?? true,
    streamKeepAliveSeconds:
      (setting("stream_keepalive_seconds", num("a number of seconds > 0", (n) => n > 0)) as number | undefined) ??
      DEFAULT_STREAM_KEEPALIVE_SECONDS,
  };

  if (config.apiKeys.length > 0) {
    for (const { model_name, params } of models) {
      if (params.actor_id !== undefined && params.actor_id_shared) {
        ctx.warn(`${model_name}: actor_id_shared is true, so every API key reads and writes the memory of actor "${params.actor_id}"`);
      }
    }
  }
  for (const [name, paths] of ctx.unset) {
    ctx.warn(`os.environ/${name} is not set, so ${paths.join(", ")} ${paths.length > 1 ? "are" : "is"} left unset`);
  }
  return config;
}

/** The Worker's `CONFIG` variable: a JSON string holding the same structure as config.yaml. */
export function parseConfigJson(text: string, options: ConfigOptions): ProxyConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // V8 quotes the start of the text (`..., "{"master_key": ..." is not valid JSON`): cut it.
    const reason = String((error as Error).message).replace(/, ".*$/s, "");
    throw new ConfigError(`CONFIG is not valid JSON: ${reason}`);
  }
  return parseConfig(raw, options);
}

const GENERAL = new Set([
  "master_key",
  "allow_open_access",
  "cors_allow_origins",
  "max_request_size_mb",
  "stream_keepalive_seconds",
  "api_keys",
  "log_format",
  "allow_open_metrics",
  "ui",
  "id_secret",
]);

/**
 * `general_settings.id_secret` for every model without one of its own; a warning for a model
 * whose ids would otherwise be signed with nothing secret (web identity) or with nothing at all
 * (a runtime with a bearer api_key: its Responses calls are refused until there is one).
 */
function signIds(deployment: ModelDeployment, idSecret: string | undefined, ctx: Context): void {
  const { params } = deployment;
  if (idSecret !== undefined) params.id_secret ??= idSecret;
  if (params.id_secret !== undefined) return;
  // Keys in the model's params or the environment's come first; web identity only without them.
  const keys = params.aws_access_key_id !== undefined || params.aws_profile_name !== undefined || ctx.lookup("AWS_ACCESS_KEY_ID") !== undefined;
  const webIdentity = params.aws_web_identity_token !== undefined || (!keys && ctx.lookup("AWS_WEB_IDENTITY_TOKEN_FILE") !== undefined);
  if (webIdentity) {
    ctx.warn(`${deployment.model_name}: assumes its role with web identity, so its tool call and response ids are signed with nothing secret; set general_settings.id_secret`);
  } else if (params.api_key !== undefined && !keys) {
    ctx.warn(`${deployment.model_name}: called with a bearer api_key, so its response ids need general_settings.id_secret (or AWS credentials) to be signed`);
  }
}
function masterKey(raw: unknown, ctx: Context): string | undefined {
  let v: Value;
  if (raw === null || raw === undefined) {
    // No key in the config: LiteLLM's variable, when it is set.
    const found = ctx.lookup(MASTER_KEY_VARIABLE);
    if (typeof found !== "string" || found === "") return undefined;
    v = { value: found, path: MASTER_KEY_VARIABLE, hidden: true };
  } else {
    v = resolve(raw, "general_settings.master_key", "master_key", ctx);
    if (v.value === undefined) {
      throw new ConfigError(`${v.path}: os.environ/${v.from} is not set (set it, or remove master_key)`);
    }
  }
  if (/[\s\p{Cc}]/u.test(str(v))) fail(v, "a key without whitespace or control characters");
  if ((v.value as string).length < 8) ctx.warn(`${label(v)} is shorter than 8 characters: use a long random key`);
  return v.value as string;
}

function origins(raw: unknown): string[] {
  const path = "general_settings.cors_allow_origins";
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) fail({ value: raw, path, hidden: false }, 'a list of origins, or ["*"]');
  return raw.map((value, i) => {
    const v: Value = { value, path: `${path}[${i}]`, hidden: false };
    const origin = str(v);
    if (origin !== "*" && (!URL.canParse(origin) || new URL(origin).origin !== origin || !/^https?:/.test(origin))) {
      fail(v, '"*" or an origin such as https://app.example.com (lowercase, no path or trailing slash)');
    }
    return origin;
  });
}


function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
