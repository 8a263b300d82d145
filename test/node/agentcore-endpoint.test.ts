// AgentCore harness and runtime models behind the endpoint, end to end with the real clients
// (openai: chat and responses; @anthropic-ai/sdk), served by the Node server and by the Worker
// in workerd.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import {
  HARNESS_ARN,
  HARNESS_PARTIAL_TEXT,
  HARNESS_TOOL_ARGUMENTS,
  RUNTIME_ARN,
  harnessAnswer,
  harnessToolAnswer,
  runtimeAnswer,
} from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { startWranglerDev } from "./support/wrangler-dev.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER_KEY = "sk-agentcore-master-0123456789";
const secrets = { TEST_KEY_ID: STATIC_CREDENTIALS.accessKeyId, TEST_SECRET: STATIC_CREDENTIALS.secretAccessKey, TEST_MASTER_KEY: MASTER_KEY };

function config() {
  const model = (name: string, arn: string, scenario?: string, more: Record<string, unknown> = {}) => ({
    model_name: name,
    litellm_params: {
      model: `bedrock/agentcore/${arn}`,
      aws_access_key_id: "os.environ/TEST_KEY_ID",
      aws_secret_access_key: "os.environ/TEST_SECRET",
      api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
      num_retries: 0,
      ...more,
    },
  });
  return {
    model_list: [
      model("harness", HARNESS_ARN),
      model("harness-tools", HARNESS_ARN, "tools"),
      model("harness-fails", HARNESS_ARN, "exception-mid-stream"),
      model("harness-throttled", HARNESS_ARN, "http-error:ThrottlingException"),
      model("harness-slow", HARNESS_ARN, "slow-first-event:800"),
      model("runtime", RUNTIME_ARN),
      model("runtime-json", RUNTIME_ARN, "json"),
      model("runtime-fails", RUNTIME_ARN, "error-event"),
    ],
    general_settings: { master_key: "os.environ/TEST_MASTER_KEY", stream_keepalive_seconds: 0.2 },
  };
}

const targets: Array<[string, () => Promise<{ url: string; close(): Promise<void>; output?: () => string }>]> = [
  ["Node server", () => startServer({ config: parseConfig(config(), { lookup: (name) => secrets[name as keyof typeof secrets] }), port: 0, log: () => {} })],
  ["Worker (wrangler dev)", () => startWranglerDev({ CONFIG: JSON.stringify(config()), ...secrets })],
];

async function recorded(session: string): Promise<RecordedRequest[]> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[]).filter((r) => r.sessionId === session);
}

