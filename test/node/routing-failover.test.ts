// When deployments fail: a new request is retried on another deployment (num_retries), a
// failing deployment cools down (allowed_fails, cooldown_time) and is tried again after, a model
// whose deployments all failed falls back to another (fallbacks), a continued session whose
// deployment is gone starts again elsewhere when the client sent its history. The caller's own
// mistakes are never retried. Real openai client, Node server, emulators of our own (one is
// stopped to make its deployment fail: a refused connection, as a dead endpoint gives).
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoAnswer } from "../emulator/scenarios.ts";
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { awayFromMinuteEnd, countBy, deployment, rejection, serve, sleep, stopAll, track } from "./support/routed.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = track(await startEmulator());
});
beforeEach(() => emu.reset());
afterAll(stopAll);

const THROTTLED = "http-error:ThrottlingException";
const MARK = /^d[0-9a-f]{8}_/;
const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: "user", content }];

async function chat(openai: OpenAI, model: string, extra: Record<string, unknown> = {}) {
  const { data, response } = await openai.chat.completions.create({ model, messages: user("hi"), ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
  return { data, session: response.headers.get("x-bedrock-agent-session-id")!, deployment: response.headers.get("x-litellm-model-id") };
}

/** A chat's HTTP status (200, or the error's). */
const statusOf = (openai: OpenAI, model = "agent") => chat(openai, model).then(() => 200, (e: InstanceType<typeof OpenAI.APIError>) => e.status);

describe("a throttled deployment beside a healthy one", () => {
  it("answers every new request from the healthy one, cools the throttled one down after allowed_fails, and tries it again after cooldown_time", async () => {
    const server = await serve({
      model_list: [deployment("agent", "bad", `${emu.url}/scenario/${THROTTLED}`), deployment("agent", "good", emu.url)],
      router_settings: { allowed_fails: 3, cooldown_time: 1.5 },
    });
    const bad = () => countBy(emu.requests, ["bad"]).bad;
    // Failures are counted per minute: three of them must fall in one.
    await awayFromMinuteEnd();
    for (let i = 0; i < 60 && bad() < 3; i++) expect((await chat(server.openai(), "agent")).deployment).toBe("good");
    const cooledAt = Date.now();
    expect(bad()).toBe(3);
    const records = server.records();
    const retried = records.filter((r) => r.retries !== undefined);
    expect(retried).toHaveLength(3);
    for (const r of retried) expect(r).toMatchObject({ status: 200, retries: 1, deployment: "good" });
    // The third failure put it in cooldown, and that request's record says so.
    expect(records.filter((r) => r.cooldowns !== undefined).map((r) => r.cooldowns)).toEqual(["bad"]);
    expect(records.at(-1)!.cooldowns).toBe("bad");

    // Cooling down: not tried at all, every request straight to the healthy one.
    for (let i = 0; i < 10; i++) expect((await chat(server.openai(), "agent")).deployment).toBe("good");
    expect(Date.now() - cooledAt).toBeLessThan(1500); // still within cooldown_time
    expect(bad()).toBe(3);
    expect(server.records().slice(-10).every((r) => r.retries === undefined)).toBe(true);

    // After cooldown_time it is picked again (and fails again, the request still answered).
    await sleep(1600);
    for (let i = 0; i < 40 && bad() === 3; i++) expect((await chat(server.openai(), "agent")).deployment).toBe("good");
    expect(bad()).toBe(4);
    expect(server.records().at(-1)).toMatchObject({ status: 200, retries: 1, deployment: "good" });
  });

  it("with num_retries: 0 gives the first deployment's failure to the client; with num_retries: 1 retries on the other", async () => {
    const config = (numRetries: number) => ({
      model_list: [deployment("agent", "bad", `${emu.url}/scenario/${THROTTLED}`), deployment("agent", "good", emu.url)],
      router_settings: { num_retries: numRetries },
    });
    const none = await serve(config(0));
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await statusOf(none.openai()))!);
    const failed = statuses.filter((s) => s !== 200);
    expect(failed.length).toBeGreaterThan(0); // the throttled one is picked at least once (1 - 2^-20)
    expect(new Set(failed)).toEqual(new Set([429]));
    // One call per request: a failed one reached the throttled deployment only.
    expect(countBy(emu.requests, ["bad", "good"])).toEqual({ bad: failed.length, good: 20 - failed.length });
    expect(none.records().every((r) => r.retries === undefined)).toBe(true);

    emu.reset();
    const one = await serve(config(1));
    for (let i = 0; i < 20; i++) expect(await statusOf(one.openai())).toBe(200);
    const counts = countBy(emu.requests, ["bad", "good"]);
    expect(counts.bad).toBeGreaterThan(0);
    expect(counts.good).toBe(20);
    expect(one.records().filter((r) => r.retries === 1)).toHaveLength(counts.bad);
  });

  it("never retries the caller's own mistake (an AWS 400) on another deployment, nor counts it toward a cooldown", async () => {
    const invalid = `${emu.url}/scenario/http-error:ValidationException`;
    const server = await serve({
      model_list: [deployment("agent", "east", invalid), deployment("agent", "west", invalid)],
      router_settings: { num_retries: 3, allowed_fails: 1 },
    });
    for (let i = 0; i < 10; i++) {
      const error = await rejection(chat(server.openai(), "agent"));
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    }
    const counts = countBy(emu.requests, ["east", "west"]);
    expect(counts.east + counts.west).toBe(10);
    // allowed_fails: 1 would have cooled the first one down: both keep being picked (1 - 2^-9).
    expect(counts.east).toBeGreaterThan(0);
    expect(counts.west).toBeGreaterThan(0);
    for (const r of server.records()) {
      expect(r).toMatchObject({ status: 400, aws_code: "ValidationException" });
      expect(r.retries).toBeUndefined();
      expect(r.cooldowns).toBeUndefined();
    }
  });
});

