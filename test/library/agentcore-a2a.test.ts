// An AgentCore runtime deployed with server protocol A2A (`payload_format: a2a`) through the
// library's three surfaces, streamed and not, against the emulator: under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { BadRequestError, BedrockAgentClient, ConflictError, DependencyFailedError, NotFoundError } from "../../src/index.ts";
import { A2A_FAILURE, A2A_PARTIAL_TEXT, A2A_QUESTION, A2A_THOUGHT, a2aAnswer } from "../emulator/agentcore-a2a-scenarios.ts";
import { RUNTIME_ARN } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { failure } from "./support/failure.ts";

const emulatorUrl = inject("emulatorUrl");
const runtime = `bedrock/agentcore/${RUNTIME_ARN}`;
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  api_base: emulatorUrl,
  num_retries: 0,
});
const a2a = (variant = "") => ({ api_base: `${emulatorUrl}/scenario/a2a${variant ? `:${variant}` : ""}`, payload_format: "a2a" as const });
const user = (content: string) => [{ role: "user" as const, content }];

async function recorded(session: string): Promise<RecordedRequest[]> {
  return (await (await fetch(`${emulatorUrl}/__emulator/requests?sessionId=${encodeURIComponent(session)}`)).json()) as RecordedRequest[];
}

/** The text of a Messages stream's deltas of one type (`text_delta`, `thinking_delta`). */
function messagesDeltas(events: unknown[], type: "text_delta" | "thinking_delta"): string {
  return events
    .flatMap((e) => {
      const delta = (e as { type: string; delta?: { type?: string; text?: string; thinking?: string } }).delta;
      return (e as { type: string }).type === "content_block_delta" && delta?.type === type ? [delta.text ?? delta.thinking ?? ""] : [];
    })
    .join("");
}

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of stream) all.push(item);
  return all;
}

