// Several deployments of one model_name, end to end with the real openai client against the
// Node server and an emulator of our own (its requests name the agent id, so the deployment):
// the model listed once, new sessions spread by weight, sessions staying where they began (chat,
// Responses, a named session, A2A), least-busy and latency-based routing.
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { demoAnswer } from "../emulator/scenarios.ts";
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { TaskState, a2aClient, answerText, asTask, text, userMessage } from "./support/a2a-client.ts";
import { MASTER, agentOf, countBy, deployment, deploymentOf, serve, sleep, stopAll, track } from "./support/routed.ts";

let emu: Emulator;
beforeAll(async () => {
  emu = track(await startEmulator());
});
beforeEach(() => emu.reset());
afterAll(stopAll);

const MARK = /^d[0-9a-f]{8}_/;
const user = (content: string): OpenAI.ChatCompletionMessageParam[] => [{ role: "user", content }];

/** A chat turn: the answer, the session id and deployment the endpoint named. */
async function chat(openai: OpenAI, model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const { data, response } = await openai.chat.completions
    .create({ model, messages: user("hi"), ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers })
    .withResponse();
  return { data, session: response.headers.get("x-bedrock-agent-session-id")!, deployment: response.headers.get("x-litellm-model-id") };
}

/** `n` calls of `fn`, `width` at a time. */
async function inBatches<T>(n: number, width: number, fn: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < n; i += width) results.push(...(await Promise.all(Array.from({ length: Math.min(width, n - i) }, fn))));
  return results;
}

describe("new sessions spread over the deployments of a model", () => {
  it("lists the model once, reaches both deployments, and names the one that answered in x-litellm-model-id", async () => {
    // No model_info.id: the ids are derived (8 hex digits), one per deployment.
    const server = await serve({
      model_list: [deployment("agent", "east", emu.url, {}, {}), deployment("agent", "west", emu.url, {}, {})],
    });
    const models = await server.openai().models.list();
    expect(models.data.map((m) => m.id)).toEqual(["agent"]);

    const answers = await inBatches(40, 10, () => chat(server.openai(), "agent"));
    const counts = countBy(emu.requests, ["east", "west"]);
    expect(counts.east + counts.west).toBe(40);
    // Random picks leave one out with probability 2 × 2^-40.
    expect(counts.east).toBeGreaterThan(0);
    expect(counts.west).toBeGreaterThan(0);
    const ids = new Set(answers.map((a) => a.deployment));
    expect(ids.size).toBe(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
    // Each answer's header names the deployment its session went to, consistently.
    const idOf = new Map<string, string>();
    for (const answer of answers) {
      const agent = deploymentOf(emu.requests.find((r) => r.sessionId === answer.session), ["east", "west"])!;
      expect(idOf.get(agent) ?? answer.deployment).toBe(answer.deployment);
      idOf.set(agent, answer.deployment!);
      expect(answer.data.model).toBe("agent");
    }
    expect(idOf.size).toBe(2);
    // A streamed answer names its deployment too.
    const { response } = await server.openai().chat.completions.create({ model: "agent", messages: user("hi"), stream: true }).withResponse();
    expect([...idOf.values()]).toContain(response.headers.get("x-litellm-model-id"));
    await response.text();
  });

  it("gives each deployment its weight's share, and names it by model_info.id", async () => {
    const server = await serve({
      model_list: [deployment("agent", "heavy", emu.url, { weight: 9 }), deployment("agent", "light", emu.url, { weight: 1 })],
    });
    const answers = await inBatches(200, 20, () => chat(server.openai(), "agent"));
    const counts = countBy(emu.requests, ["heavy", "light"]);
    expect(counts.heavy + counts.light).toBe(200);
    // Expected 180 / 20 (sd ≈ 4.2): 150 is 7 sd away, and equal weights would give ≈ 100.
    expect(counts.heavy).toBeGreaterThan(150);
    expect(counts.light).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(answer.deployment).toBe(deploymentOf(emu.requests.find((r) => r.sessionId === answer.session), ["heavy", "light"]));
    }
  });
});

