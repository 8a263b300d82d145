// The endpoint's configuration in LiteLLM's `config.yaml` format, validated from an already
// parsed object (YAML under Node, JSON in a Worker). Web-standard and dependency-free: this
// file goes into the Worker bundle. Values are never quoted for keys that hold secrets.

import { MODEL_FORM, parseModel } from "../model.ts";
import type { AgentCoreParams, AwsParams, CustomPrices, RequestOptions } from "../types.ts";

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** A deployment's `litellm_params`, `os.environ/` references resolved; usable as `ClientOptions`. */
export interface DeploymentParams extends AwsParams, AgentCoreParams, CustomPrices, Pick<RequestOptions, "num_retries" | "timeout" | "idle_timeout"> {
  /** `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` */
  model: string;
  /** false: this model never sends reasoning_content, whatever the request says. */
  include_reasoning?: boolean;
}

export interface ModelDeployment {
  model_name: string;
  params: DeploymentParams;
}

export interface ProxyConfig {
  /** In file order; of duplicate names, the first. */
  models: ModelDeployment[];
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
}

/** How request lines are written: `key=value` text, JSON lines, or not at all. */
export type LogFormat = "text" | "json" | "off";
const LOG_FORMATS: readonly LogFormat[] = ["text", "json", "off"];

export interface ApiKey {
  /** For logs and messages; never the key. */
  name: string;
  /** SHA-256 of the key, 64 lowercase hex digits. */
  sha256: string;
  /** The `model_name`s this key may use. */
  models: string[];
}

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

const ENV_REF = "os.environ/";
const IGNORED_SECTIONS = new Set(["litellm_settings", "router_settings", "environment_variables"]);
// Keys whose values are never quoted in a message (api_base may carry credentials in its URL).
const UNQUOTED = new Set([
  "master_key",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_web_identity_token",
  "aws_external_id",
  "api_base",
  "api_key",
]);
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/; // as src/endpoint.ts checks it
const MODEL_NAME = /^[^\s\p{Cc}]+$/u;

/** A value at a key path, and the variable it came from when it was `os.environ/NAME`. */
interface Value {
  value: unknown;
  path: string;
  hidden: boolean;
  from?: string;
}

interface Context {
  lookup: ConfigOptions["lookup"];
  warn: (message: string) => void;
  /** Unset variables, with the key paths that referred to them. */
  unset: Map<string, string[]>;
}

type Check = (v: Value) => unknown;

const str = (v: Value): string => {
  if (typeof v.value !== "string" || v.value === "") fail(v, "a non-empty string");
  return v.value;
};

const num =
  (expected: string, ok: (n: number) => boolean): Check =>
  (v) => {
    // A variable's value is a string; a number from the file is already one.
    const n = v.from !== undefined && typeof v.value === "string" && v.value.trim() !== "" ? Number(v.value) : v.value;
    if (typeof n !== "number" || !Number.isFinite(n) || !ok(n)) fail(v, expected);
    return n;
  };

const bool = (v: Value): boolean => {
  const b = v.from === undefined ? v.value : v.value === "true" ? true : v.value === "false" ? false : v.value;
  if (typeof b !== "boolean") fail(v, "true or false");
  return b;
};

const oneOf =
  (values: readonly string[]): Check =>
  (v) => {
    if (!values.includes(str(v))) fail(v, `one of ${values.join(", ")}`);
    return v.value;
  };

const region = (v: Value): string => {
  if (!REGION.test(str(v))) fail(v, "a region name such as us-east-1");
  return v.value as string;
};

const httpUrl = (v: Value): string => {
  const url = URL.canParse(str(v)) ? new URL(v.value as string) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    fail(v, "an http or https URL without credentials, query or fragment");
  }
  return v.value as string;
};

const model = (v: Value): string => {
  try {
    parseModel(str(v));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const message = (error as Error).message;
    if (message.startsWith("Invalid AgentCore ARN")) fail(v, MODEL_FORM, "; the ARN must be arn:aws:bedrock-agentcore:{region}:{account}:harness/{id} or ...:runtime/{id}");
    const id = /^Invalid (\w+) "/.exec(message)?.[1];
    fail(v, MODEL_FORM, id && `; ${id} must be 1 to 10 letters or digits`);
  }
  return v.value as string;
};