describe("a model with one deployment", () => {
  it("retries a throttled call (num_retries, 2 by default), as before routing existed", async () => {
    // flaky:1 throttles a session's first call only: one retry answers it.
    const server = await serve({ model_list: [deployment("agent", "only", `${emu.url}/scenario/flaky:1:ThrottlingException`)] });
    expect(await statusOf(server.openai())).toBe(200);
    expect(emu.requests.map((r) => r.status)).toEqual([429, 200]);
  });
});

describe("fallbacks", () => {
  for (const section of ["router_settings", "litellm_settings"]) {
    it(`answers model "a" from model "b" when a's only deployment fails (fallbacks in ${section})`, async () => {
      const server = await serve({
        model_list: [deployment("a", "a1", `${emu.url}/scenario/${THROTTLED}`), deployment("b", "b1", emu.url)],
        [section]: { fallbacks: [{ a: ["b"] }] },
      });
      const { data, deployment: answeredBy, session } = await chat(server.openai(), "a");
      expect(answeredBy).toBe("b1");
      expect(data.choices[0]!.message.content).toBe(demoAnswer("hi"));
      // The response names the model that answered: the fallback's model_name, not the one asked for.
      expect(data.model).toBe("b");
      expect(session).not.toMatch(MARK); // b has one deployment: no mark needed
      expect(countBy(emu.requests, ["a1", "b1"])).toEqual({ a1: 1, b1: 1 });
      const record = server.records().at(-1)!;
      expect(record).toMatchObject({ status: 200, model: "a", fallback: "b", deployment: "b1" });
    });
  }

  it("records no retries when the failed model had no other deployment to retry on", async () => {
    const server = await serve({
      model_list: [deployment("a", "a1", `${emu.url}/scenario/${THROTTLED}`), deployment("b", "b1", emu.url)],
      router_settings: { fallbacks: [{ a: ["b"] }] },
    });
    await chat(server.openai(), "a");
    expect(server.records().at(-1)!.retries).toBeUndefined();
  });
});

