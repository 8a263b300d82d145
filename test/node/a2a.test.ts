// The endpoint as an A2A agent per model, end to end with the official client (@a2a-js/sdk 1.3.0,
// 1.0 and its 0.3 compat layer) against the Node server: an Agents Classic agent, an AgentCore
// harness and a runtime, answered by the emulator.
import { RequestMalformedError, TaskNotFoundError, UnsupportedOperationError } from "@a2a-js/sdk/errors";
import type { Client } from "@a2a-js/sdk/client";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { HARNESS_ARN, HARNESS_TOOL_ARGUMENTS, RUNTIME_ARN, harnessAnswer, harnessToolAnswer, runtimeAnswer } from "../emulator/agentcore-scenarios.ts";
import { DEMO_EXPECTED_USAGE, DEMO_REASONING_TEXT, EXCEPTION_MID_STREAM_TEXT, RETURN_CONTROL_INPUTS, demoAnswer, exceptionPayload } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { TaskState, a2aClient, answerText, asTask, legacyA2aClient, statusData, text, userMessage } from "./support/a2a-client.ts";
import { emulatedAgentCore, emulatedModel } from "./support/emulated-model.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-a2a-master-0123456789";
const TEAM = "sk-a2a-team-0123456789";
const DESCRIPTION = "Plans trips to Lisbon";

let server: { url: string; close(): Promise<void> };
const logLines: string[] = [];

beforeAll(async () => {
  const raw = {
    model_list: [
      { ...emulatedModel("agent"), model_info: { description: DESCRIPTION } },
      emulatedModel("demo-agent"),
      emulatedModel("tools", "return-control"),
      emulatedModel("fails", "exception-mid-stream:internalServerException"),
      emulatedModel("slow", "slow-first-token:900"),
      emulatedModel("cited", "citations"),
      emulatedModel("files", "files"),
      emulatedModel("stalls", "stall:30000"),
      emulatedAgentCore("harness", HARNESS_ARN),
      emulatedAgentCore("harness-tools", HARNESS_ARN, "tools"),
      emulatedAgentCore("runtime", RUNTIME_ARN),
    ],
    general_settings: {
      master_key: MASTER,
      stream_keepalive_seconds: 0.2,
      api_keys: [{ name: "team", key_sha256: await hashKey(TEAM), models: ["agent", "fails"] }],
    },
  };
  server = await startServer({ config: parseConfig(raw, { lookup: () => undefined }), port: 0, log: (line) => logLines.push(line) });
});
afterAll(() => server?.close());

async function recorded(session: string): Promise<RecordedRequest[]> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[]).filter((r) => r.sessionId === session);
}

/** Every event of a stream, as the SDK yields them. */
async function streamOf(client: Client, params: ReturnType<typeof userMessage>) {
  const events = [];
  for await (const event of client.sendMessageStream(params)) events.push(event);
  return events;
}

