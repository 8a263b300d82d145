// The official AWS SDK for AgentCore against the emulator: it must sign requests the emulator
// accepts and read the emulator's answers, or the emulator does not speak the real protocol.
import { BedrockAgentCoreClient, InvokeAgentRuntimeCommand, InvokeHarnessCommand } from "@aws-sdk/client-bedrock-agentcore";
import { describe, expect, inject, it } from "vitest";
import {
  HARNESS_ARN,
  HARNESS_CALL_USAGE,
  HARNESS_PARTIAL_TEXT,
  HARNESS_TOOL_ARGUMENTS,
  RUNTIME_ARN,
  harnessAnswer,
  harnessToolAnswer,
  runtimeAnswer,
} from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";

const emulatorUrl = inject("emulatorUrl");
const client = (scenario?: string) =>
  new BedrockAgentCoreClient({
    region: "us-west-2",
    endpoint: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
    credentials: STATIC_CREDENTIALS,
    maxAttempts: 1,
  });
const session = () => `sdk-${crypto.randomUUID()}`;

async function events(stream: AsyncIterable<Record<string, unknown>>) {
  const out: Array<Record<string, unknown>> = [];
  for await (const event of stream) out.push(event);
  return out;
}

function text(all: Array<Record<string, unknown>>): string {
  return all.map((e) => ((e.contentBlockDelta as { delta?: { text?: string } } | undefined)?.delta?.text ?? "")).join("");
}

describe("the AgentCore emulator, through @aws-sdk/client-bedrock-agentcore", () => {
  it("answers InvokeHarness with event-stream frames the SDK decodes, and keeps the session", async () => {
    const id = session();
    const send = (content: string) =>
      client().send(new InvokeHarnessCommand({ harnessArn: HARNESS_ARN, runtimeSessionId: id, messages: [{ role: "user", content: [{ text: content }] }] }));
    const first = await events((await send("Hello")).stream as AsyncIterable<Record<string, unknown>>);
    expect(first[0]).toEqual({ messageStart: { role: "assistant" } });
    expect(text(first)).toBe(harnessAnswer("Hello", 1));
    expect(first.find((e) => e.metadata)).toMatchObject({ metadata: { usage: HARNESS_CALL_USAGE } });
    expect(first.find((e) => e.messageStop)).toEqual({ messageStop: { stopReason: "end_turn" } });
    // The session holds the first turn and its answer: two more make four... and this one.
    expect(text(await events((await send("Again")).stream as AsyncIterable<Record<string, unknown>>))).toBe(harnessAnswer("Again", 3));
  });

  it("hands an inline function back, and takes its result on the same session", async () => {
    const id = session();
    const tools = [{ type: "inline_function" as const, name: "get_weather", config: { inlineFunction: { description: "Weather", inputSchema: { type: "object" } } } }];
    const first = await events(
      (await client("tools").send(new InvokeHarnessCommand({ harnessArn: HARNESS_ARN, runtimeSessionId: id, tools, messages: [{ role: "user", content: [{ text: "Weather?" }] }] })))
        .stream as AsyncIterable<Record<string, unknown>>,
    );
    const start = first.find((e) => e.contentBlockStart) as { contentBlockStart: { start: { toolUse: { toolUseId: string; name: string } } } };
    expect(start.contentBlockStart.start.toolUse.name).toBe("get_weather");
    const input = first.map((e) => (e.contentBlockDelta as { delta?: { toolUse?: { input?: string } } } | undefined)?.delta?.toolUse?.input ?? "").join("");
    expect(JSON.parse(input)).toEqual(HARNESS_TOOL_ARGUMENTS);
    const toolUseId = start.contentBlockStart.start.toolUse.toolUseId;
    const second = await events(
      (
        await client("tools").send(
          new InvokeHarnessCommand({
            harnessArn: HARNESS_ARN,
            runtimeSessionId: id,
            tools,
            messages: [{ role: "user", content: [{ toolResult: { toolUseId, content: [{ text: "sunny" }], status: "success" } }] }],
          }),
        )
      ).stream as AsyncIterable<Record<string, unknown>>,
    );
    expect(text(second)).toBe(harnessToolAnswer("sunny"));
  });

  it("raises an exception frame mid-stream, and HTTP errors by their code", async () => {
    const response = await client("exception-mid-stream").send(
      new InvokeHarnessCommand({ harnessArn: HARNESS_ARN, runtimeSessionId: session(), messages: [{ role: "user", content: [{ text: "x" }] }] }),
    );
    const seen: Array<Record<string, unknown>> = [];
    const error = await (async () => {
      for await (const event of response.stream as AsyncIterable<Record<string, unknown>>) seen.push(event);
    })().catch((e: unknown) => e);
    expect(text(seen)).toBe(HARNESS_PARTIAL_TEXT);
    expect((error as { name: string }).name).toBe("InternalServerException");
    const throttled = await client("http-error:ThrottlingException")
      .send(new InvokeHarnessCommand({ harnessArn: HARNESS_ARN, runtimeSessionId: session(), messages: [{ role: "user", content: [{ text: "x" }] }] }))
      .catch((e: unknown) => e);
    expect((throttled as { name: string; $metadata: { httpStatusCode: number } }).name).toBe("ThrottlingException");
    const missing = await client()
      .send(new InvokeHarnessCommand({ harnessArn: HARNESS_ARN.replace("a1B2c3D4e5", "zzzzzzzzzz"), runtimeSessionId: session(), messages: [{ role: "user", content: [{ text: "x" }] }] }))
      .catch((e: unknown) => e);
    expect((missing as { name: string }).name).toBe("ResourceNotFoundException");
  });

  it("answers InvokeAgentRuntime with SSE or JSON bodies the SDK hands over as they are", async () => {
    const payload = new TextEncoder().encode(JSON.stringify({ prompt: "Hello" }));
    const sse = await client().send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session(), payload, contentType: "application/json", accept: "text/event-stream" }));
    expect(sse.contentType).toContain("text/event-stream");
    const events = (await sse.response!.transformToString())
      .split("\n\n")
      .filter((event) => event.startsWith("data: "))
      .map((event) => JSON.parse(event.slice(6)) as { data?: string; event?: Record<string, unknown> });
    // Each text delta twice, as a Strands agent yields them: a `data` twin of each model event.
    expect(events.map((e) => e.data ?? "").join("")).toBe(runtimeAnswer("Hello"));
    expect(events.filter((e) => e.event?.contentBlockDelta).length).toBe(events.filter((e) => e.data !== undefined).length);
    const json = await client("json").send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId: session(), payload, contentType: "application/json" }));
    expect(JSON.parse(await json.response!.transformToString())).toEqual({ result: { role: "assistant", content: [{ text: runtimeAnswer("Hello") }] } });
    expect(json.runtimeSessionId).toMatch(/^sdk-/);
  });
});