describe.each(targets)("AgentCore behind the endpoint, %s", (_name, start) => {
  let target: Awaited<ReturnType<typeof start>>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  const bodies: string[] = [];
  beforeAll(async () => {
    target = await start();
    // Every body the clients read, to search for secrets at the end.
    const recording: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      bodies.push(await response.clone().text(), JSON.stringify([...response.headers]));
      return response;
    };
    openai = new OpenAI({ baseURL: `${target.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0, fetch: recording });
    anthropic = new Anthropic({ baseURL: target.url, apiKey: MASTER_KEY, maxRetries: 0, fetch: recording });
  }, 60_000);
  afterAll(() => target?.close());

  it("answers chat completions from a harness and a runtime, streamed and not", async () => {
    const { data, response } = await openai.chat.completions.create({ model: "harness", messages: [{ role: "user", content: "Hello" }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe(harnessAnswer("Hello", 1));
    const session = response.headers.get("x-bedrock-agent-session-id")!;
    expect(session.length).toBeGreaterThanOrEqual(33);
    expect((await recorded(session))[0]!.signingRegion).toBe("us-west-2");
    const stream = await openai.chat.completions.create({ model: "runtime", messages: [{ role: "user", content: "Hi" }], stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(runtimeAnswer("Hi"));
    const json = await openai.chat.completions.create({ model: "runtime-json", messages: [{ role: "user", content: "Hi" }] });
    expect(json.choices[0]!.message.content).toBe(runtimeAnswer("Hi"));
  });

  it("runs the openai chat tool loop against a harness with no session id", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "What is the weather?" }];
    const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: {} } } }];
    let completion = await openai.chat.completions.create({ model: "harness-tools", messages, tools });
    let rounds = 0;
    while (completion.choices[0]!.finish_reason === "tool_calls") {
      const message = completion.choices[0]!.message;
      messages.push(message);
      for (const call of message.tool_calls ?? []) {
        if (call.type !== "function") continue;
        expect(JSON.parse(call.function.arguments)).toEqual(HARNESS_TOOL_ARGUMENTS);
        messages.push({ role: "tool", tool_call_id: call.id, content: "sunny" });
      }
      completion = await openai.chat.completions.create({ model: "harness-tools", messages, tools });
      rounds++;
    }
    expect(rounds).toBe(1);
    expect(completion.choices[0]!.message.content).toBe(harnessToolAnswer("sunny"));
  });

  it("runs the Responses function-call loop and streams Responses events from a harness", async () => {
    const tools: OpenAI.Responses.Tool[] = [{ type: "function", name: "get_weather", parameters: { type: "object", properties: {} }, strict: false }];
    const first = await openai.responses.create({ model: "harness-tools", input: "Weather?", tools });
    const call = first.output.find((item) => item.type === "function_call")!;
    const next = await openai.responses.create({ model: "harness-tools", tools, input: [{ type: "function_call_output", call_id: call.call_id, output: "rain" }] });
    expect(next.output_text).toBe(harnessToolAnswer("rain"));
    const stream = openai.responses.stream({ model: "harness", input: "Stream" });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(harnessAnswer("Stream", 1));
  });

  it("answers the Anthropic SDK, its tool loop included, from a harness and a runtime", async () => {
    const tools: Anthropic.Tool[] = [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: {} } }];
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Weather?" }];
    const first = await anthropic.messages.create({ model: "harness-tools", max_tokens: 512, messages, tools });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((block) => block.type === "tool_use")!;
    messages.push({ role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: use.type === "tool_use" ? use.id : "", content: "snow" }] });
    const second = await anthropic.messages.create({ model: "harness-tools", max_tokens: 512, messages, tools });
    const text = second.content.find((block) => block.type === "text");
    expect(text?.type === "text" && text.text).toBe(harnessToolAnswer("snow"));
    const streamed = await anthropic.messages.stream({ model: "runtime", max_tokens: 512, messages: [{ role: "user", content: "Hi" }] }).finalMessage();
    const streamedText = streamed.content.find((block) => block.type === "text");
    expect(streamedText?.type === "text" && streamedText.text).toBe(runtimeAnswer("Hi"));
  });

  it("passes errors on in each client's shape, also mid-stream", async () => {
    expect(await openai.chat.completions.create({ model: "harness-throttled", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.RateLimitError);
    const stream = await openai.chat.completions.create({ model: "harness-fails", messages: [{ role: "user", content: "x" }], stream: true });
    let text = "";
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })().catch((e: unknown) => e);
    expect(text).toBe(HARNESS_PARTIAL_TEXT);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const runtimeError = await anthropic.messages.stream({ model: "runtime-fails", max_tokens: 9, messages: [{ role: "user", content: "x" }] }).finalMessage().catch((e: unknown) => e);
    expect(runtimeError).toBeInstanceOf(Anthropic.APIError);
    expect((runtimeError as Error).message).toContain("division by zero");
  });

  it("cancels the call to AgentCore when the client disconnects", async () => {
    const session = `cancel-${crypto.randomUUID()}`;
    const response = await fetch(`${target.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "harness-slow", stream: true, session_id: session, messages: [{ role: "user", content: "x" }] }),
    });
    const reader = response.body!.getReader();
    await reader.read(); // a keep-alive: the agent is still silent
    await reader.cancel();
    await expect.poll(async () => (await recorded(session))[0]?.closedEarlyAt, { timeout: 3000, interval: 25 }).toBeDefined();
  });

  it("puts no secret in any body or header the clients read", () => {
    const all = bodies.join("\n") + (target.output?.() ?? "");
    expect(bodies.length).toBeGreaterThan(10);
    for (const secret of [STATIC_CREDENTIALS.secretAccessKey, MASTER_KEY]) expect(all).not.toContain(secret);
  });
});
