// Each surface's translation of parts, fed by hand: the orders a backend may send that the
// emulator's scenarios do not (reasoning after text, arguments over several reads, a refusal).
import { describe, expect, it } from "vitest";
import { BadGatewayError } from "../../src/errors.ts";
import type { AgentAnswer, AgentPart } from "../../src/parts.ts";
import { toChunkBatches } from "../../src/surfaces/chat/chunks.ts";
import { toCompletion } from "../../src/surfaces/chat/response.ts";
import { toMessage, toMessageEvents } from "../../src/surfaces/messages/response.ts";
import { toResponse, toResponseEvents } from "../../src/surfaces/responses/response.ts";
import { UsageTally } from "../../src/usage.ts";
import { checkMessageEvents } from "./support/message-events.ts";
import { checkResponseEvents } from "./support/response-events.ts";

function answer(...batches: AgentPart[][]): AgentAnswer {
  return {
    session: { sessionId: "session-1", memoryId: undefined, requestId: "request-1" },
    parts: (async function* () {
      yield* batches;
    })(),
  };
}

async function all<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = [];
  for await (const batch of batches) out.push(...batch);
  return out;
}

const responseInfo = { id: "resp_1", createdAt: 1, model: "m", params: { model: "m" }, tools: [], includeTraces: false, includeCitations: false };
const messageInfo = { id: "msg_1", model: "m", includeTraces: false };
const usage = (model: string | undefined, inputTokens: number, outputTokens: number): AgentPart => ({ type: "usage", model, inputTokens, outputTokens });

// Text, then reasoning, then more text that a citation points into; a call whose arguments come
// over two reads; usage of two models; tool calls finish it.
const interleaved = (): AgentPart[][] => [
  [{ type: "text-delta", text: "First. " }],
  [{ type: "reasoning-delta", text: "Thinking it over." }],
  [
    { type: "text-delta", text: "Second, cited." },
    { type: "citation", url: "https://example.com/a", title: "A", start: 7, end: 21 },
  ],
  [{ type: "tool-call-start", id: "call_1", name: "lookup" }, { type: "tool-call-delta", id: "call_1", delta: '{"q":' }],
  [{ type: "tool-call-delta", id: "call_1", delta: '"lisbon"}' }, { type: "tool-call-end", id: "call_1" }],
  [usage("anthropic.claude-3-haiku-20240307-v1:0", 10, 5), usage("amazon.nova-micro-v1:0", 20, 7), { type: "finish", reason: "tool-calls" }],
];

describe("the Responses surface", () => {
  it("opens a new item whenever the kind of part changes, indices into each message's own text", async () => {
    const events = await all(toResponseEvents(answer(...interleaved()), responseInfo, new UsageTally()));
    const final = checkResponseEvents(events);
    expect(final.output.map((item) => item.type)).toEqual(["message", "reasoning", "message", "function_call"]);
    const second = final.output[2] as Extract<(typeof final.output)[number], { type: "message" }>;
    const [annotation] = second.content[0]!.annotations as Array<{ start_index: number; end_index: number }>;
    expect(second.content[0]!.text.slice(annotation!.start_index, annotation!.end_index)).toBe("Second, cited.");
    const call = final.output[3] as Extract<(typeof final.output)[number], { type: "function_call" }>;
    expect(JSON.parse(call.arguments)).toEqual({ q: "lisbon" });
    expect(final.usage).toMatchObject({ input_tokens: 30, output_tokens: 12 });
    const whole = await toResponse(answer(...interleaved()), responseInfo, new UsageTally());
    expect(whole.output.map((item) => item.type)).toEqual(final.output.map((item) => item.type));
  });

  it("is incomplete when a guardrail intervened, and failed after an error part", async () => {
    const filtered = await toResponse(answer([{ type: "text-delta", text: "no" }, { type: "finish", reason: "content-filter" }]), responseInfo, new UsageTally());
    expect(filtered).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
    const error = new BadGatewayError("upstream broke", { code: "stream_corrupt" });
    const events = await all(toResponseEvents(answer([{ type: "text-delta", text: "partial" }, { type: "error", error }]), responseInfo, new UsageTally()));
    const final = checkResponseEvents(events);
    expect(final).toMatchObject({ status: "failed", error: { code: "server_error", message: "upstream broke" } });
    expect(events.at(-1)).toMatchObject({ type: "error", code: "stream_corrupt", error: { message: "upstream broke" } });
  });
});

describe("the Messages surface", () => {
  it("closes a block before the next opens, tool input parsed whole", async () => {
    const events = await all(toMessageEvents(answer(...interleaved()), messageInfo, new UsageTally()));
    const { message, content } = checkMessageEvents(events);
    expect(content.map((block) => block.type)).toEqual(["text", "thinking", "text", "tool_use"]);
    expect(content[3]!.input).toEqual({ q: "lisbon" });
    expect(message.stop_reason).toBe("tool_use");
    const whole = await toMessage(answer(...interleaved()), messageInfo, new UsageTally());
    expect(whole.content[2]).toMatchObject({ text: "Second, cited.", citations: [{ cited_text: "Second, cited.", url: "https://example.com/a" }] });
    expect(whole.usage).toMatchObject({ input_tokens: 30, output_tokens: 12 });
  });

  it("stops with refusal for a guardrail, and ends with an error event after an error part", async () => {
    const refused = await toMessage(answer([{ type: "text-delta", text: "no" }, { type: "finish", reason: "content-filter" }]), messageInfo, new UsageTally());
    expect(refused.stop_reason).toBe("refusal");
    const error = new BadGatewayError("upstream broke");
    const { failed } = checkMessageEvents(await all(toMessageEvents(answer([{ type: "text-delta", text: "x" }, { type: "error", error }]), messageInfo, new UsageTally())));
    expect(failed).toEqual({ type: "api_error", message: "upstream broke" });
  });
});

describe("the chat surface", () => {
  it("streams a call's arguments as they come, and prices each model's usage", async () => {
    const tally = new UsageTally();
    const chunks = await all(toChunkBatches(answer(...interleaved()), { id: "c", created: 1, model: "m" }, tally, true));
    const calls = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(calls.map((call) => call.function.arguments).join("")).toBe('{"q":"lisbon"}');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("tool_calls");
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 });
    expect(tally.models).toEqual(["anthropic.claude-3-haiku-20240307-v1:0", "amazon.nova-micro-v1:0"]);
    const completion = await toCompletion(answer(...interleaved()), { id: "c", created: 1, model: "m" }, new UsageTally(), { includeTraces: false, includeCitations: false });
    expect(completion.choices[0]!.message).toMatchObject({ content: "First. Second, cited.", reasoning_content: "Thinking it over." });
    expect(completion.choices[0]!.message.annotations![0]!.url_citation).toMatchObject({ start_index: 7, end_index: 21 });
  });
});