describe("a continued session whose deployment has gone", () => {
  it("does not answer a previous_response_id from a fallback model that never saw its session", async () => {
    const home = track(await startEmulator());
    const server = await serve({ model_list: [deployment("a", "a1", home.url), deployment("b", "b1", emu.url)], router_settings: { fallbacks: [{ a: ["b"] }] } });
    const openai = server.openai();
    const response = await openai.responses.create({ model: "a", input: "Remember this" });
    await home.close();
    const error = await rejection(openai.responses.create({ model: "a", input: "And then?", previous_response_id: response.id }));
    expect(error?.status).toBe(503);
    expect(error.message).toContain("deployment a1");
    expect(emu.requests).toHaveLength(0);
  });

  it("starts a new session elsewhere for a client that sent its history; refuses (503) one that sent only previous_response_id", async () => {
    const east = track(await startEmulator());
    const west = track(await startEmulator());
    const emulators: Record<string, Emulator> = { east, west };
    const server = await serve({ model_list: [deployment("agent", "east", east.url), deployment("agent", "west", west.url)] });
    const openai = server.openai();
    const first = await chat(openai, "agent");
    const home = first.deployment!;
    const other = home === "east" ? "west" : "east";
    expect(first.session).toMatch(MARK);
    // A Responses turn in the same session: its response id carries the session.
    const response = await openai.responses.create({ model: "agent", input: "Remember this", session_id: first.session } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(emulators[home]!.requests.filter((r) => r.sessionId === first.session)).toHaveLength(2);

    await emulators[home]!.close(); // the deployment now fails: connection refused

    // (a) The whole history with the session id: a new session on the other deployment.
    const history: OpenAI.ChatCompletionMessageParam[] = [...user("hi"), { role: "assistant", content: first.data.choices[0]!.message.content! }, ...user("And now?")];
    const moved = await openai.chat.completions.create({ model: "agent", messages: history, session_id: first.session } as OpenAI.ChatCompletionCreateParamsNonStreaming).withResponse();
    expect(moved.response.status).toBe(200);
    expect(moved.response.headers.get("x-litellm-model-id")).toBe(other);
    const newSession = moved.response.headers.get("x-bedrock-agent-session-id")!;
    expect(newSession).toMatch(MARK);
    expect(newSession).not.toBe(first.session);
    expect(emulators[other]!.requests.map((r) => r.sessionId)).toEqual([newSession]);
    expect(server.records().at(-1)).toMatchObject({ status: 200, deployment: other, moved_from: home, session_id: newSession });
    // The new session goes on where it now lives.
    expect((await chat(openai, "agent", { session_id: newSession })).deployment).toBe(other);

    // (b) Only a response id: only the old deployment holds that session, so a 503 that names it.
    const error = await rejection(openai.responses.create({ model: "agent", input: "And then?", previous_response_id: response.id }));
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.code).toBe("session_deployment_unavailable");
    expect(error.message).toContain(`deployment ${home}`);
    expect(emulators[other]!.requests).toHaveLength(2); // nothing else was asked
    expect(server.records().at(-1)).toMatchObject({ status: 503, error: "session_deployment_unavailable" });
  });
});

describe("a continued session whose deployment is at its rpm", () => {
  it("moves a chat that sent its history; refuses (429) a Responses turn that sent only previous_response_id", async () => {
    const server = await serve({ model_list: [deployment("agent", "east", emu.url, { rpm: 2 }), deployment("agent", "west", emu.url, { rpm: 2 })] });
    const openai = server.openai();
    await awayFromMinuteEnd();
    const first = await openai.responses.create({ model: "agent", input: "Remember this" }).withResponse();
    const home = first.response.headers.get("x-litellm-model-id")!;
    // The second of home's two requests this minute, in the same session.
    const second = await openai.responses.create({ model: "agent", input: "And this", previous_response_id: first.data.id }).withResponse();
    expect(second.response.headers.get("x-litellm-model-id")).toBe(home);
    const refused = await rejection(openai.responses.create({ model: "agent", input: "And then?", previous_response_id: second.data.id }));
    expect(refused.status).toBe(429);
    expect(refused.message).toContain(`Deployment ${home} of \`agent\`, where this session lives, is at its rpm or tpm`);
    const session = first.response.headers.get("x-bedrock-agent-session-id")!;
    const moved = await chat(openai, "agent", { session_id: session, messages: [...user("hi"), { role: "assistant", content: "Hello" }, ...user("again")] });
    expect(moved.deployment).not.toBe(home);
    expect(moved.session).not.toBe(session);
    expect(server.records().at(-1)).toMatchObject({ status: 200, moved_from: home });
  });
});
