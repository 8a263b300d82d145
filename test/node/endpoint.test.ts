// The endpoint end to end with the real openai client, served two ways: by the Node server
// and by the Worker in workerd (`wrangler dev`). Both run the same checks.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  CITATION_WEB_URL,
  CITATIONS_TEXT,
  DEMO_EXPECTED_USAGE,
  DEMO_RATIONALE_TEXT,
  EXCEPTION_MID_STREAM_TEXT,
  FILES_EXPECTED,
  STALL_TEXT_BEFORE,
  demoAnswer,
} from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import type { MessageStreamEvent, ResponseStreamEvent } from "../../src/index.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { checkMessageEvents } from "../library/support/message-events.ts";
import { checkResponseEvents } from "../library/support/response-events.ts";
import { startServer } from "../../bin/server.ts";
import { startWranglerDev } from "./support/wrangler-dev.ts";
import { serveWith } from "./runtimes/support/serve-app.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER_KEY = "sk-test-master-key-0123456789";
const question = "What can you do?";

/** One model per emulator scenario the tests need, all through the same config. */
export function testConfig(extra: Record<string, unknown> = {}) {
  const model = (name: string, scenario?: string, more: Record<string, unknown> = {}) => ({
    model_name: name,
    litellm_params: {
      model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
      aws_access_key_id: "os.environ/TEST_AWS_ACCESS_KEY_ID",
      aws_secret_access_key: "os.environ/TEST_AWS_SECRET_ACCESS_KEY",
      aws_region_name: "us-west-2",
      api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
      num_retries: 0,
      ...more,
    },
  });
  return {
    model_list: [
      model("agent", undefined),
      model("throttled", "http-error:ThrottlingException"),
      model("missing", "http-error:ResourceNotFoundException"),
      model("fails-mid-stream", "exception-mid-stream:internalServerException"),
      model("slow", "slow-first-token:1200"),
      model("stalls", "stall:30000"),
      model("tools", "return-control"),
      model("cited", "citations"),
      model("files", "files"),
      model("guarded", "guardrail-intervened"),
      model("no-reasoning", undefined, { include_reasoning: false }),
      model("priced", undefined, { input_cost_per_token: 0.001, output_cost_per_token: 0.002 }),
    ],
    general_settings: {
      master_key: "os.environ/TEST_MASTER_KEY",
      max_request_size_mb: 0.05,
      stream_keepalive_seconds: 0.2,
      cors_allow_origins: ["https://app.example.com"],
      ...extra,
    },
  };
}

export const testSecrets = {
  TEST_AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  TEST_AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  TEST_MASTER_KEY: MASTER_KEY,
};

interface Target {
  url: string;
  close(): Promise<void>;
}

const targets: Array<[string, () => Promise<Target>]> = [
  [
    "Node server",
    () =>
      startServer({
        config: parseConfig(testConfig(), { lookup: (name) => testSecrets[name as keyof typeof testSecrets] }),
        port: 0,
        log: () => {},
      }),
  ],
  ["Worker (wrangler dev)", () => startWranglerDev({ CONFIG: JSON.stringify(testConfig()), ...testSecrets })],
  ["Bun.serve", () => serveWith("bun", testConfig(), testSecrets)],
  ["Deno.serve", () => serveWith("deno", testConfig(), testSecrets)],
];

async function requestsFor(session: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((request) => request.sessionId === session);
}

