// API keys with LiteLLM's limits (rpm_limit, tpm_limit, max_parallel_requests), end to end with
// the real openai and Anthropic clients against the Node server: what is admitted, the 429 a
// refusal gets (its type, code, message, retry-after and x-ratelimit-* headers), slots given back
// when a stream ends or its client goes, keys counted apart, and the request log's `limit`.
// Budgets: key-budget.test.ts.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashKey } from "../../src/proxy/auth.ts";
import { DEMO_EXPECTED_USAGE } from "../emulator/scenarios.ts";
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { MASTER, type Served, awayFromMinuteEnd, deployment, rejection, serve, stopAll, track } from "./support/routed.ts";

type ApiError = InstanceType<typeof OpenAI.APIError>;
const KEYS = {
  rpm: "sk-limits-rpm-0123456789",
  rpmOther: "sk-limits-rpm-other-0123456789",
  tpm: "sk-limits-tpm-0123456789",
  parallel: "sk-limits-parallel-0123456789",
  anthropic: "sk-limits-anthropic-0123456789",
};
const DEMO_TOKENS = DEMO_EXPECTED_USAGE.inputTokens + DEMO_EXPECTED_USAGE.outputTokens;

let emu: Emulator;
let server: Served;
beforeAll(async () => {
  emu = track(await startEmulator());
  const key = async (name: keyof typeof KEYS, limits: Record<string, unknown>) => ({ name, key_sha256: await hashKey(KEYS[name]), models: ["agent", "slow", "stalls", "throttled"], ...limits });
  server = await serve({
    model_list: [
      deployment("agent", "agent", emu.url),
      deployment("slow", "slow", `${emu.url}/scenario/slow-first-token:800`),
      deployment("stalls", "stalls", `${emu.url}/scenario/stall:30000`),
      deployment("throttled", "throttled", `${emu.url}/scenario/http-error:ThrottlingException`, { num_retries: 0 }),
    ],
    general_settings: {
      api_keys: [
        await key("rpm", { rpm_limit: 3 }),
        await key("rpmOther", { rpm_limit: 3 }),
        await key("tpm", { tpm_limit: 5000 }),
        await key("parallel", { max_parallel_requests: 2 }),
        await key("anthropic", { rpm_limit: 1 }),
      ],
    },
  });
});
afterAll(stopAll);

const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: "user", content }];
const ask = (key: string, model = "agent") => server.openai(key).chat.completions.create({ model, messages: user("hi") }).withResponse();
const askStream = (key: string, model: string) => server.openai(key).chat.completions.create({ model, messages: user("hi"), stream: true });
/** The request log's records of one key. */
const recordsOf = (caller: string) => server.records().filter((r) => r.caller === caller);

function expect429(error: ApiError, limit: "rpm" | "tpm" | "parallel") {
  expect(error).toBeInstanceOf(OpenAI.RateLimitError);
  expect(error.status).toBe(429);
  expect(error.type).toBe("rate_limit_error");
  expect(error.code).toBe(`${limit}_limit_exceeded`);
  expect(error.message).toContain(limit === "parallel" ? "max_parallel_requests" : `${limit}_limit`);
  expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
}

describe("rpm_limit", () => {
  it("admits exactly rpm_limit of 20 parallel requests; the rest get 429 with retry-after and x-ratelimit-* headers", async () => {
    await awayFromMinuteEnd();
    const settled = await Promise.allSettled(Array.from({ length: 20 }, () => ask(KEYS.rpm)));
    const admitted = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const refused = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as ApiError] : []));
    expect(admitted).toHaveLength(3);
    expect(refused).toHaveLength(17);
    for (const error of refused) {
      expect429(error, "rpm");
      expect(error.message).toMatch(/API key "rpm".*rpm_limit is 3 requests a minute/);
      expect(Number(error.headers?.get("retry-after"))).toBeLessThanOrEqual(61); // until the minute turns
      expect(error.headers?.get("x-ratelimit-limit-requests")).toBe("3");
      expect(error.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    }
    // Answers carry the headers too: what was left after each.
    for (const { response } of admitted) expect(response.headers.get("x-ratelimit-limit-requests")).toBe("3");
    expect(admitted.map(({ response }) => response.headers.get("x-ratelimit-remaining-requests")).sort()).toEqual(["0", "1", "2"]);
    // Refused before AWS: the emulator saw 3 calls of this key's.
    const records = recordsOf("rpm");
    expect(records.filter((r) => r.status === 200)).toHaveLength(3);
    expect(records.filter((r) => r.status === 429).map((r) => r.limit)).toEqual(Array(17).fill("rpm"));
    expect(records.filter((r) => r.status === 200).every((r) => r.limit === undefined)).toBe(true);
  });

  it("counts each key apart, and never limits the master key", async () => {
    // rpm's minute is used up (test above, same minute unless it just turned); rpmOther has its own 3.
    await awayFromMinuteEnd();
    for (let i = 0; i < 3; i++) expect((await ask(KEYS.rpmOther)).response.status).toBe(200);
    expect429(await rejection(ask(KEYS.rpmOther)), "rpm");
    for (let i = 0; i < 10; i++) {
      const { response } = await ask(MASTER);
      expect(response.status).toBe(200);
      expect(response.headers.get("x-ratelimit-limit-requests")).toBeNull();
    }
    expect(recordsOf("master key").every((r) => r.limit === undefined && r.status === 200)).toBe(true);
  });
});