describe("a session stays on the deployment that started it", () => {
  const twoDeployments = () => serve({ model_list: [deployment("agent", "east", emu.url), deployment("agent", "west", emu.url)] });

  it("continues a chat session for 10 turns on its deployment, by the session id in the body or the header", async () => {
    const server = await twoDeployments();
    const first = await chat(server.openai(), "agent");
    expect(first.session).toMatch(MARK);
    for (let turn = 0; turn < 10; turn++) {
      const next = turn % 2 === 0 ? await chat(server.openai(), "agent", { session_id: first.session }) : await chat(server.openai(), "agent", {}, { "x-bedrock-agent-session-id": first.session });
      expect(next.session).toBe(first.session);
      expect(next.deployment).toBe(first.deployment);
    }
    const sent = emu.requests.filter((r) => r.sessionId === first.session);
    expect(sent).toHaveLength(11);
    // Unrouted, 11 turns would land on one deployment with probability 2^-10.
    expect(new Set(sent.map((r) => r.agentId))).toEqual(new Set([agentOf(first.deployment!)]));
  });

  it("continues a Responses session by previous_response_id alone", async () => {
    const server = await twoDeployments();
    const openai = server.openai();
    let { data, response } = await openai.responses.create({ model: "agent", input: "Hello" }).withResponse();
    const where = response.headers.get("x-litellm-model-id");
    const session = response.headers.get("x-bedrock-agent-session-id")!;
    expect(session).toMatch(MARK);
    for (let turn = 0; turn < 10; turn++) {
      ({ data, response } = await openai.responses.create({ model: "agent", input: `Turn ${turn}`, previous_response_id: data.id }).withResponse());
      expect(response.headers.get("x-litellm-model-id")).toBe(where);
      expect(response.headers.get("x-bedrock-agent-session-id")).toBe(session);
    }
    expect(data.output_text).toBe(demoAnswer("Turn 9"));
    const sent = emu.requests.filter((r) => r.sessionId === session);
    expect(sent).toHaveLength(11);
    expect(new Set(sent.map((r) => deploymentOf(r, ["east", "west"])))).toEqual(new Set([where]));
  });

  it("sends a session the client named itself to one deployment every time", async () => {
    const server = await twoDeployments();
    const turns = [];
    for (let i = 0; i < 10; i++) turns.push(await chat(server.openai(), "agent", { session_id: "my-chat-1" }));
    expect(new Set(turns.map((t) => t.session))).toEqual(new Set(["my-chat-1"]));
    expect(new Set(turns.map((t) => t.deployment)).size).toBe(1);
    const sent = emu.requests.filter((r) => r.sessionId === "my-chat-1");
    expect(sent).toHaveLength(10);
    expect(new Set(sent.map((r) => deploymentOf(r, ["east", "west"])))).toEqual(new Set([turns[0]!.deployment]));
    // A fresh server (no state) sends the name to the same deployment: the name decides, nothing stored.
    const again = await twoDeployments();
    expect((await chat(again.openai(), "agent", { session_id: "my-chat-1" })).deployment).toBe(turns[0]!.deployment);
  });

  it("keeps an A2A context on its deployment, with the official client", async () => {
    const server = await twoDeployments();
    const client = await a2aClient(server.url, "agent", MASTER);
    const first = asTask(await client.sendMessage(userMessage([text("Hello")])));
    expect(answerText(first)).toBe(demoAnswer("Hello"));
    expect(first.contextId).toMatch(MARK);
    for (let turn = 0; turn < 8; turn++) {
      const next = asTask(await client.sendMessage(userMessage([text(`Turn ${turn}`)], { contextId: first.contextId })));
      expect(next.contextId).toBe(first.contextId);
      expect(answerText(next)).toBe(demoAnswer(`Turn ${turn}`));
    }
    const sent = emu.requests.filter((r) => r.sessionId === first.contextId);
    expect(sent).toHaveLength(9);
    expect(new Set(sent.map((r) => r.agentId)).size).toBe(1);
    const record = server.records().filter((r) => r.route === "/a2a/:model" || String(r.path).startsWith("/a2a/")).at(-1)!;
    expect(record.deployment).toBe(deploymentOf(sent[0], ["east", "west"]));
  });

  it("keeps an A2A task waiting for tool results on its deployment when the message names only its taskId", async () => {
    const tools = (id: string) => deployment("agent", id, `${emu.url}/scenario/return-control`);
    const server = await serve({ model_list: [tools("east"), tools("west")] });
    const client = await a2aClient(server.url, "agent", MASTER);
    for (let trial = 0; trial < 4; trial++) {
      const asked = asTask(await client.sendMessage(userMessage([text("Plan my trip to Lisbon")])));
      expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      const calls = (asked.status!.message!.parts.find((p) => p.content?.$case === "data")!.content as { value: { tool_calls: Array<{ id: string; name: string }> } }).value.tool_calls;
      const results = calls.map((call) => ({ id: call.id, output: `${call.name} done` }));
      // No contextId: the task id alone says where the task lives.
      const done = asTask(await client.sendMessage(userMessage([{ data: { tool_results: results } }], { taskId: asked.id })));
      expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      const sent = emu.requests.filter((r) => r.sessionId === asked.contextId);
      expect(sent).toHaveLength(2);
      expect(new Set(sent.map((r) => r.agentId)).size).toBe(1);
    }
  });
});

describe("routing strategies", () => {
  it("least-busy sends each new request to the deployment with fewer calls in flight", async () => {
    const slow = (id: string) => deployment("agent", id, `${emu.url}/scenario/slow-first-token:1500`);
    const server = await serve({ model_list: [slow("east"), slow("west")], router_settings: { routing_strategy: "least-busy" } });
    // One request at a time, each once the emulator has the one before: all are still in flight.
    const pending: Array<Promise<unknown>> = [];
    for (let i = 0; i < 10; i++) {
      pending.push(chat(server.openai(), "agent"));
      await expect.poll(() => emu.requests.length, { interval: 5, timeout: 1000 }).toBe(i + 1);
    }
    const order = emu.requests.map((r) => deploymentOf(r, ["east", "west"]));
    // Every second request goes where the first of its pair did not: both then hold as many.
    // (Picking at random, all 5 pairs split with probability 1/32.)
    for (let i = 0; i < 10; i += 2) expect(order[i + 1]).not.toBe(order[i]);
    expect(countBy(emu.requests, ["east", "west"])).toEqual({ east: 5, west: 5 });
    await Promise.all(pending);
  });

  it("latency-based-routing sends new requests to the faster deployment once both are measured", async () => {
    const server = await serve({
      model_list: [deployment("agent", "slow", `${emu.url}/scenario/slow-first-token:300`), deployment("agent", "fast", emu.url)],
      router_settings: { routing_strategy: "latency-based-routing" },
    });
    for (let i = 0; i < 20; i++) await chat(server.openai(), "agent");
    const counts = countBy(emu.requests, ["slow", "fast"]);
    // An unmeasured deployment counts as the fastest, so the slow one is tried once (twice at most).
    expect(counts.slow).toBeGreaterThanOrEqual(1);
    expect(counts.slow).toBeLessThanOrEqual(2);
    expect(counts.fast).toBeGreaterThanOrEqual(18);
    // And it stays measured: a pause changes nothing.
    await sleep(50);
    await chat(server.openai(), "agent");
    expect(deploymentOf(emu.requests.at(-1), ["slow", "fast"])).toBe("fast");
  });
});
