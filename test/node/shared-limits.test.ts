// Limits that hold however many servers run: two Node servers share one real redis-server, so
// a key's rpm_limit admits exactly that many requests across both, its budget stops it across
// both, and when Redis goes away the servers refuse with a 503 (or serve, limits_fail_open).
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer, type RunningServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { awayFromMinuteEnd } from "./support/minute-window.ts";
import { type RedisServer, redisSkipReason, startRedisServer } from "./support/redis-server.ts";

const emulatorUrl = inject("emulatorUrl");
const skip = redisSkipReason();
const KEYS = { rpm: "sk-rpm-team-0123456789", budget: "sk-budget-team-0123456789", open: "sk-open-team-0123456789" };

async function config(redisUrl: string, failOpen = false) {
  const model = {
    model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
    aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
    aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
    aws_region_name: "us-west-2",
    api_base: emulatorUrl,
    input_cost_per_token: 0.00001,
    output_cost_per_token: 0.00001,
  };
  return parseConfig(
    {
      model_list: [{ model_name: "agent", litellm_params: model }],
      router_settings: { redis_url: redisUrl, limits_fail_open: failOpen },
      general_settings: {
        master_key: "sk-master-0123456789",
        api_keys: [
          { name: "rpm-team", key_sha256: await hashKey(KEYS.rpm), models: ["agent"], rpm_limit: 7 },
          { name: "budget-team", key_sha256: await hashKey(KEYS.budget), models: ["agent"], max_budget: 0.05, budget_duration: "1d" },
          { name: "open-team", key_sha256: await hashKey(KEYS.open), models: ["agent"], rpm_limit: 1000 },
        ],
      },
    },
    { lookup: () => undefined, warn: () => {} },
  );
}

const ask = (server: RunningServer, key: string) =>
  new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "agent", messages: [{ role: "user", content: "hi" }] });

describe.skipIf(skip !== undefined)(`limits shared by two Node servers through Redis${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let redis: RedisServer;
  let servers: RunningServer[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    const shared = await config(redis.url);
    const failOpen = await config(redis.url, true);
    servers = await Promise.all([
      startServer({ config: shared, port: 0, requestLog: false, log: (line) => lines.push(line) }),
      startServer({ config: shared, port: 0, requestLog: false, log: (line) => lines.push(line) }),
      startServer({ config: failOpen, port: 0, requestLog: false, log: (line) => lines.push(line) }),
    ]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await redis?.stop();
  });

  it("admits exactly rpm_limit requests across both servers", async () => {
    await awayFromMinuteEnd();
    const results = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => ask(servers[i % 2]!, KEYS.rpm)));
    const admitted = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(admitted).toHaveLength(7);
    expect(refused).toHaveLength(23);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(OpenAI.RateLimitError);
      expect((r.reason as InstanceType<typeof OpenAI.RateLimitError>).headers.get("x-ratelimit-limit-requests")).toBe("7");
    }
  });

  it("stops a key within one request of its budget, whichever server it asks", async () => {
    const costs: number[] = [];
    let refusal: unknown;
    for (let i = 0; i < 40 && refusal === undefined; i++) {
      const client = new OpenAI({ baseURL: `${servers[i % 2]!.url}/v1`, apiKey: KEYS.budget, maxRetries: 0 });
      try {
        const { response } = await client.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "hi" }] }).withResponse();
        costs.push(Number(response.headers.get("x-litellm-response-cost")));
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(OpenAI.BadRequestError);
    const body = (refusal as InstanceType<typeof OpenAI.BadRequestError>).error as { type: string; message: string };
    expect(body.type).toBe("budget_exceeded");
    expect(body.message).toMatch(/max_budget \$0\.05 per 1d; it resets at \d{4}-\d\d-\d\dT/);
    // Admitted while under the budget: the spend reached it with the last request admitted, not before.
    const spent = costs.reduce((a, b) => a + b, 0);
    expect(costs.length).toBeGreaterThan(1);
    expect(spent).toBeGreaterThanOrEqual(0.05);
    expect(spent - costs.at(-1)!).toBeLessThan(0.05);
    // The other server refuses too: the spend is in Redis, not in one process.
    await expect(ask(servers[costs.length % 2]!, KEYS.budget)).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("refuses with a 503 while Redis is away (or serves, with limits_fail_open), and counts again when it is back", async () => {
    await redis.stop();
    try {
      const refused = await ask(servers[0]!, KEYS.open).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.InternalServerError);
      expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(503);
      expect((refused as InstanceType<typeof OpenAI.APIError>).message).toMatch(/cannot be checked right now/);
      const served = await ask(servers[2]!, KEYS.open);
      expect(served.choices[0]!.message.content).toBeTruthy();
      expect(lines.some((line) => /limits: the store could not be reached for key "open-team", refused/.test(line))).toBe(true);
      expect(lines.some((line) => /served anyway \(limits_fail_open\)/.test(line))).toBe(true);
    } finally {
      await redis.restart();
    }
    await expect.poll(async () => (await ask(servers[0]!, KEYS.open).then(() => "ok", (e: Error) => e.message)), { timeout: 10_000, interval: 250 }).toBe("ok");
  });
});