describe.each(targets)("the endpoint, %s", (_name, start) => {
  let target: Target;
  let openai: OpenAI;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${target.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    target = await start();
    openai = new OpenAI({ baseURL: `${target.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
  }, 60_000);
  afterAll(() => target?.close());

  it("answers the openai client, with session id, cost and AWS request id", async () => {
    const { data, response } = await openai.chat.completions
      .create({ model: "agent", messages: [{ role: "user", content: question }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe(demoAnswer(question));
    expect(data.model).toBe("agent");
    expect(data.usage?.prompt_tokens).toBe(DEMO_EXPECTED_USAGE.inputTokens);
    const session = response.headers.get("x-bedrock-agent-session-id");
    expect(session).toBeTruthy();
    expect((data as unknown as { session_id: string }).session_id).toBe(session);
    expect(Number(response.headers.get("x-litellm-response-cost"))).toBeGreaterThan(0);
    expect(response.headers.get("x-amzn-requestid")).toMatch(/[0-9a-f-]{36}/);
    expect(JSON.stringify(data)).not.toContain("_hidden_params");
  });

  it("streams to the openai client as OpenAI does", async () => {
    const stream = await openai.chat.completions.create({
      model: "agent",
      messages: [{ role: "user", content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.model).toBe("agent");
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(demoAnswer(question));
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBe(DEMO_EXPECTED_USAGE.outputTokens);
  });

  it("serves /chat/completions too (OpenAI Python's base_url without /v1)", async () => {
    const bare = new OpenAI({ baseURL: target.url, apiKey: MASTER_KEY, maxRetries: 0 });
    const completion = await bare.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "hi" }] });
    expect(completion.choices[0]!.message.content).toBe(demoAnswer("hi"));
  });

  it("continues the session given in the body or in the header", async () => {
    const session = `s-${crypto.randomUUID()}`;
    await post("/v1/chat/completions", { model: "agent", messages: [{ role: "user", content: "a" }], session_id: session });
    const viaHeader = await post(
      "/v1/chat/completions",
      { model: "agent", messages: [{ role: "user", content: "b" }] },
      { "x-bedrock-agent-session-id": session },
    );
    expect(viaHeader.headers.get("x-bedrock-agent-session-id")).toBe(session);
    expect((await requestsFor(session)).map((r) => (r.body as { inputText: string }).inputText)).toEqual(["a", "b"]);
  });

  it("lists the configured models", async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual([
      "agent",
      "throttled",
      "missing",
      "fails-mid-stream",
      "slow",
      "stalls",
      "tools",
      "cited",
      "files",
      "guarded",
      "no-reasoning",
      "priced",
    ]);
    const bare = await fetch(`${target.url}/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
    expect(bare.status).toBe(200);
  });

  it("answers /health without a key, revealing nothing", async () => {
    const response = await fetch(`${target.url}/health`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "ok" });
    for (const secret of Object.values(testSecrets)) expect(text).not.toContain(secret);
  });

  it("answers LiteLLM's probes without a key, as Kubernetes manifests for LiteLLM call them", async () => {
    for (const path of ["/health/liveliness", "/health/readiness"]) {
      const response = await fetch(`${target.url}${path}`);
      expect(response.status, path).toBe(200);
      const text = await response.text();
      for (const secret of Object.values(testSecrets)) expect(text).not.toContain(secret);
    }
  });

  it("refuses a wrong or missing key with 401", async () => {
    const wrong = new OpenAI({ baseURL: `${target.url}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
    const error = await wrong.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const missing = await fetch(`${target.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect((await missing.json()) as unknown).toMatchObject({ error: { type: "authentication_error", code: "invalid_api_key" } });
  });

  it.each([
    ["invalid JSON", "{nope", 400, "invalid_json"],
    ["a body that is not an object", "[1]", 400, "invalid_json"],
    ["missing messages", { model: "agent" }, 400, "invalid_messages"],
    ["empty messages", { model: "agent", messages: [] }, 400, "invalid_messages"],
    ["a missing model", { messages: [{ role: "user", content: "x" }] }, 400, "missing_model"],
    ["an unknown model", { model: "gpt-4o", messages: [{ role: "user", content: "x" }] }, 404, "model_not_found"],
    ["n > 1", { model: "agent", n: 2, messages: [{ role: "user", content: "x" }] }, 400, "unsupported_value"],
    ["a stream flag that is not a boolean", { model: "agent", stream: "yes", messages: [{ role: "user", content: "x" }] }, 400, "invalid_value"],
    ["an empty user message", { model: "agent", messages: [{ role: "user", content: "" }] }, 400, "empty_message"],
    ["an oversized body", { model: "agent", messages: [{ role: "user", content: "x".repeat(60_000) }] }, 413, "request_too_large"],
  ])("answers %s with an OpenAI-shaped %i", async (_case, body, status, code) => {
    const response = await post("/v1/chat/completions", body);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: Record<string, unknown> };
    expect(json.error).toMatchObject({ code });
    expect(typeof json.error.message).toBe("string");
    expect(json.error).toHaveProperty("type");
    expect(json.error).toHaveProperty("param");
  });

  it("counts a chunked body (no declared length) against the limit too, and serves one under it", async () => {
    const chunked = (text: string) =>
      fetch(`${target.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
        body: new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(text)), c.close()) }),
        duplex: "half",
      } as RequestInit);
    const large = await chunked(JSON.stringify({ model: "agent", messages: [{ role: "user", content: "x".repeat(60_000) }] }));
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe("request_too_large");
    const small = await chunked(JSON.stringify({ model: "agent", messages: [{ role: "user", content: question }] }));
    expect(small.status).toBe(200);
    expect(((await small.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(demoAnswer(question));
  });

  it("ignores parameters an agent cannot honour", async () => {
    const completion = await openai.chat.completions.create({
      model: "agent",
      messages: [{ role: "user", content: question }],
      temperature: 0.1,
      max_tokens: 5,
      top_p: 0.5,
    });
    expect(completion.choices[0]!.message.content).toBe(demoAnswer(question));
  });

  it("passes AWS errors on with their status", async () => {
    const throttled = await openai.chat.completions
      .create({ model: "throttled", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(OpenAI.RateLimitError);
    const missing = await openai.chat.completions
      .create({ model: "missing", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.APIError>).code).toBe("ResourceNotFoundException");
  });

  it("turns an error mid-stream into an error event the openai client raises", async () => {
    const stream = await openai.chat.completions.create({
      model: "fails-mid-stream",
      messages: [{ role: "user", content: "x" }],
      stream: true,
    });
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })().catch((e: unknown) => e);
    expect(text).toBe(EXCEPTION_MID_STREAM_TEXT);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain("InternalServerException");
  });

  it("sends keep-alive comments while the agent is silent", async () => {
    const response = await post("/v1/chat/completions", {
      model: "slow",
      stream: true,
      messages: [{ role: "user", content: "x" }],
    });
    const body = await response.text();
    const firstData = body.indexOf("data: ");
    expect(body.slice(0, firstData)).toMatch(/^(: keep-alive\n\n){2,}$/);
    expect(body.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("cancels the upstream call when the client disconnects", async () => {
    const session = `cancel-${crypto.randomUUID()}`;
    const response = await post("/v1/chat/completions", {
      model: "stalls",
      stream: true,
      session_id: session,
      messages: [{ role: "user", content: "x" }],
    });
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes(JSON.stringify(STALL_TEXT_BEFORE).slice(1, -1))) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    await expect
      .poll(async () => (await requestsFor(session))[0]?.closedEarlyAt, { timeout: 3000, interval: 25 })
      .toBeDefined();
  });

  it("allows CORS for configured origins only", async () => {
    const preflight = (origin: string) =>
      fetch(`${target.url}/v1/chat/completions`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
      });
    const allowed = await preflight("https://app.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const other = await preflight("https://evil.example.com");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    // Browser MCP and A2A clients send their protocol's headers too.
    const mcp = await fetch(`${target.url}/mcp`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": "mcp-protocol-version,a2a-version" },
    });
    expect(mcp.headers.get("access-control-allow-headers")).toMatch(/mcp-protocol-version.*a2a-version/);
  });
  describe("the Responses API", () => {
    it("answers responses.create, with the session in a header and the body", async () => {
      const { data, response } = await openai.responses.create({ model: "agent", input: question }).withResponse();
      expect(data.status).toBe("completed");
      expect(data.output_text).toBe(demoAnswer(question));
      expect(data.model).toBe("agent");
      expect(data.usage?.input_tokens).toBe(DEMO_EXPECTED_USAGE.inputTokens);
      const session = response.headers.get("x-bedrock-agent-session-id");
      expect((data as unknown as { session_id: string }).session_id).toBe(session);
      expect(Number(response.headers.get("x-litellm-response-cost"))).toBeGreaterThan(0);
      expect(JSON.stringify(data)).not.toContain("_hidden_params");
      const next = await openai.responses.create({ model: "agent", input: "And then?", previous_response_id: data.id }).withResponse();
      expect(next.response.headers.get("x-bedrock-agent-session-id")).toBe(session);
      const bare = new OpenAI({ baseURL: target.url, apiKey: MASTER_KEY, maxRetries: 0 });
      expect((await bare.responses.create({ model: "agent", input: "hi" })).output_text).toBe(demoAnswer("hi"));
    });

    it("sends no output_text, as OpenAI does not: the SDKs make it from the output items", async () => {
      const json = (await (await post("/v1/responses", { model: "agent", input: question })).json()) as Record<string, unknown>;
      expect(json.status).toBe("completed");
      expect(json).not.toHaveProperty("output_text");
      const sse = await (await post("/v1/responses", { model: "agent", input: question, stream: true })).text();
      expect(sse).toContain("event: response.completed");
      expect(sse).not.toContain('"output_text":"');
    });

    it("streams OpenAI's events in order, which the openai package assembles", async () => {
      const stream = openai.responses.stream({ model: "agent", input: question });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event as unknown as ResponseStreamEvent);
      const final = checkResponseEvents(events);
      expect(final.status).toBe("completed");
      const assembled = await stream.finalResponse();
      expect(assembled.output_text).toBe(demoAnswer(question));
    });

    it("runs the function-call loop with previous_response_id and function_call_output", async () => {
      let response = await openai.responses.create({ model: "tools", input: "Plan my trip to Lisbon" });
      const calls = response.output.filter((item) => item.type === "function_call");
      expect(calls).toHaveLength(2);
      response = await openai.responses.create({
        model: "tools",
        previous_response_id: response.id,
        input: calls.map((call) => ({ type: "function_call_output" as const, call_id: call.call_id, output: `${call.name} done` })),
      });
      expect(response.output_text).toContain('"BookingAPI__POST_bookings_city done"');
    });

    it("raises an error mid-stream in the openai client", async () => {
      const stream = await openai.responses.create({ model: "fails-mid-stream", input: "x", stream: true });
      const error = await (async () => {
        for await (const _ of stream);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as Error).message).toContain("InternalServerException");
    });

    it("sends keep-alive comments while the agent is silent", async () => {
      const response = await post("/v1/responses", { model: "slow", stream: true, input: "x" });
      const body = await response.text();
      expect(body.slice(0, body.indexOf("event: "))).toMatch(/^(: keep-alive\n\n){2,}$/);
      expect(body).toContain("event: response.completed");
    });

    it("answers GET /v1/responses/{id} with a clear 404, and a forged previous id with a 400", async () => {
      const missing = await openai.responses.retrieve("resp_anything").catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
      expect((missing as Error).message).toContain("not stored");
      const forged = await openai.responses.create({ model: "agent", input: "x", previous_response_id: "resp_forged.AAAA" }).catch((e: unknown) => e);
      expect(forged).toBeInstanceOf(OpenAI.BadRequestError);
      expect((forged as InstanceType<typeof OpenAI.APIError>).code).toBe("invalid_response_id");
    });
  });

  describe("the Anthropic Messages API", () => {
    const anthropic = () => new Anthropic({ baseURL: target.url, apiKey: MASTER_KEY, maxRetries: 0 });

    it("answers messages.create with x-api-key, with the session in a header", async () => {
      const { data, response } = await anthropic()
        .messages.create({ model: "agent", max_tokens: 1024, messages: [{ role: "user", content: question }] })
        .withResponse();
      expect(data.stop_reason).toBe("end_turn");
      expect(data.model).toBe("agent");
      const text = data.content.find((block) => block.type === "text");
      expect(text?.type === "text" && text.text).toBe(demoAnswer(question));
      expect(data.usage.input_tokens).toBe(DEMO_EXPECTED_USAGE.inputTokens);
      expect(response.headers.get("x-bedrock-agent-session-id")).toBe((data as unknown as { session_id: string }).session_id);
      expect(JSON.stringify(data)).not.toContain("_hidden_params");
    });

    it("streams to messages.stream, which assembles the final message", async () => {
      // The raw events, in order (messages.stream() mutates the events it hands out as it assembles).
      const raw = await anthropic().messages.create({ model: "agent", max_tokens: 1024, messages: [{ role: "user", content: question }], stream: true });
      const events: MessageStreamEvent[] = [];
      for await (const event of raw) events.push(event as unknown as MessageStreamEvent);
      checkMessageEvents(events);
      const stream = anthropic().messages.stream({ model: "agent", max_tokens: 1024, messages: [{ role: "user", content: question }] });
      const final = await stream.finalMessage();
      const text = final.content.find((block) => block.type === "text");
      expect(text?.type === "text" && text.text).toBe(demoAnswer(question));
      expect(final.stop_reason).toBe("end_turn");
      expect(final.usage.output_tokens).toBe(DEMO_EXPECTED_USAGE.outputTokens);
    });

    it("runs the tool loop with tool_use and tool_result blocks", async () => {
      const client = anthropic();
      const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Plan my trip to Lisbon" }];
      let message = await client.messages.create({ model: "tools", max_tokens: 1024, messages });
      let rounds = 0;
      while (message.stop_reason === "tool_use") {
        messages.push({ role: "assistant", content: message.content });
        const results = message.content.flatMap((block) =>
          block.type === "tool_use" ? [{ type: "tool_result" as const, tool_use_id: block.id, content: `${block.name} done` }] : [],
        );
        messages.push({ role: "user", content: results });
        message = await client.messages.create({ model: "tools", max_tokens: 1024, messages });
        rounds++;
      }
      expect(rounds).toBe(1);
      const text = message.content.find((block) => block.type === "text");
      expect(text?.type === "text" && text.text).toContain('"BookingAPI__POST_bookings_city done"');
    });

    it("raises errors in Anthropic's shape: before the answer, and mid-stream", async () => {
      const missing = await anthropic().messages.create({ model: "gpt-4o", max_tokens: 9, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
      expect((missing as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
      const wrong = await new Anthropic({ baseURL: target.url, apiKey: "sk-wrong", maxRetries: 0 }).messages
        .create({ model: "agent", max_tokens: 9, messages: [{ role: "user", content: "x" }] })
        .catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(Anthropic.AuthenticationError);
      const throttled = await anthropic().messages.create({ model: "throttled", max_tokens: 9, messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
      expect(throttled).toBeInstanceOf(Anthropic.RateLimitError);
      const stream = anthropic().messages.stream({ model: "fails-mid-stream", max_tokens: 9, messages: [{ role: "user", content: "x" }] });
      const error = await stream.finalMessage().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect((error as Error).message).toContain("InternalServerException");
    });

    it("pings while the agent is silent", async () => {
      const response = await post("/v1/messages", { model: "slow", max_tokens: 9, stream: true, messages: [{ role: "user", content: "x" }] });
      const body = await response.text();
      expect(body.slice(0, body.indexOf("event: message_start"))).toMatch(/^(event: ping\ndata: \{"type":"ping"\}\n\n){2,}$/);
      expect(body.trimEnd().endsWith('data: {"type":"message_stop"}')).toBe(true);
    });
  });

  describe("agent features", () => {
    type Message = OpenAI.ChatCompletionMessageParam;

    it("runs the openai SDK's ordinary tool-call loop unchanged", async () => {
      const messages: Message[] = [{ role: "user", content: "Plan my trip to Lisbon" }];
      let completion = await openai.chat.completions.create({ model: "tools", messages });
      let rounds = 0;
      while (completion.choices[0]!.finish_reason === "tool_calls") {
        const message = completion.choices[0]!.message;
        messages.push(message);
        for (const call of message.tool_calls ?? []) {
          if (call.type !== "function") continue;
          messages.push({ role: "tool", tool_call_id: call.id, content: `${call.function.name} done` });
        }
        completion = await openai.chat.completions.create({ model: "tools", messages });
        rounds++;
      }
      expect(rounds).toBe(1);
      expect(completion.choices[0]!.message.content).toContain('"WeatherTools__get_forecast done"');
      expect(completion.choices[0]!.message.content).toContain('"BookingAPI__POST_bookings_city done"');
    });

    it("streams tool calls the openai SDK's stream helper assembles", async () => {
      const runner = openai.chat.completions.stream({ model: "tools", messages: [{ role: "user", content: "Plan" }] });
      const final = await runner.finalChatCompletion();
      expect(final.choices[0]!.finish_reason).toBe("tool_calls");
      const calls = final.choices[0]!.message.tool_calls!.filter((c) => c.type === "function");
      expect(calls.map((c) => c.function.name)).toEqual(["WeatherTools__get_forecast", "BookingAPI__POST_bookings_city"]);
      expect(JSON.parse(calls[0]!.function.arguments)).toMatchObject({ city: "Lisbon", days: 3 });
    });

    it("answers a forged tool call id with a 400, not an upstream call", async () => {
      const error = await openai.chat.completions
        .create({
          model: "tools",
          messages: [
            { role: "user", content: "x" },
            { role: "tool", tool_call_id: "call_forged.AAAA", content: "r" },
          ],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("invalid_tool_call_id");
    });

    it("gives citations as annotations and reasoning as reasoning_content", async () => {
      const completion = await openai.chat.completions.create({ model: "cited", messages: [{ role: "user", content: "x" }] });
      const message = completion.choices[0]!.message;
      expect(message.content).toBe(CITATIONS_TEXT);
      expect(message.annotations?.map((a) => a.url_citation.url)).toContain(CITATION_WEB_URL);
      const demo = await openai.chat.completions.create({ model: "agent", messages: [{ role: "user", content: "x" }] });
      expect((demo.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toContain(DEMO_RATIONALE_TEXT);
    });

    it("leaves reasoning out when the request or the model says so", async () => {
      const body = { messages: [{ role: "user", content: "x" }], include_reasoning: false };
      const perRequest = (await (await post("/v1/chat/completions", { ...body, model: "agent" })).json()) as {
        choices: Array<{ message: Record<string, unknown> }>;
      };
      expect(perRequest.choices[0]!.message.reasoning_content).toBeUndefined();
      const perModel = (await (
        await post("/v1/chat/completions", { ...body, model: "no-reasoning", include_reasoning: true })
      ).json()) as { choices: Array<{ message: Record<string, unknown> }> };
      expect(perModel.choices[0]!.message.reasoning_content).toBeUndefined();
    });

    it("sends the agent's files as data URLs", async () => {
      const completion = await openai.chat.completions.create({ model: "files", messages: [{ role: "user", content: "x" }] });
      const files = (completion.choices[0]!.message as unknown as { files: Array<{ name: string; type: string; url: string }> }).files;
      expect(files.map((f) => f.name)).toEqual(FILES_EXPECTED.map((f) => f.name));
      const csv = files[0]!;
      expect(csv.url.startsWith("data:text/csv;base64,")).toBe(true);
      expect(atob(csv.url.split(",")[1]!)).toBe(new TextDecoder().decode(FILES_EXPECTED[0]!.bytes));
      const stream = await openai.chat.completions.create({ model: "files", messages: [{ role: "user", content: "x" }], stream: true });
      const streamed: Array<{ url: string }> = [];
      for await (const chunk of stream) streamed.push(...((chunk.choices[0]?.delta as { files?: Array<{ url: string }> })?.files ?? []));
      expect(streamed.map((f) => f.url)).toEqual(files.map((f) => f.url));
    });

    it("prices with the model's custom prices from the config", async () => {
      const { response } = await openai.chat.completions
        .create({ model: "priced", messages: [{ role: "user", content: "x" }] })
        .withResponse();
      const expected = DEMO_EXPECTED_USAGE.inputTokens * 0.001 + DEMO_EXPECTED_USAGE.outputTokens * 0.002;
      expect(Number(response.headers.get("x-litellm-response-cost"))).toBeCloseTo(expected, 9);
    });

    it("finishes with content_filter when a guardrail intervenes", async () => {
      const completion = await openai.chat.completions.create({ model: "guarded", messages: [{ role: "user", content: "x" }] });
      expect(completion.choices[0]!.finish_reason).toBe("content_filter");
    });
  });
});
