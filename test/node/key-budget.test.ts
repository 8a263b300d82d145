// API keys with a budget (LiteLLM's max_budget, budget_duration), end to end with the real
// openai client against the Node server: a priced model (input_cost_per_token and
// output_cost_per_token), requests admitted until the spend reaches the budget, then 400
// budget_exceeded naming the budget and when it resets; a stream's spend counted when it ends,
// also when its client goes away first.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashKey } from "../../src/proxy/auth.ts";
import { DEMO_EXPECTED_USAGE } from "../emulator/scenarios.ts";
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { type Served, deployment, rejection, serve, stopAll, track } from "./support/routed.ts";

type ApiError = InstanceType<typeof OpenAI.APIError>;
const PRICES = { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 };
/** What one demo answer costs at PRICES: 0.003186 USD. */
const COST = DEMO_EXPECTED_USAGE.inputTokens * PRICES.input_cost_per_token + DEMO_EXPECTED_USAGE.outputTokens * PRICES.output_cost_per_token;
const KEYS = {
  daily: "sk-budget-daily-0123456789",
  forever: "sk-budget-forever-0123456789",
  stream: "sk-budget-stream-0123456789",
  gone: "sk-budget-gone-0123456789",
};

let emu: Emulator;
let server: Served;
beforeAll(async () => {
  emu = track(await startEmulator());
  const key = async (name: keyof typeof KEYS, limits: Record<string, unknown>) => ({ name, key_sha256: await hashKey(KEYS[name]), models: ["priced", "priced-slow"], ...limits });
  server = await serve({
    model_list: [
      deployment("priced", "priced", emu.url, PRICES),
      // Streamed pieces 60 ms apart: its usage so far (pre-processing) comes before the text.
      deployment("priced-slow", "pricedslow", `${emu.url}/scenario/demo:60`, PRICES),
    ],
    general_settings: {
      api_keys: [
        await key("daily", { max_budget: 0.01, budget_duration: "1d" }),
        await key("forever", { max_budget: 0.01 }),
        await key("stream", { max_budget: 0.001 }),
        await key("gone", { max_budget: 0.000001 }),
      ],
    },
  });
});
afterAll(stopAll);

const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: "user", content }];
const ask = (key: string, model = "priced") => server.openai(key).chat.completions.create({ model, messages: user("hi") }).withResponse();
const askStream = (key: string, model = "priced") => server.openai(key).chat.completions.create({ model, messages: user("hi"), stream: true });
const recordsOf = (caller: string) => server.records().filter((r) => r.caller === caller);

function expectBudgetExceeded(error: ApiError, key: string) {
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  expect(error.status).toBe(400);
  expect(error.type).toBe("budget_exceeded");
  expect(error.code).toBe("budget_exceeded");
  expect(error.message).toContain(`Budget has been exceeded for API key "${key}"`);
}

/** Requests until the first refusal (at most 20): the answers' costs, and the refusal. */
async function spendUntilRefused(key: string): Promise<{ costs: number[]; error: ApiError }> {
  const costs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const result = await ask(key).catch((e: ApiError) => e);
    if (result instanceof OpenAI.APIError) return { costs, error: result };
    costs.push(Number(result.response.headers.get("x-litellm-response-cost")));
  }
  throw new Error(`never refused: ${costs.length} answers`);
}

describe("max_budget", () => {
  it("admits requests until the spend reaches the budget, then 400 budget_exceeded naming it and when it resets (budget_duration: 1d)", async () => {
    const { costs, error } = await spendUntilRefused(KEYS.daily);
    expect(costs[0]).toBeCloseTo(COST, 9);
    // Admitted while under the budget: the last one admitted started below it and went over.
    expect(costs).toHaveLength(Math.ceil(0.01 / COST)); // 4
    const spent = costs.reduce((a, b) => a + b, 0);
    expect(spent).toBeGreaterThanOrEqual(0.01);
    expect(spent - costs.at(-1)!).toBeLessThan(0.01);
    expectBudgetExceeded(error, "daily");
    expect(error.message).toContain(`spent $${spent.toFixed(6).replace(/\.?0+$/, "")} of max_budget $0.01 per 1d`);
    // Periods of 1d count from the epoch: it resets at the next midnight UTC.
    const day = 86_400_000;
    const resets = /it resets at (\S+Z)/.exec(error.message)?.[1];
    expect(resets).toBe(new Date((Math.floor(Date.now() / day) + 1) * day).toISOString());
    expect(error.headers?.get("retry-after")).toBeNull();
    // Refused before AWS, and recorded as the budget's refusal.
    expect(emu.requests.filter((r) => r.agentId === "PRICED0000")).toHaveLength(costs.length);
    expect(recordsOf("daily").map((r) => r.limit)).toEqual([...costs.map(() => undefined), "budget"]);
    expect(recordsOf("daily").at(-1)!.status).toBe(400);
  });

  it("says a budget without budget_duration does not reset", async () => {
    const { costs, error } = await spendUntilRefused(KEYS.forever);
    expect(costs).toHaveLength(Math.ceil(0.01 / COST));
    expectBudgetExceeded(error, "forever");
    expect(error.message).toMatch(/max_budget \$0\.01; it does not reset/);
    // And stays refused.
    expectBudgetExceeded(await rejection(ask(KEYS.forever)), "forever");
  });

  it("counts a stream's spend when it ends, not when it starts", async () => {
    // The budget (0.001) is under one answer's cost (0.003186).
    const first = await askStream(KEYS.stream, "priced-slow");
    // While it streams nothing is spent yet: a second stream is admitted.
    const second = await askStream(KEYS.stream, "priced-slow");
    for (const stream of [first, second]) {
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).not.toBe("");
    }
    await expect.poll(() => recordsOf("stream").filter((r) => r.stream === true).length).toBe(2);
    for (const r of recordsOf("stream")) expect(r.cost_usd).toBeCloseTo(COST, 9);
    // Both streams' spend was counted when they ended.
    const error = await rejection(ask(KEYS.stream));
    expectBudgetExceeded(error, "stream");
    expect(error.message).toContain(`spent $${(2 * COST).toFixed(6).replace(/\.?0+$/, "")} of max_budget $0.001;`);
    expect(recordsOf("stream").at(-1)!.limit).toBe("budget");
  });

  it("counts what a stream spent when its client disconnects mid-stream", async () => {
    const stream = await askStream(KEYS.gone, "priced-slow");
    const iterator = stream[Symbol.asyncIterator]();
    let chunk = await iterator.next();
    while (!chunk.done && !chunk.value.choices[0]?.delta.content) chunk = await iterator.next();
    expect(chunk.done).toBe(false);
    stream.controller.abort();
    await expect.poll(() => recordsOf("gone").filter((r) => r.error === "client_disconnected").length, { timeout: 2000 }).toBe(1);
    const gone = recordsOf("gone")[0]!;
    // The agent had already used tokens (pre-processing, before any text): they are paid for.
    expect(gone.input_tokens).toBeGreaterThan(0);
    expect(gone.cost_usd).toBeGreaterThan(0);
    const error = await rejection(ask(KEYS.gone));
    expectBudgetExceeded(error, "gone");
    expect(error.message).toContain(`spent $${(gone.cost_usd as number).toFixed(6).replace(/\.?0+$/, "")} of max_budget $0.000001`);
  });
});
