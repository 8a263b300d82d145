// `general_settings.api_keys`: keys for other callers, stored as hashes, each with the models it
// may use and LiteLLM's limits for a key (rpm_limit, tpm_limit, max_parallel_requests, max_budget
// with budget_duration).
import { ConfigError, type Value, fail, keyPath, mapping, num, str } from "./config-values.ts";

export interface ApiKey {
  /** For logs and messages; never the key. */
  name: string;
  /** SHA-256 of the key, 64 lowercase hex digits. */
  sha256: string;
  /** The `model_name`s this key may use. */
  models: string[];
  /** Undefined: no limit on this key. */
  limits?: KeyLimits;
}

export interface KeyLimits {
  rpmLimit?: number;
  tpmLimit?: number;
  maxParallelRequests?: number;
  /** USD. */
  maxBudget?: number;
  /** The budget's period in seconds; undefined: the budget never resets. */
  budgetSeconds?: number;
  /** As written in the config (`30d`), for messages. */
  budgetDuration?: string;
}

const LIMIT_FIELDS = { rpm_limit: "rpmLimit", tpm_limit: "tpmLimit", max_parallel_requests: "maxParallelRequests", max_budget: "maxBudget" } as const;
const FIELDS = new Set(["name", "key_sha256", "models", "budget_duration", ...Object.keys(LIMIT_FIELDS)]);
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const whole = num("a whole number > 0", (n) => Number.isInteger(n) && n > 0);
const dollars = num("a number of USD >= 0", (n) => n >= 0);

/** `api_keys: [{name, key_sha256, models: [model_name, ...], rpm_limit?, ...}]`; `bedrock-agents-openai hash-key` makes the hash. */
export function apiKeys(raw: unknown, modelNames: Set<string>): ApiKey[] {
  const path = "general_settings.api_keys";
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) fail({ value: raw, path, hidden: false }, "a list of {name, key_sha256, models}");
  const seen = new Set<string>();
  return raw.map((entry, i) => {
    const at = `${path}[${i}]`;
    const fields = mapping(entry, at);
    for (const key of Object.keys(fields)) {
      if (!FIELDS.has(key)) throw new ConfigError(`${keyPath(at, key)}: unknown key (expected name, key_sha256, models, ${Object.keys(LIMIT_FIELDS).join(", ")}, budget_duration)`);
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
    const key: ApiKey = { name, sha256, models: allowed };
    const limits = keyLimits(fields, at);
    if (limits) key.limits = limits;
    return key;
  });
}

function keyLimits(fields: Record<string, unknown>, at: string): KeyLimits | undefined {
  const limits: KeyLimits = {};
  for (const [field, name] of Object.entries(LIMIT_FIELDS)) {
    const value = fields[field];
    if (value === null || value === undefined) continue;
    limits[name] = (field === "max_budget" ? dollars : whole)({ value, path: `${at}.${field}`, hidden: false }) as number;
  }
  const duration = fields.budget_duration;
  if (duration !== null && duration !== undefined) {
    const v: Value = { value: duration, path: `${at}.budget_duration`, hidden: false };
    const match = /^(\d+)([smhd])$/.exec(str(v));
    if (!match || Number(match[1]) === 0) fail(v, "a duration such as 30s, 30m, 1h, 1d or 30d");
    if (limits.maxBudget === undefined) throw new ConfigError(`${at}.budget_duration: needs max_budget, the budget it resets`);
    limits.budgetSeconds = Number(match[1]) * UNITS[match[2]!]!;
    limits.budgetDuration = match[0];
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}