type StreamEvents = Awaited<ReturnType<typeof streamOf>>;
const artifactTexts = (events: StreamEvents) =>
  events.flatMap((e) => (e.payload?.$case === "artifactUpdate" ? e.payload.value.artifact!.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")) : []));
const lastStatus = (events: StreamEvents) => {
  const last = events.at(-1)!;
  if (last.payload?.$case !== "statusUpdate") throw new Error(`the stream ended with ${last.payload?.$case}`);
  return last.payload.value;
};

/** A raw JSON-RPC call; the parsed reply. */
async function rpc(model: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/a2a/${model}`, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json", "a2a-version": "1.0", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as { id: unknown; error?: { code: number; message: string; data?: unknown }; result?: unknown } };
}

describe("the agent card", () => {
  it("serves a 1.0 card the official client reads, with this endpoint's absolute URL and the return-of-control extension", async () => {
    const client = await a2aClient(server.url, "agent", MASTER);
    const card = await client.getAgentCard();
    expect(card.name).toBe("agent");
    expect(card.description).toBe(DESCRIPTION);
    expect(card.supportedInterfaces[0]).toMatchObject({ url: `${server.url}/a2a/agent`, protocolBinding: "JSONRPC", protocolVersion: "1.0" });
    expect(card.capabilities?.streaming).toBe(true);
    expect(card.capabilities?.pushNotifications).toBe(false);
    expect(card.capabilities?.extensions.map((e) => e.uri)).toEqual(["urn:bedrock-agents-openai:a2a:return-of-control:v1"]);
    expect(Object.keys(card.securitySchemes)).toEqual(["bearer"]);
    expect(card.skills).toHaveLength(1);
    const harness = await (await a2aClient(server.url, "harness", MASTER)).getAgentCard();
    expect(harness.description).toMatch(/AgentCore harness/);
    expect(harness.defaultInputModes).toEqual(["text/plain"]);
  });

  it("serves the 0.3 shape to a request without A2A-Version, at agent-card.json and the legacy agent.json", async () => {
    for (const file of ["agent-card.json", "agent.json"]) {
      const response = await fetch(`${server.url}/a2a/agent/.well-known/${file}`, { headers: { authorization: `Bearer ${MASTER}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get("vary")).toMatch(/A2A-Version/i);
      const card = (await response.json()) as Record<string, unknown>;
      expect(card).toMatchObject({ protocolVersion: "0.3.0", url: `${server.url}/a2a/agent`, preferredTransport: "JSONRPC", security: [{ bearer: [] }] });
      expect(card.supportedInterfaces).toBeUndefined();
    }
  });

  it("refuses a missing key with 401 and a Bearer challenge, and hides a model the key may not use (404)", async () => {
    const missing = await fetch(`${server.url}/a2a/agent/.well-known/agent-card.json`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toBe("Bearer");
    const post = await fetch(`${server.url}/a2a/agent`, { method: "POST", body: "{}" });
    expect(post.status).toBe(401);
    await expect(a2aClient(server.url, "agent", undefined)).rejects.toThrow(/401/);
    await expect(a2aClient(server.url, "tools", TEAM)).rejects.toThrow(/404/);
    const hidden = await fetch(`${server.url}/a2a/tools`, { method: "POST", headers: { authorization: `Bearer ${TEAM}` }, body: "{}" });
    expect(hidden.status).toBe(404);
    await expect((await a2aClient(server.url, "agent", TEAM)).getAgentCard()).resolves.toMatchObject({ name: "agent" });
  });
});