const PARAMS: Record<keyof DeploymentParams, Check> = {
  model,
  aws_access_key_id: str,
  aws_secret_access_key: str,
  aws_session_token: str,
  aws_region_name: region,
  api_base: httpUrl,
  input_cost_per_token: num("a number >= 0", (n) => n >= 0),
  output_cost_per_token: num("a number >= 0", (n) => n >= 0),
  num_retries: num("an integer >= 0", (n) => Number.isInteger(n) && n >= 0),
  timeout: num("a number of seconds > 0", (n) => n > 0),
  idle_timeout: num("a number of seconds > 0", (n) => n > 0),
  aws_role_name: str,
  aws_session_name: str,
  aws_external_id: str,
  aws_web_identity_token: str,
  aws_duration_seconds: num("a whole number of seconds from 900 to 43200", (n) => Number.isInteger(n) && n >= 900 && n <= 43200),
  aws_sts_endpoint: httpUrl,
  aws_profile_name: str,
  include_reasoning: bool,
  qualifier: str,
  harness_model: str,
  allowed_tools: (v) => {
    if (!Array.isArray(v.value) || !v.value.every((t) => typeof t === "string" && t !== "")) fail(v, "a list of tool names");
    return v.value;
  },
  max_iterations: num("a whole number above 0", (n) => Number.isInteger(n) && n > 0),
  timeout_seconds: num("a whole number of seconds above 0", (n) => Number.isInteger(n) && n > 0),
  actor_id: str,
  pass_user: bool,
  payload_format: oneOf(["prompt", "conversation", "openai"]),
  api_key: str,
};

/** Validates a parsed config (from YAML or JSON) and resolves its `os.environ/` references. */
export function parseConfig(raw: unknown, options: ConfigOptions): ProxyConfig {
  const ctx: Context = { lookup: options.lookup, warn: options.warn ?? ((m) => console.warn(m)), unset: new Map() };
  if (raw === null || raw === undefined) throw new ConfigError("model_list: required, the config is empty");
  const top = mapping(raw, "config");
  const litellmSettings = optionalMapping(top.litellm_settings, "litellm_settings");
  for (const key of Object.keys(top)) {
    if (key === "litellm_settings" && Object.keys(litellmSettings).every((k) => k === "json_logs")) continue;
    if (key === "litellm_settings") ctx.warn("litellm_settings: ignored but for json_logs, this endpoint does not use LiteLLM's other settings");
    else if (IGNORED_SECTIONS.has(key)) ctx.warn(`${key}: ignored, this endpoint does not use LiteLLM's ${key}`);
    else if (key !== "model_list" && key !== "general_settings") ctx.warn(`${keyPath("", key)}: unknown key, ignored`);
  }

  const list = top.model_list;
  if (!Array.isArray(list) || list.length === 0) {
    const got = Array.isArray(list) ? "an empty list" : kind(list);
    throw new ConfigError(`model_list: expected a non-empty list of models, got ${got}`);
  }
  const models: ModelDeployment[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry, i) => {
    const deployment = parseDeployment(entry, `model_list[${i}]`, ctx);
    const first = seen.get(deployment.model_name);
    if (first === undefined) {
      seen.set(deployment.model_name, i);
      models.push(deployment);
    } else {
      ctx.warn(
        `model_list[${i}].model_name: "${deployment.model_name}" repeats model_list[${first}], ignored ` +
          "(load balancing across deployments is not supported yet)",
      );
    }
  });

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
  const config: ProxyConfig = {
    models,
    masterKey: masterKey(general.master_key, ctx),
    allowOpenAccess: (setting("allow_open_access", bool) as boolean | undefined) ?? false,
    corsAllowOrigins: origins(general.cors_allow_origins),
    apiKeys: apiKeys(general.api_keys, new Set(models.map((m) => m.model_name))),
    maxRequestBytes: maxMb === undefined ? DEFAULT_MAX_REQUEST_BYTES : Math.ceil(maxMb * 1024 * 1024),
    logFormat:
      (setting("log_format", oneOf(LOG_FORMATS)) as LogFormat | undefined) ??
      (litellmSettings.json_logs === true ? "json" : "text"),
    allowOpenMetrics: (setting("allow_open_metrics", bool) as boolean | undefined) ?? false,
    streamKeepAliveSeconds:
      (setting("stream_keepalive_seconds", num("a number of seconds > 0", (n) => n > 0)) as number | undefined) ??
      DEFAULT_STREAM_KEEPALIVE_SECONDS,
  };

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
]);
const ENTRY = new Set(["model_name", "litellm_params", "model_info"]);

