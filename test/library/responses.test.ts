// responses(): the OpenAI Responses API against the emulator, under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { BadRequestError, BedrockAgentClient, RateLimitError, type ResponseStreamEvent } from "../../src/index.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { CITATION_WEB_URL, CITATIONS_TEXT, DEMO_EXPECTED_USAGE, DEMO_RATIONALE_TEXT, EXCEPTION_MID_STREAM_TEXT, demoAnswer } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { failure } from "./support/failure.ts";
import { checkResponseEvents } from "./support/response-events.ts";

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

async function requestsFor(session: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((request) => request.sessionId === session);
}

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe("responses()", () => {
  it("answers a string input with a Response: reasoning, then the message, usage and the session", async () => {
    const response = await client.responses({ model, input: "What can you do?", metadata: { team: "a" } });
    expect(response).toMatchObject({ object: "response", status: "completed", model, metadata: { team: "a" }, error: null });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    const [reasoning, message] = response.output as [Extract<typeof response.output[number], { type: "reasoning" }>, Extract<typeof response.output[number], { type: "message" }>];
    expect(reasoning.summary[0]!.text).toContain(DEMO_RATIONALE_TEXT);
    expect(message.content[0]!.text).toBe(demoAnswer("What can you do?"));
    expect(response.output_text).toBe(demoAnswer("What can you do?"));
    expect(response.usage).toMatchObject({ input_tokens: DEMO_EXPECTED_USAGE.inputTokens, output_tokens: DEMO_EXPECTED_USAGE.outputTokens });
    expect(response.session_id).toBe(response._hidden_params!.session_id);
    expect(response._hidden_params!.response_cost).toBeGreaterThan(0);
  });

  it("continues the session a previous_response_id carries, sending only what is new", async () => {
    const first = await client.responses({
      model,
      input: [
        { role: "user", content: "My name is Ada." },
        { role: "assistant", content: "Hello Ada!" },
        { role: "user", content: [{ type: "input_text", text: "Remember it." }] },
      ],
      instructions: "Be brief.",
    });
    const second = await client.responses({ model, input: "What is my name?", previous_response_id: first.id });
    expect(second.session_id).toBe(first.session_id);
    const [a, b] = await requestsFor(first.session_id);
    expect((a!.body as { sessionState: { conversationHistory: unknown; promptSessionAttributes: unknown } }).sessionState).toMatchObject({
      conversationHistory: { messages: [{ role: "user" }, { role: "assistant" }] },
      promptSessionAttributes: { instructions: "Be brief." },
    });
    expect((b!.body as { inputText: string; sessionState?: { conversationHistory?: unknown } }).inputText).toBe("What is my name?");
    expect((b!.body as { sessionState?: { conversationHistory?: unknown } }).sessionState?.conversationHistory).toBeUndefined();
  });

  it("accepts an earlier response's output passed back, reasoning included, without resending the reasoning", async () => {
    const first = await client.responses({ model, input: "My name is Ada." });
    expect(first.output.some((item) => item.type === "reasoning")).toBe(true);
    const next = await client.responses({ model, input: [{ role: "user", content: "My name is Ada." }, ...first.output, { role: "user", content: "And?" }] });
    const [seen] = await requestsFor(next.session_id);
    const history = (seen!.body as { sessionState: { conversationHistory: { messages: Array<{ role: string; content: Array<{ text: string }> }> } } }).sessionState
      .conversationHistory.messages;
    expect(history).toEqual([
      { role: "user", content: [{ text: "My name is Ada." }] },
      { role: "assistant", content: [{ text: first.output_text }] },
    ]);
  });

  it("gives every response of a session an id of its own, each continuing the session (issue 20.7)", async () => {
    const first = await client.responses({ model, input: "One" });
    const second = await client.responses({ model, input: "Two", previous_response_id: first.id });
    const streamed = await client.responses({ model, input: "Three", previous_response_id: second.id, stream: true });
    await collect(streamed);
    expect(second.session_id).toBe(first.session_id);
    expect(new Set([first.id, second.id, streamed.id]).size).toBe(3);
    // The session cannot branch: an older response's id continues it from its latest state.
    const again = await client.responses({ model, input: "Four", previous_response_id: first.id });
    expect(again.session_id).toBe(first.session_id);
    expect((await requestsFor(first.session_id)).length).toBe(4);
  });

  it("still takes a response id issued before ids had a part of their own", async () => {
    const { SignedIds } = await import("../../src/signed-ids.ts");
    const first = await client.responses({ model, input: "One" });
    const older = await new SignedIds({ secret: STATIC_CREDENTIALS.secretAccessKey, agent: model }, "response id", "resp_").sign([first.session_id]);
    const next = await client.responses({ model, input: "Two", previous_response_id: older });
    expect(next.session_id).toBe(first.session_id);
  });

  it("refuses a forged or garbled previous_response_id with a 400, before any call to AWS", async () => {
    const real = await client.responses({ model, input: "x" });
    for (const id of ["resp_forged.AAAA", `${real.id}x`, "call_abc", 42]) {
      const error = await failure(client.responses({ model, input: "x", previous_response_id: id as string }));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ param: "previous_response_id", code: "invalid_response_id" });
    }
    // A response id is bound to its model.
    const other = await failure(client.responses({ model: "bedrock/agent/OTHERAGENT/MFPSBCXYTW", input: "x", previous_response_id: real.id }));
    expect(other).toMatchObject({ code: "invalid_response_id" });
  });

  it("streams the events OpenAI sends, in their order, ending in the same Response", async () => {
    const stream = await client.responses({ model, input: "Stream it", stream: true });
    const events = await collect(stream);
    const final = checkResponseEvents(events);
    expect(final.status).toBe("completed");
    const text = events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
    expect(text).toBe(demoAnswer("Stream it"));
    expect(events.filter((e) => e.type === "response.output_text.delta").length).toBeGreaterThan(3);
    expect(events.some((e) => e.type === "response.reasoning_summary_text.delta")).toBe(true);
    expect(final.id).toBe(stream.id);
    expect(final.usage?.total_tokens).toBe(DEMO_EXPECTED_USAGE.inputTokens + DEMO_EXPECTED_USAGE.outputTokens);
  });

  it("gives citations as url_citation annotations on the output text", async () => {
    const response = await client.responses({ model, input: "x", api_base: scenario("citations") });
    const message = response.output.find((item) => item.type === "message")!;
    expect(message.content[0]!.text).toBe(CITATIONS_TEXT);
    const annotation = message.content[0]!.annotations.find((a) => a.type === "url_citation" && a.url === CITATION_WEB_URL) as { start_index: number; end_index: number };
    expect(CITATIONS_TEXT.slice(annotation.start_index, annotation.end_index).length).toBeGreaterThan(0);
    const events = await collect(await client.responses({ model, input: "x", api_base: scenario("citations"), stream: true }));
    checkResponseEvents(events);
    expect(events.filter((e) => e.type === "response.output_text.annotation.added").length).toBe(message.content[0]!.annotations.length);
  });

  it("runs the function-call loop: function_call items, answered by function_call_output", async () => {
    const first = await client.responses({ model, input: "Plan my trip to Lisbon", api_base: scenario("return-control") });
    const calls = first.output.filter((item) => item.type === "function_call");
    expect(calls.map((call) => call.name)).toEqual(["WeatherTools__get_forecast", "BookingAPI__POST_bookings_city"]);
    expect(JSON.parse(calls[0]!.arguments)).toMatchObject({ city: "Lisbon", days: 3 });
    const outputs = calls.map((call) => ({ type: "function_call_output", call_id: call.call_id, output: `${call.name} done` }));
    // With the previous id, and without it (the call ids carry the session): both continue it.
    for (const previous of [first.id, undefined]) {
      const next = await client.responses({
        model,
        api_base: scenario("return-control"),
        input: previous ? outputs : [...calls, ...outputs],
        previous_response_id: previous,
      });
      expect(next.session_id).toBe(first.session_id);
      expect(next.output_text).toContain('"WeatherTools__get_forecast done"');
    }
    const streamed = await collect(await client.responses({ model, input: "Plan", api_base: scenario("return-control"), stream: true }));
    const final = checkResponseEvents(streamed);
    expect(final.output.filter((item) => item.type === "function_call")).toHaveLength(2);
    expect(streamed.filter((e) => e.type === "response.function_call_arguments.done")).toHaveLength(2);
  });

  it("ends a failing stream with response.failed and an error event, after what came before", async () => {
    const events = await collect(await client.responses({ model, input: "x", api_base: scenario("exception-mid-stream:internalServerException"), stream: true }));
    const final = checkResponseEvents(events);
    expect(final.status).toBe("failed");
    expect(final.error?.message).toContain("InternalServerException");
    expect(events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("")).toBe(EXCEPTION_MID_STREAM_TEXT);
    expect(events.at(-1)).toMatchObject({ type: "error", error: { code: "InternalServerException" } });
  });

  it("raises AWS errors before the answer as the library's errors", async () => {
    const error = await failure(client.responses({ model, input: "x", api_base: scenario("http-error:ThrottlingException") }));
    expect(error).toBeInstanceOf(RateLimitError);
  });

  it.each([
    [{ input: [] }, "input", /"input" is required/],
    [{ input: 42 }, "input", /"input" is required/],
    [{ input: "x", stream: "yes" }, "stream", /stream must be true or false/],
    [{ input: [{ type: "item_reference", id: "msg_1" }] }, "input[0].type", /not supported/],
    [{ input: [{ role: "robot", content: "x" }] }, "input[0].role", /role must be one of/],
    [{ input: [{ role: "user", content: [{ type: "input_image", image_url: "https://example.com/a.png" }] }] }, "input[0].content[0]", /data URLs/],
    [{ input: [{ type: "function_call_output", call_id: "call_forged.AAAA", output: "x" }] }, "input[0].call_id", /not a tool call id/],
    [{ input: "" }, "input.content", /is empty/],
  ])("refuses %j with a 400 naming %s", async (params, param, message) => {
    const error = await failure(client.responses({ model, ...(params as object) } as never));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ param });
    expect(error.message).toMatch(message);
  });
});
