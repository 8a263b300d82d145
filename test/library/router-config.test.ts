// LiteLLM's routing and limit keys in config.yaml: what is read, what is refused and why.
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/proxy/config.ts";
import { usesLimits } from "../../src/proxy/limits/uses-limits.ts";

const HASH = "a".repeat(64);
const entry = (name: string, more: Record<string, unknown> = {}, info?: Record<string, unknown>) => ({
  model_name: name,
  litellm_params: { model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", ...more },
  ...(info ? { model_info: info } : {}),
});

function load(raw: Record<string, unknown>, env: Record<string, string> = {}) {
  const warnings: string[] = [];
  const config = parseConfig({ model_list: [entry("a"), entry("b")], ...raw }, { lookup: (n) => env[n], warn: (w) => warnings.push(w) });
  return { config, warnings };
}
const refusal = (raw: Record<string, unknown>) => {
  try {
    load(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
};

describe("deployments", () => {
  it("reads weight, rpm and tpm (beside litellm_params too) and model_info.id", () => {
    const { config } = load({
      model_list: [entry("a", { weight: 3, rpm: 60 }, { id: "west" }), { ...entry("a", {}, { id: "east" }), tpm: 1000 }],
    });
    expect(config.models.map(({ id, weight, rpm, tpm }) => ({ id, weight, rpm, tpm }))).toEqual([
      { id: "west", weight: 3, rpm: 60, tpm: undefined },
      { id: "east", weight: undefined, rpm: undefined, tpm: 1000 },
    ]);
    expect(config.models[0]!.params).not.toHaveProperty("weight");
    expect(usesLimits(config)).toBe(true);
  });

  it("refuses two deployments with one model_info.id, and drops an exact repeat with a warning", () => {
    expect(refusal({ model_list: [entry("a", {}, { id: "x" }), entry("b", {}, { id: "x" })] })).toMatch(/model_list\[1\]\.model_info\.id: "x" is also model_list\[0\]'s/);
    const { config, warnings } = load({ model_list: [entry("a"), entry("a")] });
    expect(config.models).toHaveLength(1);
    expect(warnings[0]).toMatch(/^model_list\[1\]: the same agent, region and api_base as model_list\[0\]/);
  });
});

describe("router_settings and litellm_settings", () => {
  it("takes LiteLLM's defaults, and router_settings over litellm_settings", () => {
    expect(load({}).config.router).toMatchObject({ strategy: "simple-shuffle", numRetries: 2, allowedFails: 3, cooldownSeconds: 5, limitsFailOpen: false });
    const { config } = load({
      router_settings: { num_retries: 1, fallbacks: [{ a: ["b"] }], timeout: 30 },
      litellm_settings: { num_retries: 5, allowed_fails: 1, cooldown_time: 0.5, request_timeout: 99 },
    });
    expect(config.router).toMatchObject({ numRetries: 1, allowedFails: 1, cooldownSeconds: 0.5, timeoutSeconds: 30 });
    expect([...config.router.fallbacks]).toEqual([["a", ["b"]]]);
  });

  it("checks fallbacks against model_list", () => {
    expect(refusal({ router_settings: { fallbacks: [{ c: ["a"] }] } })).toMatch(/"c" is not a model_name of model_list/);
    expect(refusal({ litellm_settings: { fallbacks: [{ a: ["nope"] }] } })).toMatch(/litellm_settings\.fallbacks\[0\]\.a\[0\]: expected a model_name of model_list/);
    expect(refusal({ router_settings: { fallbacks: [{ a: ["a"] }] } })).toMatch(/cannot fall back to itself/);
    expect(refusal({ router_settings: { fallbacks: { a: ["b"] } } })).toMatch(/router_settings\.fallbacks: expected a list/);
  });

  it("warns about a strategy it does not serve, and uses simple-shuffle", () => {
    const { config, warnings } = load({ router_settings: { routing_strategy: "usage-based-routing-v2" } });
    expect(config.router.strategy).toBe("simple-shuffle");
    expect(warnings).toEqual([expect.stringMatching(/routing_strategy: usage-based-routing-v2 is not served here/)]);
  });

  it("finds Redis in router_settings, else in REDIS_URL", () => {
    const host = load({ router_settings: { redis_host: "os.environ/REDIS_HOST", redis_password: "os.environ/REDIS_PASSWORD" } }, { REDIS_HOST: "cache", REDIS_PASSWORD: "pw" });
    expect(host.config.router.redis).toEqual({ host: "cache", port: 6379, password: "pw" });
    expect(load({}, { REDIS_URL: "redis://cache:6380" }).config.router.redis).toEqual({ url: "redis://cache:6380" });
    expect(() => load({}, { REDIS_URL: "cache:6380" })).toThrow(/expected redis:\/\/host:port/);
  });
});

describe("api_keys limits", () => {
  const key = (more: Record<string, unknown>) => ({ general_settings: { api_keys: [{ name: "t", key_sha256: HASH, models: ["a"], ...more }] } });

  it("reads LiteLLM's key limits", () => {
    const { config } = load(key({ rpm_limit: 10, tpm_limit: 1000, max_parallel_requests: 2, max_budget: 12.5, budget_duration: "30d" }));
    expect(config.apiKeys[0]!.limits).toEqual({ rpmLimit: 10, tpmLimit: 1000, maxParallelRequests: 2, maxBudget: 12.5, budgetSeconds: 30 * 86400, budgetDuration: "30d" });
    expect(usesLimits(config)).toBe(true);
    expect(usesLimits(load(key({})).config)).toBe(false);
  });

  it("refuses what it cannot count", () => {
    expect(refusal(key({ rpm_limit: 1.5 }))).toMatch(/api_keys\[0\]\.rpm_limit: expected a whole number > 0/);
    expect(refusal(key({ max_budget: -1 }))).toMatch(/max_budget: expected a number of USD >= 0/);
    expect(refusal(key({ max_budget: 5, budget_duration: "1w" }))).toMatch(/budget_duration: expected a duration such as 30s/);
    expect(refusal(key({ budget_duration: "1d" }))).toMatch(/budget_duration: needs max_budget/);
    expect(refusal(key({ soft_budget: 5 }))).toMatch(/api_keys\[0\]\.soft_budget: unknown key/);
  });
});
