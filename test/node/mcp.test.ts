// Every model as an MCP tool, end to end with the official client (@modelcontextprotocol/sdk's
// Client over StreamableHTTPClientTransport) against the Node server: a Classic agent, a harness
// and a runtime; progress while the answer streams, sessions, return of control, errors, keys.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { HARNESS_ARN, HARNESS_TOOL_ARGUMENTS, RUNTIME_ARN, harnessAnswer, harnessToolAnswer, runtimeAnswer } from "../emulator/agentcore-scenarios.ts";
import { CITATIONS_TEXT, CITATION_WEB_URL, DEMO_EXPECTED_USAGE, HTTP_ERROR_MESSAGES, demoAnswer } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { emulatedAgentCore, emulatedModel } from "./support/emulated-model.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-mcp-master-0123456789";
const TEAM_A = "sk-mcp-team-a-0123456789";
const TEAM_B = "sk-mcp-team-b-0123456789";
const DESCRIPTION = "Plans trips: flights, hotels and the weather on the way.";

const MODELS = ["classic", "classic-slow", "classic-tools", "classic-throttled", "classic-citations", "team/agent:v1", "harness", "harness-tools", "harness-slow", "runtime"];

let server: { url: string; close(): Promise<void> };
const logLines: string[] = [];
const clients: Client[] = [];