describe("tpm_limit", () => {
  it("refuses once the tokens of finished answers reach it", async () => {
    await awayFromMinuteEnd();
    // 2,968 tokens an answer: the first two start under 5,000, the third finds 5,936 used.
    const first = await ask(KEYS.tpm);
    expect(first.response.headers.get("x-ratelimit-limit-tokens")).toBe("5000");
    expect(first.response.headers.get("x-ratelimit-remaining-tokens")).toBe("5000");
    const second = await ask(KEYS.tpm);
    expect(second.response.headers.get("x-ratelimit-remaining-tokens")).toBe(String(5000 - DEMO_TOKENS));
    const error = await rejection(ask(KEYS.tpm));
    expect429(error, "tpm");
    expect(error.message).toContain(`tpm_limit is 5000 tokens a minute, ${2 * DEMO_TOKENS} used`);
    expect(error.headers?.get("x-ratelimit-limit-tokens")).toBe("5000");
    expect(error.headers?.get("x-ratelimit-remaining-tokens")).toBe("0");
    expect(recordsOf("tpm").map((r) => [r.status, r.limit])).toEqual([[200, undefined], [200, undefined], [429, "tpm"]]);
  });
});

describe("max_parallel_requests", () => {
  it("admits 2 streams of 6 at once, and admits again once they end", async () => {
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => askStream(KEYS.parallel, "slow")));
    const streams = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const refused = settled.flatMap((s) => (s.status === "rejected" ? [s.reason as ApiError] : []));
    expect(streams).toHaveLength(2);
    expect(refused).toHaveLength(4);
    for (const error of refused) {
      expect429(error, "parallel");
      expect(error.message).toContain("max_parallel_requests is 2, all in flight");
      expect(error.headers?.get("retry-after")).toBe("1");
    }
    // Still in flight (the first token is 800 ms away): a seventh is refused too.
    expect429(await rejection(askStream(KEYS.parallel, "slow")), "parallel");
    for (const stream of streams) {
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).not.toBe("");
    }
    // Both slots back: two at once again.
    const again = await Promise.all([ask(KEYS.parallel), ask(KEYS.parallel)]);
    expect(again.map(({ response }) => response.status)).toEqual([200, 200]);
    expect(recordsOf("parallel").filter((r) => r.status === 429).map((r) => r.limit)).toEqual(Array(5).fill("parallel"));
  });

  it("gives a slot back when the client disconnects mid-stream", async () => {
    const closedBefore = emu.closedEarly;
    // stall:30000 sends a chunk, then nothing for 30 s: these streams only end by the client going.
    const streams = await Promise.all([askStream(KEYS.parallel, "stalls"), askStream(KEYS.parallel, "stalls")]);
    for (const stream of streams) {
      const iterator = stream[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
    }
    expect429(await rejection(ask(KEYS.parallel)), "parallel");
    for (const stream of streams) stream.controller.abort();
    // The server sees the disconnects, ends the records, and frees both slots.
    await expect.poll(() => recordsOf("parallel").filter((r) => r.error === "client_disconnected").length, { timeout: 2000 }).toBe(2);
    const again = await Promise.all([ask(KEYS.parallel), ask(KEYS.parallel)]);
    expect(again.map(({ response }) => response.status)).toEqual([200, 200]);
    // And the agent's streams were cancelled upstream too.
    await expect.poll(() => emu.closedEarly - closedBefore, { timeout: 2000 }).toBe(2);
  });

  it("gives a slot back when the call fails", async () => {
    // One after another with two slots: had failed calls kept theirs, the third would be refused by the limit.
    for (let i = 0; i < 3; i++) {
      const error = await rejection(ask(KEYS.parallel, "throttled"));
      expect(error.status).toBe(429);
      expect(error.code).toBe("ThrottlingException");
    }
    expect((await ask(KEYS.parallel)).response.status).toBe(200);
  });
});

describe("the Messages API", () => {
  it("gets the 429 in Anthropic's error shape, with the same headers", async () => {
    await awayFromMinuteEnd();
    const anthropic = new Anthropic({ baseURL: server.url, apiKey: KEYS.anthropic, maxRetries: 0 });
    const message = await anthropic.messages.create({ model: "agent", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    expect(message.type).toBe("message");
    const error = await rejection<InstanceType<typeof Anthropic.APIError>>(anthropic.messages.create({ model: "agent", max_tokens: 100, messages: [{ role: "user", content: "hi" }] }));
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.error).toEqual({ type: "error", error: { type: "rate_limit_error", message: expect.stringContaining("rpm_limit is 1 requests a minute") } });
    expect(Number(error.headers?.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(error.headers?.get("x-ratelimit-limit-requests")).toBe("1");
    expect(error.headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(recordsOf("anthropic").map((r) => [r.route, r.status, r.limit])).toEqual([
      ["/v1/messages", 200, undefined],
      ["/v1/messages", 429, "rpm"],
    ]);
  });
});
