// A model_list entry of the config: its model_name and its litellm_params, each checked.
import { MODEL_FORM, parseModel } from "../model.ts";
import { fnvHex } from "./fnv.ts";
import type { AgentCoreParams, AwsParams, CustomPrices, RequestOptions } from "../types.ts";
import { type Check, ConfigError, type Context, type Value, bool, fail, httpUrl, keyPath, mapping, num, oneOf, optionalMapping, region, resolve, secret, str } from "./config-values.ts";

/** A deployment's `litellm_params`, `os.environ/` references resolved; usable as `ClientOptions`. */
export interface DeploymentParams extends AwsParams, AgentCoreParams, CustomPrices, Pick<RequestOptions, "num_retries" | "timeout" | "idle_timeout" | "id_secret"> {
  /** `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` */
  model: string;
  /** false: this model never sends reasoning_content, whatever the request says. */
  include_reasoning?: boolean;
}

export interface ModelDeployment {
  model_name: string;
  /** `model_info.id`, else derived from the model, region and api_base: named in `x-litellm-model-id`, logs and metrics. */
  id: string;
  /** `litellm_params.weight`: a share of new sessions under simple-shuffle. */
  weight?: number;
  /** `litellm_params.rpm` / `tpm`: what this deployment may take a minute; also its weight when none is set. */
  rpm?: number;
  tpm?: number;
  params: DeploymentParams;
  /** Who may ask for raw traces: true every caller of the model, false nobody, undefined the master key only. */
  allowTraces?: boolean;
  /** `model_info.description`: what the agent does, for the cards and tool lists that describe it (A2A, MCP). */
  description?: string;
  /** litellm_params keys whose `os.environ/NAME` was not set, with NAME: what the operator must set. */
  unsetVariables?: Record<string, string>;
}

const MODEL_NAME = /^[^\s\p{Cc}]+$/u;

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
  actor_id_shared: bool,
  pass_user: bool,
  payload_format: oneOf(["prompt", "conversation", "openai", "a2a"]),
  // YAML reads an unquoted 1.0 or 0.3 as a number: taken as the version it spells.
  a2a_version: (v) => oneOf(["0.3", "1.0"])(typeof v.value === "number" ? { ...v, value: v.value === 1 ? "1.0" : String(v.value) } : v),
  api_key: str,
  id_secret: secret,
};

/** litellm_params the endpoint reads itself: never passed on to the library. */
const ENDPOINT_PARAMS: Record<string, Check> = {
  allow_traces: bool,
  weight: num("a number > 0", (n) => n > 0),
  rpm: num("a whole number > 0", (n) => Number.isInteger(n) && n > 0),
  tpm: num("a whole number > 0", (n) => Number.isInteger(n) && n > 0),
};

// rpm and tpm beside litellm_params too, where older LiteLLM configs put them.
const ENTRY = new Set(["model_name", "litellm_params", "model_info", "rpm", "tpm"]);

export function parseDeployment(raw: unknown, path: string, ctx: Context): ModelDeployment {
  const entry = mapping(raw, path);
  for (const key of Object.keys(entry)) {
    if (!ENTRY.has(key)) ctx.warn(`${keyPath(path, key)}: unknown key, ignored`);
  }
  const name: Value = { value: entry.model_name, path: `${path}.model_name`, hidden: false };
  if (!MODEL_NAME.test(str(name))) fail(name, "a model id without whitespace or control characters");

  const paramsPath = `${path}.litellm_params`;
  const raws = mapping(entry.litellm_params, paramsPath);
  const params: Record<string, unknown> = {};
  const endpoint: Record<string, unknown> = {};
  const unset: Record<string, string> = {};
  for (const [key, value] of Object.entries(raws)) {
    const own = Object.hasOwn(ENDPOINT_PARAMS, key) ? ENDPOINT_PARAMS[key] : undefined;
    // Own keys only: "constructor" or "toString" must not find a built-in function as their check.
    const check = own ?? (Object.hasOwn(PARAMS, key) ? (PARAMS as Record<string, Check>)[key] : undefined);
    if (!check) ctx.warn(`${keyPath(paramsPath, key)}: unknown key, ignored`);
    if (!check || value === null || value === undefined) continue;
    const v = resolve(value, `${paramsPath}.${key}`, key, ctx);
    if (v.value === undefined && key === "model") throw new ConfigError(`${v.path}: os.environ/${v.from} is not set`);
    if (v.value !== undefined) (own ? endpoint : params)[key] = check(v);
    else if (v.from !== undefined) unset[key] = v.from;
  }
  if (params.model === undefined) throw new ConfigError(`${paramsPath}.model: required (${MODEL_FORM})`);
  const info = optionalMapping(entry.model_info, `${path}.model_info`);
  const id = info.id === undefined || info.id === null ? derivedId(name.value as string, params) : str({ value: info.id, path: `${path}.model_info.id`, hidden: false });
  const deployment: ModelDeployment = { model_name: name.value as string, id, params: params as unknown as DeploymentParams };
  if (endpoint.allow_traces !== undefined) deployment.allowTraces = endpoint.allow_traces as boolean;
  for (const key of ["rpm", "tpm"] as const) {
    if (endpoint[key] === undefined && entry[key] !== undefined && entry[key] !== null) endpoint[key] = ENDPOINT_PARAMS[key]!({ value: entry[key], path: `${path}.${key}`, hidden: false });
  }
  for (const key of ["weight", "rpm", "tpm"] as const) if (endpoint[key] !== undefined) deployment[key] = endpoint[key] as number;
  if (Object.keys(unset).length > 0) deployment.unsetVariables = unset;
  // Of model_info, only the id and the description are read; LiteLLM's other keys (costs, ...) are not ours.
  const description = info.description;
  if (description !== undefined && description !== null) deployment.description = str({ value: description, path: `${path}.model_info.description`, hidden: false });
  return deployment;
}

/** A deployment's id when model_info.id is not set: the same model_name, agent, region and api_base give the same id. */
function derivedId(modelName: string, params: Record<string, unknown>): string {
  return fnvHex(`${modelName}|${params.model}|${params.aws_region_name ?? ""}|${params.api_base ?? ""}`);
}
