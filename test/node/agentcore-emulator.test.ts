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
import { SendMessageResponse, StreamResponse, TaskState, parseSseStream } from "@a2a-js/sdk";
import { A2A_FAILURE, A2A_QUESTION, A2A_SESSION_BUSY, A2A_THOUGHT, a2aAnswer } from "../emulator/agentcore-a2a-scenarios.ts";

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

  describe("a runtime deployed with server protocol A2A", () => {
    const a2aClient = (variant = "", version?: "1.0") => {
      const sdk = client(`a2a${variant ? `:${variant}` : ""}`);
      // The SDK has no field for it: A2A's version header, as a runtime allowlists it.
      if (version) sdk.middlewareStack.add((next) => (args) => ((args.request as { headers: Record<string, string> }).headers["a2a-version"] = version, next(args)), { step: "build" });
      return sdk;
    };
    const rpc = (method: string, text: string, contextId: string, v1 = false) =>
      new TextEncoder().encode(
        JSON.stringify({
          jsonrpc: "2.0",
          id: 7,
          method,
          params: { message: v1 ? { messageId: "m1", role: "ROLE_USER", parts: [{ text }], contextId } : { kind: "message", messageId: "m1", role: "user", parts: [{ kind: "text", text }], contextId } },
        }),
      );
    const invoke = (sdk: BedrockAgentCoreClient, payload: Uint8Array, accept: string, runtimeSessionId = session()) =>
      sdk.send(new InvokeAgentRuntimeCommand({ agentRuntimeArn: RUNTIME_ARN, runtimeSessionId, payload, contentType: "application/json", accept }));
    const sseResults = async (body: string) => {
      const results: Array<Record<string, unknown>> = [];
      for await (const event of parseSseStream(new Response(body, { headers: { "content-type": "text/event-stream" } }))) {
        const message = JSON.parse(event.data) as { id: unknown; result: Record<string, unknown> };
        expect(message.id).toBe(7);
        results.push(message.result);
      }
      return results;
    };

    it("answers A2A 0.3 message/send with a JSON-RPC task, and keeps the context", async () => {
      const contextId = session();
      const first = await invoke(a2aClient(), rpc("message/send", "Hello", contextId), "application/json");
      expect(first.contentType).toBe("application/json");
      const { result } = JSON.parse(await first.response!.transformToString()) as { result: { kind: string; contextId: string; status: { state: string }; artifacts: Array<{ parts: Array<{ kind: string; text: string }> }> } };
      expect(result).toMatchObject({ kind: "task", contextId, status: { state: "completed" } });
      expect(result.artifacts[0]!.parts).toEqual([{ kind: "text", text: a2aAnswer("Hello", 1) }]);
      const second = JSON.parse(await (await invoke(a2aClient(), rpc("message/send", "Again", contextId), "application/json")).response!.transformToString());
      expect(second.result.artifacts[0].parts[0].text).toBe(a2aAnswer("Again", 2));
    });

    it("streams A2A 0.3 message/stream as SSE of JSON-RPC responses: a task, a thought, appended pieces, the final status", async () => {
      const out = await invoke(a2aClient(), rpc("message/stream", "Hello", session()), "text/event-stream");
      expect(out.contentType).toBe("text/event-stream");
      const results = await sseResults(await out.response!.transformToString());
      expect(results.map((r) => r.kind)).toEqual(["task", "status-update", ...Array(results.length - 3).fill("artifact-update"), "status-update"]);
      expect(results[1]).toMatchObject({ status: { state: "working", message: { metadata: { thought: true }, parts: [{ kind: "text", text: A2A_THOUGHT }] } } });
      const pieces = results.filter((r) => r.kind === "artifact-update") as Array<{ append: boolean; lastChunk: boolean; artifact: { parts: Array<{ text: string }> } }>;
      expect(pieces.map((p) => p.artifact.parts[0]!.text).join("")).toBe(a2aAnswer("Hello", 1));
      expect(pieces.map((p) => p.append)).toEqual([false, ...Array(pieces.length - 1).fill(true)]);
      expect(pieces.at(-1)!.lastChunk).toBe(true);
      expect(results.at(-1)).toMatchObject({ status: { state: "completed" }, final: true });
    });

    it("speaks 1.0 when the call says A2A-Version: 1.0, in shapes the official A2A SDK reads", async () => {
      const sent = await invoke(a2aClient("", "1.0"), rpc("SendMessage", "Hi", session(), true), "application/json");
      const parsed = SendMessageResponse.fromJSON(JSON.parse(await sent.response!.transformToString()).result);
      expect(parsed.payload?.$case).toBe("task");
      const task = (parsed.payload as { value: { status?: { state: number }; artifacts: Array<{ parts: Array<{ content?: { value: unknown } }> }> } }).value;
      expect(task.status!.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(task.artifacts[0]!.parts[0]!.content!.value).toBe(a2aAnswer("Hi", 1));
      const streamed = await invoke(a2aClient("input-required", "1.0"), rpc("SendStreamingMessage", "Weather?", session(), true), "text/event-stream");
      const events = (await sseResults(await streamed.response!.transformToString())).map((result) => StreamResponse.fromJSON(result).payload);
      expect(events.map((e) => e?.$case)).toEqual(["task", "statusUpdate", "statusUpdate"]);
      const last = events.at(-1) as { value: { status: { state: number; message: { parts: Array<{ content: { value: string } }> } } } };
      expect(last.value.status.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
      expect(last.value.status.message.parts[0]!.content.value).toBe(A2A_QUESTION);
      // A 1.0 method without the header is a 0.3 call to this container: unknown.
      const unheard = JSON.parse(await (await invoke(a2aClient(), rpc("SendMessage", "Hi", session(), true), "application/json")).response!.transformToString());
      expect(unheard.error.code).toBe(-32601);
    });

    it("fails a task with its message, and answers AgentCore's errors on their HTTP status with its codes", async () => {
      const failed = JSON.parse(await (await invoke(a2aClient("failed"), rpc("message/send", "x", session()), "application/json")).response!.transformToString());
      expect(failed.result).toMatchObject({ kind: "task", status: { state: "failed", message: { parts: [{ text: A2A_FAILURE }] } } });
      const missing = (await invoke(a2aClient("rpc-error:-32051"), rpc("message/send", "x", session()), "application/json").catch((e: unknown) => e)) as {
        $metadata: { httpStatusCode: number };
        $response?: { body?: unknown };
      };
      expect(missing.$metadata.httpStatusCode).toBe(404);
      const id = session();
      const busy = (await invoke(a2aClient("conflict-once"), rpc("message/send", "x", id), "application/json", id).catch((e: unknown) => e)) as { $metadata: { httpStatusCode: number }; message: string };
      expect(busy.$metadata.httpStatusCode).toBe(409);
      const again = JSON.parse(await (await invoke(a2aClient("conflict-once"), rpc("message/send", "x", id), "application/json", id)).response!.transformToString());
      expect(again.result.status.state).toBe("completed");
      expect(A2A_SESSION_BUSY).toMatch(/Session operation in progress/);
    });
  });
});
