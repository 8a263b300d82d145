// Key limits in the Worker (wrangler dev, workerd), counted in the LIMITS Durable Object: 20
// parallel requests against rpm_limit 5 admit exactly 5, a budget stops its key within one
// request, and two deployments of one model fail over, with the openai client.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { hashKey } from "../../src/proxy/auth.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { awayFromMinuteEnd } from "./support/minute-window.ts";
import { type WranglerDev, startWranglerDev } from "./support/wrangler-dev.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-limits-worker-master-0123456789";
const KEYS = { rpm: "sk-limits-worker-rpm-0123456789", budget: "sk-limits-worker-budget-0123456789" };
const secrets = { TEST_KEY_ID: STATIC_CREDENTIALS.accessKeyId, TEST_SECRET: STATIC_CREDENTIALS.secretAccessKey, TEST_MASTER_KEY: MASTER };

const deployment = (name: string, id: string, scenario?: string) => ({
  model_name: name,
  model_info: { id },
  litellm_params: {
    model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
    aws_access_key_id: "os.environ/TEST_KEY_ID",
    aws_secret_access_key: "os.environ/TEST_SECRET",
    aws_region_name: "us-west-2",
    api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
    input_cost_per_token: 0.00001,
    output_cost_per_token: 0.00001,
  },
});

describe("limits and routing in the Worker (wrangler dev, a Durable Object)", () => {
  let worker: WranglerDev;
  beforeAll(async () => {
    const config = {
      model_list: [deployment("agent", "east", "http-error:ThrottlingException"), deployment("agent", "west")],
      general_settings: {
        master_key: "os.environ/TEST_MASTER_KEY",
        api_keys: [
          { name: "rpm-team", key_sha256: await hashKey(KEYS.rpm), models: ["agent"], rpm_limit: 5 },
          { name: "budget-team", key_sha256: await hashKey(KEYS.budget), models: ["agent"], max_budget: 0.05 },
        ],
      },
    };
    worker = await startWranglerDev({ CONFIG: JSON.stringify(config), ...secrets });
  }, 60_000);
  afterAll(() => worker?.close());

  const client = (key: string) => new OpenAI({ baseURL: `${worker.url}/v1`, apiKey: key, maxRetries: 0 });
  const ask = (key: string) => client(key).chat.completions.create({ model: "agent", messages: [{ role: "user", content: "hi" }] }).withResponse();

  it("admits exactly rpm_limit of 20 parallel requests, each answered by the healthy deployment", async () => {
    await awayFromMinuteEnd();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => ask(KEYS.rpm)));
    const admitted = results.filter((r) => r.status === "fulfilled");
    expect(admitted).toHaveLength(5);
    for (const r of admitted) expect(r.value.response.headers.get("x-litellm-model-id")).toBe("west");
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("stops a key within one request of its budget", async () => {
    const costs: number[] = [];
    let refusal: unknown;
    for (let i = 0; i < 40 && refusal === undefined; i++) {
      try {
        costs.push(Number((await ask(KEYS.budget)).response.headers.get("x-litellm-response-cost")));
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(OpenAI.BadRequestError);
    expect(((refusal as InstanceType<typeof OpenAI.BadRequestError>).error as { type: string }).type).toBe("budget_exceeded");
    const spent = costs.reduce((a, b) => a + b, 0);
    expect(costs.length).toBeGreaterThan(1);
    expect(spent).toBeGreaterThanOrEqual(0.05);
    expect(spent - costs.at(-1)!).toBeLessThan(0.05);
  });
});
