// What makes agents agents, through the OpenAI format: return of control as tool calls,
// citations, reasoning, files, sessions and memory. Runs under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import {
  BadRequestError,
  BedrockAgentClient,
  DependencyFailedError,
  type ChatCompletionChunk,
  type ChatMessage,
} from "../../src/index.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  CITATION_S3_URI,
  CITATION_WEB_URL,
  CITATIONS_CHUNKS,
  CITATIONS_TEXT,
  DEMO_RATIONALE_TEXT,
  DEMO_REASONING_TEXT,
  FAILURE_REASON,
  FILES_EXPECTED,
  FILES_TEXT,
  GUARDRAIL_TEXT,
  returnControlFollowUpText,
  returnControlInvocationId,
} from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";

const emulatorUrl = inject("emulatorUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
  num_retries: 0,
});
const user = (content: string): ChatMessage[] => [{ role: "user", content }];
const scenario = (name: string) => `${emulatorUrl}/scenario/${name}`;

async function requestsFor(session: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((request) => request.sessionId === session);
}

async function requestCount(): Promise<number> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/stats`)).json()) as { requests: number }).requests;
}

async function chunksOf(params: Parameters<BedrockAgentClient["completion"]>[0]): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of await client.completion({ ...params, stream: true })) chunks.push(chunk);
  return chunks;
}

describe("return of control → tool calls", () => {
  const expectedArguments = [
    { city: "Lisbon", days: 3, min_temperature: 12.5, include_hourly: false, units: ["celsius", "mm"] },
    { city: "Lisbon", nights: 2, guests: 2, breakfast: true },
  ];

  it("turns function and API actions into typed tool calls with valid names", async () => {
    const response = await client.completion({ model, messages: user("Plan my trip"), api_base: scenario("return-control") });
    const choice = response.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls!;
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.function.name)).toEqual(["WeatherTools__get_forecast", "BookingAPI__POST_bookings_city"]);
    for (const call of calls) {
      expect(call.type).toBe("function");
      expect(call.function.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    }
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual(expectedArguments);
  });

  it("streams the tool calls as deltas and finishes with tool_calls", async () => {
    const chunks = await chunksOf({ model, messages: user("Plan my trip"), api_base: scenario("return-control") });
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.map((d) => d.index)).toEqual([0, 1]);
    expect(deltas.map((d) => JSON.parse(d.function.arguments))).toEqual(expectedArguments);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });

  it("sends tool results back into the same session and invocation, with no session id from the caller", async () => {
    const first = await client.completion({ model, messages: user("Plan my trip"), api_base: scenario("return-control") });
    const calls = first.choices[0]!.message.tool_calls!;
    const messages: ChatMessage[] = [
      ...user("Plan my trip"),
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: calls[0]!.id, content: "sunny, 24 °C" },
      { role: "tool", tool_call_id: calls[1]!.id, content: '{"booking":"B-42"}' },
    ];
    const second = await client.completion({ model, messages, api_base: scenario("return-control") });
    const [, seen] = await requestsFor(first.session_id);
    expect(second.session_id).toBe(first.session_id);
    const state = (seen!.body as { sessionState: Record<string, unknown> }).sessionState;
    expect(state.invocationId).toBe(returnControlInvocationId(first.session_id));
    expect(state.returnControlInvocationResults).toEqual([
      { functionResult: { actionGroup: "WeatherTools", function: "get_forecast", responseBody: { TEXT: { body: "sunny, 24 °C" } } } },
      {
        apiResult: {
          actionGroup: "BookingAPI",
          apiPath: "/bookings/{city}",
          httpMethod: "POST",
          httpStatusCode: 200,
          responseBody: { "application/json": { body: '{"booking":"B-42"}' } },
        },
      },
    ]);
    expect(second.choices[0]!.message.content).toBe(
      returnControlFollowUpText(state.returnControlInvocationResults as Parameters<typeof returnControlFollowUpText>[0]),
    );
    expect(second.choices[0]!.finish_reason).toBe("stop");

    // The next user turn goes on in that session too, found through the tool call ids.
    const third = await client.completion({
      model,
      messages: [...messages, { role: "assistant", content: "Done." }, ...user("Thanks!")],
      api_base: emulatorUrl,
    });
    expect(third.session_id).toBe(first.session_id);
  });

  it("refuses forged, garbled and foreign tool call ids with a 400, before any call to AWS", async () => {
    const first = await client.completion({ model, messages: user("x"), api_base: scenario("return-control") });
    const id = first.choices[0]!.message.tool_calls![0]!.id;
    const payload = JSON.stringify(["victim-session", "inv", "WeatherTools", "get_forecast", "", "", ""]);
    const forged = `call_${btoa(payload).replace(/=+$/, "")}.${id.split(".")[1]}`;
    const garbled = id.slice(0, -3) + (id.endsWith("AAA") ? "BBB" : "AAA");
    const before = await requestCount();
    for (const [toolCallId, agent] of [
      [forged, model],
      [garbled, model],
      ["call_abc", model],
      [id, "bedrock/agent/OTHERAGENT/MFPSBCXYTW"],
    ] as const) {
      const error = await client
        .completion({
          model: agent,
          api_base: scenario("return-control"),
          messages: [...user("x"), { role: "tool", tool_call_id: toolCallId, content: "result" }],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).code).toBe("invalid_tool_call_id");
    }
    expect(await requestCount()).toBe(before);
  });

  it("refuses more than 5 tool results at once", async () => {
    const tools: ChatMessage[] = Array.from({ length: 6 }, () => ({ role: "tool", tool_call_id: "call_x", content: "r" }));
    const error = await client.completion({ model, messages: [...user("x"), ...tools], api_base: emulatorUrl }).catch((e: unknown) => e);
    expect((error as BadRequestError).code).toBe("too_many_tool_results");
  });
});

describe("citations → annotations", () => {
  const cited = CITATIONS_CHUNKS.flatMap((c) =>
    ((c.attribution as { citations?: Array<{ generatedResponsePart: { textResponsePart: { text: string } } }> } | undefined)
      ?.citations ?? []).map((citation) => citation.generatedResponsePart.textResponsePart.text),
  );

  it("places url_citation annotations in the answer, for web and S3 sources", async () => {
    const response = await client.completion({ model, messages: user("x"), api_base: scenario("citations") });
    const message = response.choices[0]!.message;
    expect(message.content).toBe(CITATIONS_TEXT);
    const annotations = message.annotations!;
    expect(annotations.map((a) => a.url_citation.url)).toEqual(expect.arrayContaining([CITATION_WEB_URL, CITATION_S3_URI]));
    for (const { type, url_citation } of annotations) {
      expect(type).toBe("url_citation");
      expect(cited).toContain(CITATIONS_TEXT.slice(url_citation.start_index, url_citation.end_index));
      expect(url_citation.title.length).toBeGreaterThan(0);
    }
  });

  it("keeps the raw retrieved references for those who ask", async () => {
    const plain = await client.completion({ model, messages: user("x"), api_base: scenario("citations") });
    expect(plain.choices[0]!.message.citations).toBeUndefined();
    const response = await client.completion({ model, messages: user("x"), api_base: scenario("citations"), include_citations: true });
    const references = response.choices[0]!.message.citations!.flatMap((c) => c.retrievedReferences ?? []);
    expect(references.length).toBeGreaterThanOrEqual(2);
    expect(references[0]).toHaveProperty("content");
    const chunks = await chunksOf({ model, messages: user("x"), api_base: scenario("citations"), include_citations: true });
    expect(chunks.flatMap((c) => c.choices[0]?.delta.citations ?? [])).toEqual(response.choices[0]!.message.citations);
  });

  it("gives the same indices into the whole answer when it streams in many chunks", async () => {
    const whole = await client.completion({ model, messages: user("x"), api_base: scenario("citations") });
    const chunks = await chunksOf({ model, messages: user("x"), api_base: scenario("citations") });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const streamed = chunks.flatMap((c) => c.choices[0]?.delta.annotations ?? []);
    expect(text).toBe(CITATIONS_TEXT);
    expect(streamed).toEqual(whole.choices[0]!.message.annotations);
    expect(streamed.some((a) => a.url_citation.start_index > 0)).toBe(true);
  });
});

describe("reasoning", () => {
  it("gives the rationale and the model's reasoning as reasoning_content", async () => {
    const response = await client.completion({ model, messages: user("x"), api_base: emulatorUrl });
    const reasoning = response.choices[0]!.message.reasoning_content!;
    expect(reasoning).toContain(DEMO_REASONING_TEXT);
    expect(reasoning).toContain(DEMO_RATIONALE_TEXT);
  });

  it("streams reasoning as deltas the moment the traces arrive", async () => {
    const chunks = await chunksOf({ model, messages: user("x"), api_base: emulatorUrl });
    const withReasoning = chunks.filter((c) => c.choices[0]?.delta.reasoning_content);
    expect(withReasoning.length).toBeGreaterThanOrEqual(1);
    expect(withReasoning.every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("");
    expect(reasoning).toContain(DEMO_REASONING_TEXT);
    expect(reasoning).toContain(DEMO_RATIONALE_TEXT);
  });

  it("leaves reasoning out with include_reasoning: false", async () => {
    const response = await client.completion({ model, messages: user("x"), api_base: emulatorUrl, include_reasoning: false });
    expect(response.choices[0]!.message.reasoning_content).toBeUndefined();
    const chunks = await chunksOf({ model, messages: user("x"), api_base: emulatorUrl, include_reasoning: false });
    expect(chunks.some((c) => c.choices[0]?.delta.reasoning_content)).toBe(false);
  });

  it("gives the raw traces with include_traces: true, and only then", async () => {
    const plain = await client.completion({ model, messages: user("x"), api_base: emulatorUrl });
    expect(plain.traces).toBeUndefined();
    const response = await client.completion({ model, messages: user("x"), api_base: emulatorUrl, include_traces: true });
    expect(response.traces!.length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(response.traces![0]!.trace!)).toEqual(["preProcessingTrace"]);
    const chunks = await chunksOf({ model, messages: user("x"), api_base: emulatorUrl, include_traces: true });
    expect(chunks.filter((c) => c.trace).length).toBe(response.traces!.length);
  });
});

describe("files", () => {
  it("exposes the files the agent produced, with name, MIME type and bytes", async () => {
    const response = await client.completion({ model, messages: user("x"), api_base: scenario("files") });
    const message = response.choices[0]!.message;
    expect(message.content).toBe(FILES_TEXT);
    expect(message.files!.map((f) => [f.name, f.type, [...f.bytes]])).toEqual(
      FILES_EXPECTED.map((f) => [f.name, f.type, [...f.bytes]]),
    );
    const chunks = await chunksOf({ model, messages: user("x"), api_base: scenario("files") });
    expect(chunks.flatMap((c) => c.choices[0]?.delta.files ?? []).map((f) => f.name)).toEqual(FILES_EXPECTED.map((f) => f.name));
  });

  it("sends image and file parts of the user's message as session files", async () => {
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    const response = await client.completion({
      model,
      api_base: emulatorUrl,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in these?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
            { type: "file", file: { filename: "notes.txt", file_data: `data:text/plain;base64,${btoa("hello")}` } },
          ],
        },
      ],
    });
    const [seen] = await requestsFor(response.session_id);
    const body = seen!.body as { inputText: string; sessionState: { files: unknown[] } };
    expect(body.inputText).toBe("What is in these?");
    expect(body.sessionState.files).toEqual([
      { name: "image-1.png", source: { sourceType: "BYTE_CONTENT", byteContent: { mediaType: "image/png", data: png } }, useCase: "CHAT" },
      { name: "notes.txt", source: { sourceType: "BYTE_CONTENT", byteContent: { mediaType: "text/plain", data: btoa("hello") } }, useCase: "CHAT" },
    ]);
  });

  it("checks the service's file limits before sending", async () => {
    const part = (bytes: number) => ({
      type: "image_url",
      image_url: { url: `data:image/png;base64,${"A".repeat(Math.ceil(bytes / 3) * 4)}` },
    });
    const before = await requestCount();
    const tooMany = await client
      .completion({ model, api_base: emulatorUrl, messages: [{ role: "user", content: Array.from({ length: 6 }, () => part(10)) }] })
      .catch((e: unknown) => e);
    expect((tooMany as BadRequestError).code).toBe("too_many_files");
    const tooBig = await client
      .completion({ model, api_base: emulatorUrl, messages: [{ role: "user", content: [part(10 * 1024 * 1024 + 3)] }] })
      .catch((e: unknown) => e);
    expect((tooBig as BadRequestError).code).toBe("file_too_large");
    expect(await requestCount()).toBe(before);
  });
});

describe("sessions and memory", () => {
  it("sends memory, session end and attributes, merging system messages into the prompt attributes", async () => {
    for (const names of ["snake", "camel"] as const) {
      const fields =
        names === "snake"
          ? {
              memory_id: "memory-of-ada",
              end_session: true,
              session_attributes: { customer: "42" },
              prompt_session_attributes: { tone: "warm" },
              knowledge_base_configurations: [{ knowledgeBaseId: "KB12345678", retrievalConfiguration: {} }],
            }
          : {
              memoryId: "memory-of-ada",
              endSession: true,
              sessionAttributes: { customer: "42" },
              promptSessionAttributes: { tone: "warm" },
              knowledgeBaseConfigurations: [{ knowledgeBaseId: "KB12345678", retrievalConfiguration: {} }],
            };
      const response = await client.completion({
        model,
        api_base: emulatorUrl,
        messages: [{ role: "system", content: "Be brief." }, ...user("x")],
        ...fields,
      });
      expect(response._hidden_params.memory_id).toBe("memory-of-ada");
      const [seen] = await requestsFor(response.session_id);
      expect(seen!.body).toMatchObject({
        memoryId: "memory-of-ada",
        endSession: true,
        sessionState: {
          sessionAttributes: { customer: "42" },
          promptSessionAttributes: { tone: "warm", instructions: "Be brief." },
          knowledgeBaseConfigurations: [{ knowledgeBaseId: "KB12345678", retrievalConfiguration: {} }],
        },
      });
    }
  });

  it.each([
    [{ memory_id: "bad id!" }, "memory_id"],
    [{ end_session: "yes" }, "end_session"],
    [{ session_attributes: { n: 1 } }, "session_attributes.n"],
    [{ knowledge_base_configurations: [{}] }, "knowledge_base_configurations[0].knowledgeBaseId"],
  ])("refuses %j with a 400 naming it", async (fields, param) => {
    const error = await client.completion({ model, api_base: emulatorUrl, messages: user("x"), ...(fields as object) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe(param);
  });

  it("finishes with content_filter when a guardrail intervenes", async () => {
    const response = await client.completion({ model, messages: user("x"), api_base: scenario("guardrail-intervened") });
    expect(response.choices[0]!.finish_reason).toBe("content_filter");
    expect(response.choices[0]!.message.content).toBe(GUARDRAIL_TEXT);
    const chunks = await chunksOf({ model, messages: user("x"), api_base: scenario("guardrail-intervened") });
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("content_filter");
  });

  it("raises a failureTrace as an error", async () => {
    const error = await client.completion({ model, messages: user("x"), api_base: scenario("failure-trace") }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyFailedError);
    expect((error as Error).message).toContain(FAILURE_REASON);
  });
});