describe("a runtime that speaks A2A (payload_format: a2a)", () => {
  it("sends A2A 0.3 message/send with what is new, its context the session, and reads the task's artifact", async () => {
    const first = await client.completion({ model: runtime, ...a2a(), messages: [{ role: "system", content: "Be brief." }, ...user("Hello")] });
    expect(first.choices[0]!.message.content).toBe(a2aAnswer("Hello", 1));
    expect(first.choices[0]!.finish_reason).toBe("stop");
    const [seen] = await recorded(first.session_id);
    expect(seen!.headers.accept).toBe("application/json");
    expect(seen!.headers["a2a-version"]).toBeUndefined();
    expect(seen!.body).toMatchObject({
      jsonrpc: "2.0",
      method: "message/send",
      params: { message: { kind: "message", role: "user", parts: [{ kind: "text", text: "Hello" }], contextId: first.session_id }, configuration: { blocking: true } },
    });
    // The session continues the context: only the new turn goes, and the agent has heard two.
    const second = await client.completion({ model: runtime, ...a2a(), session_id: first.session_id, messages: [...user("Hello"), { role: "assistant", content: "Hi" }, ...user("Again")] });
    expect(second.choices[0]!.message.content).toBe(a2aAnswer("Again", 2));
    const [, next] = await recorded(first.session_id);
    expect((next!.body as { params: { message: { parts: unknown[] } } }).params.message.parts).toEqual([{ kind: "text", text: "Again" }]);
  });

  it("streams chat: the thought as reasoning, the artifact's appended pieces as text, each once", async () => {
    const chunks = await drain(await client.completion({ model: runtime, ...a2a(), messages: user("Hello"), stream: true }));
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "");
    expect(text.join("")).toBe(a2aAnswer("Hello", 1));
    expect(text.filter(Boolean).length).toBeGreaterThan(2);
    expect(chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "").join("")).toBe(A2A_THOUGHT);
    expect(chunks.at(-1)!.choices[0]?.finish_reason ?? chunks.at(-2)!.choices[0]?.finish_reason).toBe("stop");
  });

  it("reads Strands' default stream (its text as working messages, then whole as an artifact) without doubling it", async () => {
    const chunks = await drain(await client.completion({ model: runtime, ...a2a("strands"), messages: user("Hello"), stream: true }));
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "");
    expect(text.join("")).toBe(a2aAnswer("Hello", 1));
    expect(text.filter(Boolean).length).toBeGreaterThan(2);
    expect((await client.completion({ model: runtime, ...a2a("strands"), messages: user("Hello") })).choices[0]!.message.content).toBe(a2aAnswer("Hello", 1));
  });

  it("speaks 1.0 when a2a_version says so, through Responses and Messages, streamed and not", async () => {
    const v1 = { ...a2a(), a2a_version: "1.0" as const };
    const response = await client.responses({ model: runtime, ...v1, input: "Hi" });
    expect(response.output_text).toBe(a2aAnswer("Hi", 1));
    const [seen] = await recorded(response.session_id);
    expect(seen!.headers["a2a-version"]).toBe("1.0");
    expect(seen!.body).toMatchObject({ method: "SendMessage", params: { message: { role: "ROLE_USER", parts: [{ text: "Hi" }], contextId: response.session_id } } });
    const events = await drain(await client.responses({ model: runtime, ...v1, input: "Hi", stream: true }));
    const deltas = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : []));
    expect(deltas.join("")).toBe(a2aAnswer("Hi", 1));
    expect(events.some((e) => e.type === "response.reasoning_summary_text.delta" || e.type === "response.reasoning_text.delta")).toBe(true);
    const message = await client.messages({ model: runtime, ...v1, max_tokens: 99, messages: user("Hi") });
    expect(message.content).toMatchObject([{ type: "text", text: a2aAnswer("Hi", 1) }]);
    expect(message.stop_reason).toBe("end_turn");
    const streamed = await drain(await client.messages({ model: runtime, ...v1, max_tokens: 99, messages: user("Hi"), stream: true }));
    expect(messagesDeltas(streamed, "thinking_delta")).toBe(A2A_THOUGHT);
    expect(messagesDeltas(streamed, "text_delta")).toBe(a2aAnswer("Hi", 1));
  });

  it("ends input-required with the agent's question as the answer, and says so in stop_reason", async () => {
    const completion = await client.completion({ model: runtime, ...a2a("input-required"), messages: user("Weather?") });
    expect(completion.choices[0]!.message.content).toBe(A2A_QUESTION);
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion._hidden_params.stop_reason).toBe("input-required");
    const streamed = await drain(await client.messages({ model: runtime, ...a2a("input-required"), max_tokens: 99, messages: user("Weather?"), stream: true }));
    expect(messagesDeltas(streamed, "text_delta")).toBe(A2A_QUESTION);
  });

  it("raises a failed task with its message, after the text before it", async () => {
    const error = await failure(client.completion({ model: runtime, ...a2a("failed"), messages: user("x") }));
    expect(error).toBeInstanceOf(DependencyFailedError);
    expect(error).toMatchObject({ code: "task_failed" });
    expect(error.message).toContain(A2A_FAILURE);
    const events = await drain(await client.responses({ model: runtime, ...a2a("failed"), input: "x", stream: true }));
    expect(events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : [])).join("")).toBe(A2A_PARTIAL_TEXT);
    expect(events.at(-2)!.type).toBe("response.failed");
    expect(events.at(-1)).toMatchObject({ type: "error", code: "task_failed" });
    const chat = await client.completion({ model: runtime, ...a2a("failed"), messages: user("x"), stream: true });
    let text = "";
    const midStream = await failure(
      (async () => {
        for await (const chunk of chat) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(text).toBe(A2A_PARTIAL_TEXT);
    expect(midStream.message).toContain(A2A_FAILURE);
  });

  it("maps AgentCore's JSON-RPC codes on their HTTP statuses to typed errors, and retries a busy session", async () => {
    const missing = await failure(client.completion({ model: runtime, ...a2a("rpc-error:-32051"), messages: user("x") }));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing.message).toContain("Emulated AgentCore error.");
    expect(await failure(client.completion({ model: runtime, ...a2a("rpc-error:-32055"), messages: user("x") }))).toBeInstanceOf(DependencyFailedError);
    expect((await failure(client.completion({ model: runtime, ...a2a("rpc-error:-32053"), messages: user("x") }))).status).toBe(429);
    // 409 "Session operation in progress": retried before any output, within num_retries.
    const session_id = crypto.randomUUID();
    const retried = await client.completion({ model: runtime, ...a2a("conflict-once"), session_id, messages: user("Hello"), num_retries: 2, stream: true });
    expect((await drain(retried)).map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(a2aAnswer("Hello", 1));
    const attempts = await recorded(session_id);
    expect(attempts.map((r) => r.status)).toEqual([409, 200]);
    const refused = await failure(client.completion({ model: runtime, ...a2a("conflict-once"), messages: user("x") }));
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ status: 409, retryable: true });
  });

  it("refuses tool results and empty messages with a 400, before any call", async () => {
    const results = await failure(client.completion({ model: runtime, ...a2a(), messages: [...user("x"), { role: "tool", tool_call_id: "call_1", content: "y" }] }));
    expect(results).toBeInstanceOf(BadRequestError);
    expect(await failure(client.completion({ model: runtime, ...a2a(), messages: user("") }))).toMatchObject({ code: "empty_message" });
  });
});