async function connect(key: string | undefined, path = "/mcp"): Promise<Client> {
  const client = new Client({ name: "mcp-test", version: "1.0.0" });
  const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}${path}`), { requestInit: { headers } }));
  clients.push(client);
  return client;
}

interface Structured {
  text: string;
  session_id: string;
  citations: Array<{ url?: string; title: string; start: number; end: number }>;
  usage: { input_tokens: number; output_tokens: number };
  cost: number | null;
  tool_calls?: Array<{ id: string; name: string; arguments: string }>;
}

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  return { result, structured: result.structuredContent as unknown as Structured };
}

async function rpcError(promise: Promise<unknown>): Promise<McpError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

async function recorded(session: string): Promise<RecordedRequest[]> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[]).filter((r) => r.sessionId === session);
}

beforeAll(async () => {
  const raw = {
    model_list: [
      { ...emulatedModel("classic"), model_info: { description: DESCRIPTION } },
      emulatedModel("classic-slow", "demo:40"),
      emulatedModel("classic-tools", "return-control"),
      emulatedModel("classic-throttled", "http-error:ThrottlingException"),
      emulatedModel("classic-citations", "citations"),
      emulatedModel("team/agent:v1"),
      emulatedModel("hidden"),
      emulatedAgentCore("harness", HARNESS_ARN),
      emulatedAgentCore("harness-tools", HARNESS_ARN, "tools"),
      emulatedAgentCore("harness-slow", HARNESS_ARN, "slow-first-event:800"),
      emulatedAgentCore("runtime", RUNTIME_ARN),
    ],
    general_settings: {
      master_key: MASTER,
      stream_keepalive_seconds: 0.2,
      api_keys: [
        { name: "team-a", key_sha256: await hashKey(TEAM_A), models: MODELS },
        { name: "team-b", key_sha256: await hashKey(TEAM_B), models: MODELS },
      ],
    },
  };
  server = await startServer({ config: parseConfig(raw, { lookup: () => undefined }), port: 0, log: () => {}, requestLog: (line) => logLines.push(line) });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await server?.close();
});

describe("MCP: a tool per model", () => {
  it("lists one tool per model the key may use, names made valid, with the config's description and both schemas", async () => {
    const client = await connect(TEAM_A);
    expect(client.getServerVersion()?.name).toBe("bedrock-agents-openai");
    expect(client.getServerCapabilities()?.tools).toBeDefined();
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["classic", "classic-slow", "classic-tools", "classic-throttled", "classic-citations", "team_agent_v1", "harness", "harness-tools", "harness-slow", "runtime"]);
    for (const tool of tools) {
      expect(tool.name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
      expect(tool.inputSchema.type).toBe("object");
      expect(tool.outputSchema?.type).toBe("object");
    }
    expect(tools.find((tool) => tool.name === "classic")!.description).toBe(DESCRIPTION);
    expect(tools.find((tool) => tool.name === "team_agent_v1")!.title).toBe("team/agent:v1");
    expect(tools.find((tool) => tool.name === "harness")!.description).toContain("AgentCore");
    // The master key may use every model.
    expect((await (await connect(MASTER)).listTools()).tools.map((tool) => tool.name)).toContain("hidden");
  });

  it("answers a Classic agent's tool call with the text, its session, usage and cost", async () => {
    const client = await connect(TEAM_A);
    const { result, structured } = await call(client, "classic", { message: "Hello there" });
    expect(result.isError).toBe(false);
    expect((result.content as Array<{ type: string; text: string }>)[0]).toEqual({ type: "text", text: demoAnswer("Hello there") });
    expect(structured.text).toBe(demoAnswer("Hello there"));
    expect(structured.session_id).toMatch(/^[0-9a-f-]{36}-[\w-]{16}$/);
    expect(structured.usage).toEqual({ input_tokens: DEMO_EXPECTED_USAGE.inputTokens, output_tokens: DEMO_EXPECTED_USAGE.outputTokens });
    expect(structured.cost).toBeGreaterThan(0);
    expect(structured.citations).toEqual([]);
    // Hosts that show their model only text still get the session to continue.
    expect(JSON.stringify(result.content)).toContain(structured.session_id);
    expect(logLines.some((line) => line.includes("route=/mcp") && line.includes("model=classic ") && line.includes("caller=team-a"))).toBe(true);
  });

  it("sends the agent's citations in structuredContent", async () => {
    const { structured } = await call(await connect(TEAM_A), "classic-citations", { message: "Tell me about Lisbon" });
    expect(structured.text).toBe(CITATIONS_TEXT);
    expect(structured.citations.some((citation) => citation.url === CITATION_WEB_URL && citation.end > citation.start)).toBe(true);
  });

  it("answers a harness and a runtime", async () => {
    const client = await connect(TEAM_A);
    expect((await call(client, "harness", { message: "Hi" })).structured.text).toBe(harnessAnswer("Hi", 1));
    expect((await call(client, "runtime", { message: "Hi" })).structured.text).toBe(runtimeAnswer("Hi"));
  });

  it("sends progress while the answer streams, text and reasoning, then the result", async () => {
    const client = await connect(TEAM_A);
    const started = performance.now();
    const progress: Array<{ at: number; progress: number; message?: string; kind?: unknown }> = [];
    const result = await client.callTool({ name: "classic-slow", arguments: { message: "Stream it" } }, undefined, {
      onprogress: (p) => progress.push({ at: performance.now() - started, progress: p.progress, message: p.message, kind: (p as { _meta?: Record<string, unknown> })._meta?.["bedrock-agents-openai/kind"] }),
    });
    const answeredAt = performance.now() - started;
    const text = (result.structuredContent as unknown as Structured).text;
    expect(text).toBe(demoAnswer("Stream it"));
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThan(progress[i - 1]!.progress);
    expect(progress.filter((p) => p.kind === "text").map((p) => p.message).join("")).toBe(text);
    expect(progress.some((p) => p.kind === "reasoning")).toBe(true);
    // Real streaming: the first pieces came well before the answer was done (40 ms between pieces).
    expect(answeredAt - progress[0]!.at).toBeGreaterThan(200);
    expect(logLines.some((line) => line.includes("model=classic-slow") && line.includes("stream=true"))).toBe(true);

    for (const name of ["harness", "runtime"]) {
      const pieces: string[] = [];
      const streamed = await client.callTool({ name, arguments: { message: "Stream" } }, undefined, { onprogress: (p) => void pieces.push(p.message ?? "") });
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.join("")).toContain((streamed.structuredContent as unknown as Structured).text);
    }
  });

  it("continues a session through session_id, with a Classic agent and a harness", async () => {
    const client = await connect(TEAM_A);
    const first = await call(client, "harness", { message: "Remember me" });
    const second = await call(client, "harness", { message: "Still there?", session_id: first.structured.session_id });
    expect(second.structured.session_id).toBe(first.structured.session_id);
    expect(second.structured.text).toBe(harnessAnswer("Still there?", 3));

    const classic = await call(client, "classic", { message: "One" });
    const again = await call(client, "classic", { message: "Two", session_id: classic.structured.session_id });
    expect(again.structured.session_id).toBe(classic.structured.session_id);
    expect(await recorded(classic.structured.session_id)).toHaveLength(2);
  });

  it("hands control back to the caller and goes on with tool_results: a Classic agent", async () => {
    const client = await connect(TEAM_A);
    const first = await call(client, "classic-tools", { message: "Plan my trip to Lisbon" });
    const calls = first.structured.tool_calls!;
    expect(calls.map((c) => c.name)).toHaveLength(2);
    expect(JSON.parse(calls[0]!.arguments)).toMatchObject({ city: "Lisbon" });
    expect(JSON.stringify(first.result.content)).toContain("tool_results");
    const next = await call(client, "classic-tools", { tool_results: calls.map((c) => ({ id: c.id, output: `result of ${c.name}` })) });
    expect(next.structured.text).toMatch(/^Thanks, I have the results: .*result of /);
    expect(next.structured.session_id).toBe(first.structured.session_id);
    expect(next.structured.tool_calls).toBeUndefined();
  });

  it("hands control back to the caller and goes on with tool_results: a harness calling the caller's functions", async () => {
    const client = await connect(TEAM_A);
    const tools = [{ name: "get_weather", description: "The weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const first = await call(client, "harness-tools", { message: "Weather?", tools });
    const [toolCall] = first.structured.tool_calls!;
    expect(toolCall!.name).toBe("get_weather");
    expect(JSON.parse(toolCall!.arguments)).toEqual(HARNESS_TOOL_ARGUMENTS);
    const next = await call(client, "harness-tools", { tool_results: [{ id: toolCall!.id, output: "sunny" }], tools });
    expect(next.structured.text).toBe(harnessToolAnswer("sunny"));
  });

  it("reports an agent's failure as isError, without AWS's text but to the master key", async () => {
    const { result } = await call(await connect(TEAM_A), "classic-throttled", { message: "x" });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ text: string }>)[0]!.text;
    expect(text).toContain("ThrottlingException");
    expect(text).not.toContain(HTTP_ERROR_MESSAGES.ThrottlingException);
    const master = await call(await connect(MASTER), "classic-throttled", { message: "x" });
    expect((master.result.content as Array<{ text: string }>)[0]!.text).toContain(HTTP_ERROR_MESSAGES.ThrottlingException);
    // Also when the failure comes while progress streams.
    const streamed = await (await connect(TEAM_A)).callTool({ name: "classic-throttled", arguments: { message: "x" } }, undefined, { onprogress: () => {} });
    expect(streamed.isError).toBe(true);
  });

  it("answers bad arguments and unknown tools with -32602", async () => {
    const client = await connect(TEAM_A);
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["classic", { message: 5 }, /message must be a string/],
      ["classic", {}, /message is required/],
      ["classic", { message: "hi", colour: "blue" }, /Unknown argument "colour"/],
      ["classic", { tool_results: [{ id: 1 }] }, /tool_results\[0\]\.id must be a string/],
      ["classic-tools", { tool_results: [{ id: "forged", output: "x" }] }, /tool/i],
      ["nope", { message: "hi" }, /Unknown tool/],
      ["hidden", { message: "hi" }, /Unknown tool/],
    ];
    for (const [name, args, message] of cases) {
      const error = await rpcError(client.callTool({ name, arguments: args }));
      expect(error.code).toBe(-32602);
      expect(error.message).toMatch(message);
    }
  });

  it("refuses another caller's session and tool calls", async () => {
    const a = await connect(TEAM_A);
    const b = await connect(TEAM_B);
    const { structured } = await call(a, "classic", { message: "Mine" });
    const error = await rpcError(b.callTool({ name: "classic", arguments: { message: "Yours?", session_id: structured.session_id } }));
    expect(error.code).toBe(-32602);
    expect(error.message).toContain("belongs to another caller");
    const first = await call(a, "classic-tools", { message: "Plan my trip" });
    const results = first.structured.tool_calls!.map((c) => ({ id: c.id, output: "done" }));
    expect((await rpcError(b.callTool({ name: "classic-tools", arguments: { tool_results: results } }))).message).toContain("another caller");
    expect(await recorded(structured.session_id)).toHaveLength(1);
  });

  it("serves one model at /mcp/{model_name}, by its model name or its tool name, and only to keys that may use it", async () => {
    for (const path of ["/mcp/harness", "/mcp/team/agent:v1", "/mcp/team_agent_v1"]) {
      const client = await connect(TEAM_A, path);
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(1);
      const { structured } = await call(client, tools[0]!.name, { message: "Hello" });
      expect(structured.text.length).toBeGreaterThan(0);
      expect(await rpcError(client.callTool({ name: "classic", arguments: { message: "hi" } }))).toMatchObject({ code: -32602 });
    }
    const refused = await connect(TEAM_A, "/mcp/hidden").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect((refused as StreamableHTTPError).code).toBe(404);
  });

  it("answers 401 with a Bearer challenge without a key, or with a wrong one", async () => {
    const error = await connect(undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    const response = await fetch(`${server.url}/mcp`, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream" }, body: "{}" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
    const wrong = await fetch(`${server.url}/mcp`, { method: "POST", headers: { authorization: "Bearer sk-wrong", "content-type": "application/json" }, body: "{}" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer error="invalid_token"/);
  });
});

describe("MCP: the transport, stateless", () => {
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEAM_A}`, "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("negotiates the versions the official SDK speaks, and serves tools without initialize or a session", async () => {
    const initialize = (version: string) => post({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: version, capabilities: {}, clientInfo: { name: "raw", version: "0" } } });
    const older = await initialize("2025-06-18");
    expect(older.headers.get("mcp-session-id")).toBeNull();
    expect(((await older.json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe("2025-06-18");
    expect(((await (await initialize("2026-07-28")).json()) as { result: { protocolVersion: string } }).result.protocolVersion).toBe("2025-11-25");
    const list = await post({ jsonrpc: "2.0", id: "a", method: "tools/list" }, { "mcp-protocol-version": "2025-11-25", "mcp-session-id": "from-a-proxy" });
    expect(((await list.json()) as { id: string; result: { tools: unknown[] } }).result.tools).toHaveLength(MODELS.length);
    expect(await (await post({ jsonrpc: "2.0", id: 2, method: "ping" })).json()).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
  });

  it("accepts notifications with 202, refuses GET and DELETE with 405, and answers JSON-RPC errors", async () => {
    const accepted = await post({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe("");
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(`${server.url}/mcp`, { method, headers: { authorization: `Bearer ${TEAM_A}`, accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
    }
    expect(((await (await post({ jsonrpc: "2.0", id: 3, method: "resources/list" })).json()) as { error: { code: number } }).error.code).toBe(-32601);
    const unparsable = await post("{not json");
    expect(unparsable.status).toBe(400);
    expect(((await unparsable.json()) as { error: { code: number } }).error.code).toBe(-32700);
    expect((await post([{ jsonrpc: "2.0", id: 1, method: "ping" }])).status).toBe(400);
    expect((await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { "mcp-protocol-version": "1999-01-01" })).status).toBe(400);
    expect((await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { "content-type": "text/plain" })).status).toBe(415);
    expect((await post({ jsonrpc: "2.0", id: 1, method: "ping" }, { origin: "https://evil.example" })).status).toBe(403);
  });

  it("streams progress as SSE message events without ids, the result last", async () => {
    const response = await post({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "runtime", arguments: { message: "Hi" }, _meta: { progressToken: "p" } } });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = (await response.text()).split("\n\n").filter((event) => event.startsWith("event:"));
    expect(events.every((event) => /^event: message\ndata: /.test(event))).toBe(true);
    const messages = events.map((event) => JSON.parse(event.slice(event.indexOf("data: ") + 6)) as { id?: number; method?: string; result?: Structured & { structuredContent: Structured } });
    expect(messages.at(-1)!.id).toBe(7);
    expect(messages.at(-1)!.result!.structuredContent.text).toBe(runtimeAnswer("Hi"));
    expect(messages.slice(0, -1).every((m) => m.method === "notifications/progress")).toBe(true);
    // Without a token, or to a client that takes only JSON: one JSON response.
    const plain = await post({ jsonrpc: "2.0", id: 8, method: "tools/call", params: { name: "runtime", arguments: { message: "Hi" }, _meta: { progressToken: "p" } } }, { accept: "application/json" });
    expect(plain.headers.get("content-type")).toBe("application/json");
  });

  it("keeps the stream alive while the agent thinks, and cancels the call to AWS when the client goes", async () => {
    const session = `mcp-cancel-${crypto.randomUUID()}`;
    const response = await post({ jsonrpc: "2.0", id: 9, method: "tools/call", params: { name: "harness-slow", arguments: { message: "x", session_id: session }, _meta: { progressToken: 1 } } }, { authorization: `Bearer ${MASTER}` });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(": keep-alive\n\n");
    await reader.cancel();
    await expect.poll(async () => (await recorded(session))[0]?.closedEarlyAt, { timeout: 3000, interval: 25 }).toBeDefined();
  });
});