describe("SendMessage and SendStreamingMessage", () => {
  it("answers a blocking send from Agents Classic with the finished task: answer artifact, thoughts, usage and cost", async () => {
    const client = await a2aClient(server.url, "agent", MASTER);
    const task = asTask(await client.sendMessage(userMessage([text("Hello there")])));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(answerText(task)).toBe(demoAnswer("Hello there"));
    expect(task.id).toMatch(/^task-/);
    expect(task.contextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(task.metadata?.usage).toEqual(DEMO_EXPECTED_USAGE);
    expect(typeof task.metadata?.cost).toBe("number");
    const thoughts = task.history.filter((m) => m.metadata?.thought === true);
    expect(thoughts.map((m) => (m.parts[0]?.content?.$case === "text" ? m.parts[0].content.value : "")).join("")).toContain(DEMO_REASONING_TEXT);
  });

  it("streams the task, working, thoughts, the answer appended piece by piece, and the final status with usage", async () => {
    const client = await a2aClient(server.url, "agent", MASTER);
    const events = await streamOf(client, userMessage([text("Stream it")]));
    expect(events[0]!.payload?.$case).toBe("task");
    const first = events[0]!.payload!.value as { id: string; contextId: string };
    expect(events[1]!.payload).toMatchObject({ $case: "statusUpdate", value: { status: { state: TaskState.TASK_STATE_WORKING } } });
    const pieces = artifactTexts(events);
    expect(pieces.join("")).toBe(demoAnswer("Stream it"));
    expect(pieces.filter(Boolean).length).toBeGreaterThan(3);
    const updates = events.flatMap((e) => (e.payload?.$case === "artifactUpdate" ? [e.payload.value] : []));
    expect(updates[0]!.append).toBe(false);
    expect(updates.slice(1).every((u) => u.append)).toBe(true);
    expect(updates.at(-1)!.lastChunk).toBe(true);
    const thoughtAt = events.findIndex((e) => e.payload?.$case === "statusUpdate" && e.payload.value.status?.message?.metadata?.thought === true);
    expect(thoughtAt).toBeGreaterThan(1);
    const final = lastStatus(events);
    expect(final.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(final.metadata?.usage).toEqual(DEMO_EXPECTED_USAGE);
    expect(final.taskId).toBe(first.id);
    expect(final.contextId).toBe(first.contextId);
  });

  it("puts the task on the wire at once and keeps the stream alive while the agent thinks", async () => {
    const bodies: string[] = [];
    const client = await a2aClient(server.url, "slow", MASTER, bodies);
    const started = performance.now();
    const stream = client.sendMessageStream(userMessage([text("Take your time")]));
    const first = await stream.next();
    expect(first.value?.payload?.$case).toBe("task");
    expect(performance.now() - started).toBeLessThan(800);
    let answer = "";
    for await (const event of stream) if (event.payload?.$case === "artifactUpdate") answer += event.payload.value.artifact!.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
    expect(answer).toBe(demoAnswer("Take your time"));
    await expect.poll(() => bodies.find((b) => b.includes("artifactUpdate"))).toBeDefined();
    const sse = bodies.find((b) => b.includes("artifactUpdate"))!;
    expect(sse.indexOf(": keep-alive")).toBeGreaterThan(-1);
    expect(sse.indexOf(": keep-alive")).toBeLessThan(sse.indexOf("artifactUpdate"));
  });

  it("continues the agent session through contextId (a harness counts the messages it holds)", async () => {
    const client = await a2aClient(server.url, "harness", MASTER);
    const first = asTask(await client.sendMessage(userMessage([text("Hello")])));
    expect(answerText(first)).toBe(harnessAnswer("Hello", 1));
    expect(first.contextId.length).toBeGreaterThanOrEqual(33);
    const second = asTask(await client.sendMessage(userMessage([text("Again")], { contextId: first.contextId })));
    expect(second.contextId).toBe(first.contextId);
    expect(answerText(second)).toBe(harnessAnswer("Again", 3));
    expect(second.id).not.toBe(first.id);
  });

  it("continues an Agents Classic session through contextId, and takes a context the client names", async () => {
    const client = await a2aClient(server.url, "agent", TEAM);
    const first = asTask(await client.sendMessage(userMessage([text("One")])));
    const second = asTask(await client.sendMessage(userMessage([text("Two")], { contextId: first.contextId })));
    expect(second.contextId).toBe(first.contextId);
    expect((await recorded(first.contextId)).length).toBe(2);
    // A context the client names is its own: namespaced to the caller, as session_id is.
    const named = `trip-${crypto.randomUUID().slice(0, 8)}`;
    const mine = asTask(await client.sendMessage(userMessage([text("Three")], { contextId: named })));
    expect(mine.contextId.startsWith(`${named}-`)).toBe(true);
    expect(asTask(await client.sendMessage(userMessage([text("Four")], { contextId: mine.contextId }))).contextId).toBe(mine.contextId);
  });

  it("streams a runtime's answer and answers it blocking", async () => {
    const client = await a2aClient(server.url, "runtime", MASTER);
    const events = await streamOf(client, userMessage([text("Hi")]));
    expect(artifactTexts(events).join("")).toBe(runtimeAnswer("Hi"));
    expect(artifactTexts(events).filter(Boolean).length).toBeGreaterThan(1);
    expect(lastStatus(events).status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(answerText(asTask(await client.sendMessage(userMessage([text("Hi")]))))).toBe(runtimeAnswer("Hi"));
  });

  it("puts citations on the answer artifact and files in artifacts of their own", async () => {
    const cited = asTask(await (await a2aClient(server.url, "cited", MASTER)).sendMessage(userMessage([text("Tell me about Lisbon")])));
    const answer = cited.artifacts.find((a) => a.artifactId === "answer")!;
    const citations = answer.metadata?.citations as Array<{ url?: string; title: string; start: number; end: number }>;
    expect(citations.length).toBeGreaterThan(0);
    expect(citations.some((c) => c.url === "https://en.wikipedia.org/wiki/Lisbon")).toBe(true);
    const files = asTask(await (await a2aClient(server.url, "files", MASTER)).sendMessage(userMessage([text("Chart it")])));
    const names = files.artifacts.flatMap((a) => a.parts.flatMap((p) => (p.content?.$case === "raw" ? [[p.filename, p.mediaType]] : [])));
    expect(names).toEqual([["forecast.csv", "text/csv"], ["chart.png", "image/png"]]);
  });
});

describe("return of control", () => {
  it("ends an Agents Classic task input-required with its tool calls, and continues it with their results", async () => {
    const client = await a2aClient(server.url, "tools", MASTER);
    const asked = asTask(await client.sendMessage(userMessage([text("Plan my trip to Lisbon")])));
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const calls = statusData(asked)!.tool_calls as Array<{ id: string; name: string; arguments: Record<string, unknown> }>;
    expect(calls).toHaveLength(RETURN_CONTROL_INPUTS.length);
    expect(calls[0]!.arguments).toMatchObject({ city: "Lisbon" });
    const results = calls.map((call) => ({ id: call.id, output: `${call.name} done` }));
    const done = asTask(await client.sendMessage(userMessage([{ data: { tool_results: results } }], { taskId: asked.id, contextId: asked.contextId })));
    expect(done.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(done.id).toBe(asked.id);
    expect(answerText(done)).toMatch(/^Thanks, I have the results: .*done.*Your trip to Lisbon is planned\.$/);
  });

  it("hands a harness's calls of the client's own tools back, streamed, and continues with the results", async () => {
    const client = await a2aClient(server.url, "harness-tools", MASTER);
    const tools = [{ name: "get_weather", description: "Weather", parameters: { type: "object", properties: {} } }];
    const events = await streamOf(client, userMessage([text("What is the weather?")], { metadata: { tools } }));
    const final = lastStatus(events);
    expect(final.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    const calls = statusData(final)!.tool_calls as Array<{ id: string; name: string; arguments: unknown }>;
    expect(calls).toEqual([{ id: expect.any(String), name: "get_weather", arguments: HARNESS_TOOL_ARGUMENTS }]);
    const results = [{ id: calls[0]!.id, output: "sunny" }];
    const done = asTask(await client.sendMessage(userMessage([{ data: { tool_results: results } }], { taskId: final.taskId, contextId: final.contextId })));
    expect(answerText(done)).toBe(harnessToolAnswer("sunny"));
  });
});

describe("errors", () => {
  it("ends a stream that fails upstream with a failed status carrying what the caller may read", async () => {
    for (const [key, aws] of [[MASTER, true], [TEAM, false]] as const) {
      const events = await streamOf(await a2aClient(server.url, "fails", key), userMessage([text("Go")]));
      expect(artifactTexts(events).join("")).toBe(EXCEPTION_MID_STREAM_TEXT);
      const final = lastStatus(events);
      expect(final.status?.state).toBe(TaskState.TASK_STATE_FAILED);
      const message = final.status?.message?.parts[0]?.content?.value as string;
      // AWS's own text for the master key only; other keys read what failed, and AWS's request id.
      if (aws) expect(message).toContain(exceptionPayload("internalServerException").message);
      else {
        expect(message).toMatch(/^AWS ended the answer with an error: InternalServerException \(HTTP 500\); AWS request id /);
        expect(message).not.toContain(exceptionPayload("internalServerException").message);
      }
      expect(final.metadata?.error).toMatchObject({ type: "server_error" });
    }
  });

  it("answers JSON-RPC's and A2A's error codes, in the version asked", async () => {
    expect((await rpc("agent", "{not json")).body).toMatchObject({ id: null, error: { code: -32700 } });
    expect((await rpc("agent", { id: 7, method: "SendMessage" })).body).toMatchObject({ id: 7, error: { code: -32600 } });
    expect((await rpc("agent", { jsonrpc: "2.0", id: "x", method: "Nope" })).body).toMatchObject({ id: "x", error: { code: -32601 } });
    // With or without the trailing slash.
    expect((await rpc("agent/", { jsonrpc: "2.0", id: 0, method: "Nope" })).body).toMatchObject({ id: 0, error: { code: -32601 } });
    const noParts = await rpc("agent", { jsonrpc: "2.0", id: 1, method: "SendMessage", params: { message: { messageId: "m", role: "ROLE_USER", parts: [] } } });
    expect(noParts.status).toBe(200);
    expect(noParts.body.error).toMatchObject({ code: -32602, data: [{ reason: "INVALID_PARAMS", metadata: { param: "params.message.parts" } }] });
    const legacy = await rpc("agent", { jsonrpc: "2.0", id: 2, method: "message/send", params: {} }, { "a2a-version": "" });
    expect(legacy.body.error).toMatchObject({ code: -32602, data: { param: "params.message" } });
    expect((await rpc("agent", { jsonrpc: "2.0", id: 3, method: "SendMessage", params: {} }, { "a2a-version": "2.0" })).body.error?.code).toBe(-32009);
    expect((await rpc("agent", { jsonrpc: "2.0", id: 4, method: "CreateTaskPushNotificationConfig", params: {} })).body.error?.code).toBe(-32003);
    expect((await rpc("agent", { jsonrpc: "2.0", id: 5, method: "tasks/get", params: { id: "t" } })).body.error?.code).toBe(-32001);
    const forged = await rpc("agent", {
      jsonrpc: "2.0",
      id: 6,
      method: "SendMessage",
      params: { message: { messageId: "m", role: "ROLE_USER", taskId: "task-forged.x", parts: [{ data: { tool_results: [{ id: "call_x", output: "y" }] } }] } },
    });
    expect(forged.body.error?.code).toBe(-32001);
    const ended = await rpc("agent", { jsonrpc: "2.0", id: 8, method: "SendMessage", params: { message: { messageId: "m", role: "ROLE_USER", taskId: "task-x", parts: [{ text: "more" }] } } });
    expect(ended.body.error?.code).toBe(-32004);
  });

  it("raises the official client's own error classes for tasks, which are not stored", async () => {
    const client = await a2aClient(server.url, "agent", MASTER);
    await expect(client.getTask({ id: "task-1", historyLength: undefined, tenant: "" })).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(client.cancelTask({ id: "task-1", metadata: undefined, tenant: "" })).rejects.toBeInstanceOf(TaskNotFoundError);
    await expect(client.listTasks({} as Parameters<Client["listTasks"]>[0])).rejects.toBeInstanceOf(UnsupportedOperationError);
    await expect(client.sendMessage(userMessage([]))).rejects.toBeInstanceOf(RequestMalformedError);
  });

  it("cancels the upstream call when the client goes away mid-stream", async () => {
    const client = await a2aClient(server.url, "stalls", MASTER);
    const controller = new AbortController();
    const stream = client.sendMessageStream(userMessage([text("Hang on")]), { signal: controller.signal });
    const first = await stream.next();
    expect(first.value?.payload?.$case).toBe("task");
    controller.abort();
    await stream.next().catch(() => undefined);
    await expect.poll(() => logLines.find((line) => line.includes("/a2a/stalls") && line.includes("client_disconnected")), { timeout: 5000 }).toBeDefined();
  });
});

describe("A2A 0.3 clients", () => {
  it("sends, streams and continues a context through the official client's 0.3 compat layer", async () => {
    const client = await legacyA2aClient(server.url, "agent", MASTER);
    expect(client.protocolVersion ?? "").not.toBe("1.0");
    const task = asTask(await client.sendMessage(userMessage([text("Old client")])));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(answerText(task)).toBe(demoAnswer("Old client"));
    const events = await streamOf(client, userMessage([text("Old stream")], { contextId: task.contextId }));
    expect(artifactTexts(events).join("")).toBe(demoAnswer("Old stream"));
    expect(lastStatus(events)).toMatchObject({ contextId: task.contextId, status: { state: TaskState.TASK_STATE_COMPLETED } });
  });

  it("writes 0.3's kind-tagged shapes for 0.3 method names", async () => {
    const { body } = await rpc("agent", { jsonrpc: "2.0", id: 9, method: "message/send", params: { message: { kind: "message", messageId: "m", role: "user", parts: [{ kind: "text", text: "Raw" }] } } }, { "a2a-version": "" });
    expect(body.result).toMatchObject({ kind: "task", status: { state: "completed" }, artifacts: [{ artifactId: "answer", parts: [{ kind: "text", text: demoAnswer("Raw") }] }] });
  });
});

describe("the README", () => {
  it("runs the A2A snippet as written, against this server for localhost:4000 and its key for the demo key", async () => {
    const root = join(import.meta.dirname, "..", "..");
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### A2A\n"));
    const snippet = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    expect(snippet).toContain('"http://localhost:4000/a2a/demo-agent/"');
    const code = snippet.replaceAll("http://localhost:4000", server.url).replaceAll("sk-local-demo-key", MASTER);
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", code], { cwd: root });
    expect(stdout).toBe(`${demoAnswer("Hello!")}\n${demoAnswer("And then?")}`);
  });
});