function parseDeployment(raw: unknown, path: string, ctx: Context): ModelDeployment {
  const entry = mapping(raw, path);
  for (const key of Object.keys(entry)) {
    if (!ENTRY.has(key)) ctx.warn(`${keyPath(path, key)}: unknown key, ignored`);
  }
  const name: Value = { value: entry.model_name, path: `${path}.model_name`, hidden: false };
  if (!MODEL_NAME.test(str(name))) fail(name, "a model id without whitespace or control characters");

  const paramsPath = `${path}.litellm_params`;
  const raws = mapping(entry.litellm_params, paramsPath);
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raws)) {
    const check = (PARAMS as Record<string, Check>)[key];
    if (!check) ctx.warn(`${keyPath(paramsPath, key)}: unknown key, ignored`);
    if (!check || value === null || value === undefined) continue;
    const v = resolve(value, `${paramsPath}.${key}`, key, ctx);
    if (v.value === undefined && key === "model") throw new ConfigError(`${v.path}: os.environ/${v.from} is not set`);
    if (v.value !== undefined) params[key] = check(v);
  }
  if (params.model === undefined) throw new ConfigError(`${paramsPath}.model: required (${MODEL_FORM})`);
  return { model_name: name.value as string, params: params as unknown as DeploymentParams };
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

const API_KEY_FIELDS = new Set(["name", "key_sha256", "models"]);

/** `api_keys: [{name, key_sha256, models: [model_name, ...]}]`; `bedrock-agents-openai hash-key` makes the hash. */
function apiKeys(raw: unknown, modelNames: Set<string>): ApiKey[] {
  const path = "general_settings.api_keys";
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) fail({ value: raw, path, hidden: false }, "a list of {name, key_sha256, models}");
  const seen = new Set<string>();
  return raw.map((entry, i) => {
    const at = `${path}[${i}]`;
    const fields = mapping(entry, at);
    for (const key of Object.keys(fields)) {
      if (!API_KEY_FIELDS.has(key)) throw new ConfigError(`${keyPath(at, key)}: unknown key (expected name, key_sha256, models)`);
    }
    const name = str({ value: fields.name, path: `${at}.name`, hidden: false });
    const hash: Value = { value: fields.key_sha256, path: `${at}.key_sha256`, hidden: false };
    if (!/^[0-9a-f]{64}$/.test(str(hash).toLowerCase())) fail(hash, "the SHA-256 of the key in hex (bedrock-agents-openai hash-key)");
    const sha256 = (hash.value as string).toLowerCase();
    if (seen.has(sha256)) throw new ConfigError(`${at}.key_sha256: the same key is listed twice`);
    seen.add(sha256);
    const list = fields.models;
    if (!Array.isArray(list) || list.length === 0) fail({ value: list, path: `${at}.models`, hidden: false }, "a non-empty list of model_name");
    const allowed = (list as unknown[]).map((model, j) => {
      const v: Value = { value: model, path: `${at}.models[${j}]`, hidden: false };
      if (!modelNames.has(str(v))) fail(v, "a model_name of model_list");
      return v.value as string;
    });
    return { name, sha256, models: allowed };
  });
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

/** Resolves `os.environ/NAME`; an unset variable gives `value: undefined` and is noted once. */
function resolve(value: unknown, path: string, key: string, ctx: Context): Value {
  const hidden = UNQUOTED.has(key);
  if (typeof value !== "string" || !value.startsWith(ENV_REF)) return { value, path, hidden };
  const name = value.slice(ENV_REF.length);
  if (name.trim() === "") throw new ConfigError(`${path}: os.environ/ needs a variable name`);
  const found: unknown = ctx.lookup(name);
  if (found !== undefined && typeof found !== "string") {
    throw new ConfigError(`${path}: os.environ/${name} is not a string, got ${kind(found)}`);
  }
  if (found === undefined || found === "") {
    const paths = ctx.unset.get(name) ?? [];
    ctx.unset.set(name, [...paths, path]);
    return { value: undefined, path, hidden, from: name };
  }
  return { value: found, path, hidden, from: name };
}

function mapping(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${path}: ${value === undefined ? "required" : `expected a mapping, got ${kind(value)}`}`);
  }
  return value as Record<string, unknown>;
}

function optionalMapping(value: unknown, path: string): Record<string, unknown> {
  return value === null || value === undefined ? {} : mapping(value, path);
}

function fail(v: Value, expected: string, detail?: string | undefined): never {
  const got =
    v.value === undefined
      ? ", got nothing"
      : v.hidden && typeof v.value === "string"
        ? "" // a secret of the right type: say what is wrong, never what it is
        : `, got ${typeof v.value === "string" ? JSON.stringify(clip(v.value)) : kind(v.value, !v.hidden)}`;
  throw new ConfigError(`${label(v)}: expected ${expected}${got}${detail ?? ""}`);
}

function label(v: Value): string {
  return v.from === undefined ? v.path : `${v.path} (os.environ/${v.from})`;
}

/** What a value is, for messages; numbers and booleans shown when not secret. */
function kind(value: unknown, show = false): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (show && (typeof value === "number" || typeof value === "boolean")) return String(value);
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}

function keyPath(parent: string, key: string): string {
  if (/^[A-Za-z_][\w-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(clip(key))}]`;
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
