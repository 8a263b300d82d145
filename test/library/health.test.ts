// LiteLLM's probe routes, on the app and on the Worker entry, also when the Worker's config is invalid.
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/proxy/app.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import worker from "../../worker/index.ts";

const MASTER_KEY = "sk-health-probe-secret";
const raw = {
  model_list: [{ model_name: "agent", litellm_params: { model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW" } }],
  general_settings: { master_key: MASTER_KEY },
};

describe("health probes", () => {
  const app = createApp({ config: parseConfig(raw, { lookup: () => undefined }) });

  it.each(["/health/liveliness", "/health/liveness"])("%s answers 200 without a key", async (path) => {
    const response = await app.request(path);
    expect(response.status).toBe(200);
    expect(await response.json()).toBe("I'm alive!");
  });

  it("/health/readiness says the config loaded, revealing nothing else", async () => {
    const response = await app.request("/health/readiness");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "healthy", config: "loaded" });
    expect(text).not.toContain(MASTER_KEY);
    expect(text).not.toContain("agent");
  });

  it("the Worker with an invalid CONFIG lives but is not ready, and says no more", async () => {
    const env = { CONFIG: JSON.stringify({ ...raw, general_settings: { master_key: 42 } }) };
    const live = await worker.fetch(new Request("http://worker.test/health/liveliness"), env, {});
    expect(live.status).toBe(200);
    const ready = await worker.fetch(new Request("http://worker.test/health/readiness"), env, {});
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "unhealthy", config: "invalid" });
    const chat = await worker.fetch(new Request("http://worker.test/v1/models"), env, {});
    expect(chat.status).toBe(500);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe("invalid_config");
  });

  it("the Worker without any key refuses to serve, naming LITELLM_MASTER_KEY as one way", async () => {
    const env = { CONFIG: JSON.stringify({ model_list: raw.model_list }) };
    const response = await worker.fetch(new Request("http://worker.test/v1/models"), env, {});
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("master_key_not_set");
    expect(error.message).toContain("set LITELLM_MASTER_KEY in the environment");
  });

  it("the Worker takes its master key from a LITELLM_MASTER_KEY secret when the config sets none", async () => {
    const env = { CONFIG: JSON.stringify({ model_list: raw.model_list }), LITELLM_MASTER_KEY: MASTER_KEY };
    const models = (key: string) =>
      worker.fetch(new Request("http://worker.test/v1/models", { headers: { authorization: `Bearer ${key}` } }), env, {});
    expect((await models(MASTER_KEY)).status).toBe(200);
    expect((await models("sk-wrong")).status).toBe(401);
    const ready = await worker.fetch(new Request("http://worker.test/health/readiness"), env, {});
    expect(ready.status).toBe(200);
  });
});
