// GET /metrics and the request log after routed and limited traffic: retries, cooldowns and
// fallbacks per deployment, limit rejections per key and reason, spend per key.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer, type RunningServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { awayFromMinuteEnd } from "./support/minute-window.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-routing-master-0123456789";
const TEAM = "sk-routing-team-0123456789";

const deployment = (name: string, id: string, scenario?: string, weight = 1) => ({
  model_name: name,
  model_info: { id },
  litellm_params: {
    weight,
    model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
    aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
    aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
    aws_region_name: "us-west-2",
    api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
    input_cost_per_token: 0.00001,
    output_cost_per_token: 0.00001,
  },
});

describe("routing and limits in /metrics and the request log", () => {
  let server: RunningServer;
  const records: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const config = parseConfig(
      {
        model_list: [
          // Weighted so that the throttled one is all but sure to be tried first (once, then it cools down).
          deployment("agent", "east-throttled", "http-error:ThrottlingException", 1_000_000),
          deployment("agent", "west-healthy"),
          deployment("lonely", "lonely-failing", "http-error:InternalServerException"),
          deployment("spare", "spare-1"),
        ],
        router_settings: { allowed_fails: 1, cooldown_time: 60 },
        litellm_settings: { fallbacks: [{ lonely: ["spare"] }] },
        general_settings: {
          master_key: MASTER,
          api_keys: [{ name: "team", key_sha256: await hashKey(TEAM), models: ["agent", "lonely", "spare"], rpm_limit: 4 }],
        },
      },
      { lookup: () => undefined, warn: () => {} },
    );
    server = await startServer({ config, port: 0, logFormat: "json", requestLog: (line) => records.push(JSON.parse(line)), log: () => {} });
  });
  afterAll(() => server?.close());

  it("counts what the router and the limits did", async () => {
    await awayFromMinuteEnd();
    const team = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TEAM, maxRetries: 0 });
    const ask = (model: string) => team.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();
    // The first goes east, fails, puts east in cooldown and is answered by west; every later one goes west.
    expect((await ask("agent")).response.headers.get("x-litellm-model-id")).toBe("west-healthy");
    const asked = 1;
    expect((await ask("lonely")).response.headers.get("x-litellm-model-id")).toBe("spare-1");
    // rpm_limit 4: the rest of the minute's requests, all from west, then a refusal.
    for (let i = asked + 1; i < 4; i++) expect((await ask("agent")).response.headers.get("x-litellm-model-id")).toBe("west-healthy");
    await expect(ask("agent")).rejects.toBeInstanceOf(OpenAI.RateLimitError);

    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } })).text();
    const value = (series: string) => Number(new RegExp(`^bedrock_agents_openai_${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    expect(value('deployment_requests_total{model="agent",deployment="west-healthy",status="200"}')).toBe(3);
    expect(value('router_cooldowns_total{model="agent",deployment="east-throttled"}')).toBe(1);
    expect(value('router_retries_total{model="agent",deployment="east-throttled"}')).toBe(1);
    expect(value('router_fallbacks_total{model="lonely",fallback="spare"}')).toBe(1);
    expect(value('limit_rejections_total{key="team",reason="rpm"}')).toBe(1);
    expect(value('key_spend_usd_total{key="team"}')).toBeGreaterThan(0);

    const routed = records.filter((r) => r.route === "/v1/chat/completions");
    expect(routed.find((r) => r.cooldowns)).toMatchObject({ deployment: "west-healthy", retries: 1, retried_from: "east-throttled", cooldowns: "east-throttled" });
    expect(routed.find((r) => r.model === "lonely")).toMatchObject({ fallback: "spare", deployment: "spare-1" });
    expect(routed.at(-1)).toMatchObject({ status: 429, limit: "rpm", caller: "team" });
  });
});
