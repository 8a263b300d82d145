// messages(): the Anthropic Messages API against the emulator, under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { BadRequestError, BedrockAgentClient, type MessageStreamEvent, type ToolUseBlock } from "../../src/index.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { CITATION_WEB_URL, CITATIONS_TEXT, DEMO_EXPECTED_USAGE, DEMO_RATIONALE_TEXT, EXCEPTION_MID_STREAM_TEXT, demoAnswer } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { failure } from "./support/failure.ts";
import { checkMessageEvents } from "./support/message-events.ts";

const emulatorUrl = inject("emulatorUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
  api_base: emulatorUrl,
  num_retries: 0,
});
const scenario = (name: string) => `${emulatorUrl}/scenario/${name}`;
const user = (content: string) => [{ role: "user" as const, content }];

async function collect(stream: AsyncIterable<MessageStreamEvent>): Promise<MessageStreamEvent[]> {
  const events: MessageStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("messages()", () => {
  it("streams every trace: those before the first event in message_start, all of them in message_delta", async () => {
    const whole = await client.messages({ model, max_tokens: 1024, messages: user("Traces?"), include_traces: true });
    expect(whole.traces!.length).toBeGreaterThan(1);
    const events = await collect(await client.messages({ model, max_tokens: 1024, messages: user("Traces?"), include_traces: true, stream: true }));
    const start = events.find((e) => e.type === "message_start")!.message as { traces: unknown[] };
    const delta = events.find((e) => e.type === "message_delta") as { traces?: unknown[] };
    expect(delta.traces).toHaveLength(whole.traces!.length);
    // What message_start carried stays as it was sent.
    expect(start.traces.length).toBeLessThan(delta.traces!.length);
    const plain = await collect(await client.messages({ model, max_tokens: 1024, messages: user("Traces?"), stream: true }));
    expect(plain.find((e) => e.type === "message_delta")).not.toHaveProperty("traces");
  });

  it("answers with a Message: thinking, then text, end_turn, usage and the session", async () => {
    const message = await client.messages({ model, max_tokens: 1024, messages: user("What can you do?"), system: "Be brief." });
    expect(message).toMatchObject({ type: "message", role: "assistant", stop_reason: "end_turn", model });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect((message.content[0] as { thinking: string }).thinking).toContain(DEMO_RATIONALE_TEXT);
    expect((message.content[1] as { text: string }).text).toBe(demoAnswer("What can you do?"));
    expect(message.usage).toMatchObject({ input_tokens: DEMO_EXPECTED_USAGE.inputTokens, output_tokens: DEMO_EXPECTED_USAGE.outputTokens });
    const [seen] = ((await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[]).filter((r) => r.sessionId === message.session_id);
    expect((seen!.body as { sessionState: { promptSessionAttributes: Record<string, string> } }).sessionState.promptSessionAttributes.instructions).toBe("Be brief.");
  });

  it("streams Anthropic's events in their order, building the same Message", async () => {
    const events = await collect(await client.messages({ model, max_tokens: 1024, messages: user("Stream it"), stream: true }));
    const { message, content } = checkMessageEvents(events);
    expect(message.stop_reason).toBe("end_turn");
    expect(content.find((block) => block.type === "text")?.text).toBe(demoAnswer("Stream it"));
    expect(events.filter((e) => e.type === "content_block_delta").length).toBeGreaterThan(3);
    expect((message.usage as { output_tokens: number }).output_tokens).toBe(DEMO_EXPECTED_USAGE.outputTokens);
  });

  it("runs the tool loop: tool_use blocks, answered by tool_result blocks on the same session", async () => {
    const first = await client.messages({ model, max_tokens: 1024, messages: user("Plan my trip"), api_base: scenario("return-control") });
    expect(first.stop_reason).toBe("tool_use");
    const uses = first.content.filter((block): block is ToolUseBlock => block.type === "tool_use");
    expect(uses.map((use) => use.name)).toEqual(["WeatherTools__get_forecast", "BookingAPI__POST_bookings_city"]);
    expect(uses[0]!.input).toMatchObject({ city: "Lisbon", days: 3 });
    const next = await client.messages({
      model,
      max_tokens: 1024,
      api_base: scenario("return-control"),
      messages: [
        ...user("Plan my trip"),
        { role: "assistant", content: first.content },
        { role: "user", content: uses.map((use) => ({ type: "tool_result", tool_use_id: use.id, content: `${use.name} done` })) },
      ],
    });
    expect(next.session_id).toBe(first.session_id);
    expect((next.content.find((block) => block.type === "text") as { text: string }).text).toContain('"WeatherTools__get_forecast done"');
    const streamed = checkMessageEvents(await collect(await client.messages({ model, max_tokens: 9, messages: user("x"), api_base: scenario("return-control"), stream: true })));
    expect(streamed.content.filter((block) => block.type === "tool_use").map((block) => block.input)).toEqual(uses.map((use) => use.input));
    expect(streamed.message.stop_reason).toBe("tool_use");
  });

  it("gives citations on the text they cite", async () => {
    const message = await client.messages({ model, max_tokens: 9, messages: user("x"), api_base: scenario("citations") });
    const text = message.content.find((block) => block.type === "text") as { text: string; citations: Array<{ url: string; cited_text: string }> };
    expect(text.text).toBe(CITATIONS_TEXT);
    const citation = text.citations.find((c) => c.url === CITATION_WEB_URL)!;
    // What the source said, as Anthropic's cited_text is.
    expect(citation.cited_text).toBe("Lisbon is the capital and largest city of Portugal.");
  });

  it("ends a failing stream with an error event, after what came before", async () => {
    const events = await collect(await client.messages({ model, max_tokens: 9, messages: user("x"), api_base: scenario("exception-mid-stream:internalServerException"), stream: true }));
    const { content, failed } = checkMessageEvents(events);
    expect(failed).toMatchObject({ type: "api_error" });
    expect(content.find((block) => block.type === "text")?.text).toBe(EXCEPTION_MID_STREAM_TEXT);
  });

  it.each([
    [{ messages: [] }, "messages", /non-empty/],
    [{ messages: user("x"), stream: "yes" }, "stream", /true or false/],
    [{ messages: [{ role: "robot", content: "x" }] }, "messages.0.role", /"user", "assistant" or "system"/],
    [{ messages: [{ role: "system", content: "Be brief." }] }, "messages", /last message must be a user message/],
    [{ messages: [{ role: "user", content: [{ type: "image", source: { type: "url", url: "https://x.example.com/a.png" } }] }] }, "messages.0.content.0.source", /inline/],
    [{ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "call_forged.AAAA", content: "x" }] }] }, "messages.0.content.0.tool_use_id", /not a tool call id/],
    [{ messages: [{ role: "user", content: [{ type: "tool_result", tool_use_id: "call_x.A", content: "x" }, { type: "text", text: "and?" }] }] }, "messages.0.content", /of their own/],
    [{ messages: [{ role: "user", content: [{ type: "server_tool_use", id: "x" }] }] }, "messages.0.content.0.type", /not supported/],
    [{ messages: user("") }, "messages.0.content", /is empty/],
  ])("refuses %j with a 400 naming %s", async (params, param, message) => {
    const error = await failure(client.messages({ model, max_tokens: 9, ...(params as object) } as never));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ param });
    expect(error.message).toMatch(message);
  });
});
