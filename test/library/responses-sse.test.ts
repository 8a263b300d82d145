// The Responses SSE writer writes its commonest events by hand (event-json.ts): every event the
// builder makes must come out exactly as JSON.stringify writes it, escapes and all.
import { describe, expect, it } from "vitest";
import { BadGatewayError } from "../../src/errors.ts";
import type { AgentAnswer, AgentPart } from "../../src/parts.ts";
import { EventJson } from "../../src/surfaces/responses/event-json.ts";
import { toResponseEvents } from "../../src/surfaces/responses/response.ts";
import { forJson, responsesSse } from "../../src/surfaces/responses/sse.ts";
import type { ResponseEventStream, ResponseObject, ResponseStreamEvent } from "../../src/surfaces/responses/types.ts";
import { UsageTally } from "../../src/usage.ts";

function answer(batches: AgentPart[][]): AgentAnswer {
  return {
    session: { sessionId: "session-1", memoryId: undefined, requestId: "request-1" },
    parts: (async function* () {
      yield* batches;
    })(),
  };
}

const info = { id: "resp_1", createdAt: 1, model: "m", params: { model: "m" }, tools: [], includeTraces: false, includeCitations: true };

// Text that JSON must escape (quotes, backslashes, newlines, U+2028, a lone surrogate, emoji),
// two messages around reasoning, citations (a URL's, a document's), a function call, a raw citation.
const tricky = 'He said "hi"\\ \n\t\u2028 \ud800 😀 </script>';
const parts = (): AgentPart[][] => [
  [{ type: "text-delta", text: tricky }, { type: "text-delta", text: " and more." }],
  [{ type: "reasoning-delta", text: `Thinking ${tricky}` }],
  [
    { type: "text-delta", text: "Second, cited." },
    { type: "citation", url: "https://example.com/a?q=\"x\"", title: "A \"title\"", start: 0, end: 7 },
    { type: "citation", documentId: "doc \"1\"", title: "Doc \"1\"", text: tricky, start: 8, end: 14 },
    { type: "raw-citation", citation: { text: tricky } },
  ],
  [{ type: "tool-call-start", id: "call_1", name: "lookup" }, { type: "tool-call-delta", id: "call_1", delta: '{"q":"lisbon"}' }, { type: "tool-call-end", id: "call_1" }],
  [{ type: "text-delta", text: "" }, { type: "finish", reason: "tool-calls" }],
];

async function eventsOf(batches: AgentPart[][]): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  const built = toResponseEvents(answer(batches), info, new UsageTally());
  for (let result = await built.next(); !result.done; result = await built.next()) events.push(...result.value);
  return events;
}

/** The SSE text the writer makes of these events, one event at a time. */
async function sseOf(events: ResponseStreamEvent[]): Promise<string> {
  const stream = (async function* () {
    yield* events;
  })() as unknown as ResponseEventStream;
  const source = responsesSse(stream, "caller-model");
  let sse = "";
  for (let result = await source.next(); !result.done; result = await source.next()) sse += result.value;
  return sse;
}

const generic = (event: ResponseStreamEvent, model: string) => {
  const response = event.response as ResponseObject | undefined;
  const json = response ? { ...event, response: forJson(response, model) } : event;
  return `event: ${event.type}\ndata: ${JSON.stringify(json)}\n\n`;
};

describe("the Responses SSE writer", () => {
  it("writes every event exactly as JSON.stringify would, a message's text escaped once for all its closing events", async () => {
    const events = await eventsOf(parts());
    const types = new Set(events.map((event) => event.type));
    const made = [
      ...["response.output_item.added", "response.content_part.added", "response.output_text.delta", "response.output_text.annotation.added"],
      ...["response.output_text.done", "response.content_part.done", "response.output_item.done"],
      ...["response.reasoning_summary_part.added", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done", "response.reasoning_summary_part.done"],
      "response.function_call_arguments.delta",
    ];
    for (const type of made) {
      expect(types).toContain(type);
    }
    expect(await sseOf(events)).toBe(events.map((event) => generic(event, "caller-model")).join(""));
    // Only these are left to JSON.stringify: the rest are written by hand.
    const json = new EventJson();
    const left = events.filter((event) => json.sse(event) === undefined).map((event) => `${event.type}${(event.item as { type?: string } | undefined)?.type ?? ""}`);
    expect(new Set(left)).toEqual(
      new Set([
        ...["response.created", "response.in_progress", "response.output_text.annotation.added", "response.completed"],
        ...["response.output_item.addedfunction_call", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.donefunction_call"],
      ]),
    );
  });

  it("writes events of other shapes (logprobs, several parts, an incomplete message) through JSON.stringify", async () => {
    const events = await eventsOf([[{ type: "text-delta", text: "cut" }, { type: "finish", reason: "length" }]]);
    const odd: ResponseStreamEvent[] = events.map((event) => {
      if (event.type === "response.output_text.delta") return { ...event, logprobs: [{ token: "cut", logprob: -0.1 }] };
      if (event.type === "response.output_text.done") return { ...event, text: 42 } as unknown as ResponseStreamEvent;
      if (event.type === "response.output_item.done") {
        const item = event.item as { content: unknown[] };
        return { ...event, item: { ...item, content: [...item.content, ...item.content] } };
      }
      return event;
    });
    const reasoning = await eventsOf([[{ type: "reasoning-delta", text: "hmm" }, { type: "text-delta", text: "so" }]]);
    odd.push(...reasoning.map((event): ResponseStreamEvent => {
      const item = event.item as { type: string; summary: unknown[] } | undefined;
      if (item?.type === "reasoning") return { ...event, item: { ...item, summary: [...item.summary, { type: "summary_text", text: "twice" }] } };
      if (event.type === "response.reasoning_summary_text.delta") return { ...event, delta: null } as unknown as ResponseStreamEvent;
      if (event.type === "response.reasoning_summary_part.done") return { ...event, part: { type: "other", text: "x" } } as unknown as ResponseStreamEvent;
      return event;
    }));
    expect(await sseOf(odd)).toBe(odd.map((event) => generic(event, "caller-model")).join(""));
    expect(await sseOf(odd)).toContain('{"type":"summary_text","text":"twice"}');
    expect(await sseOf(events)).toContain('"status":"incomplete"');
  });

  it("writes a failure as response.failed, then the error event", async () => {
    const events = await eventsOf([[{ type: "text-delta", text: tricky }, { type: "error", error: new BadGatewayError("broke") }]]);
    expect(events.map((event) => event.type).slice(-2)).toEqual(["response.failed", "error"]);
    expect(await sseOf(events)).toBe(events.map((event) => generic(event, "caller-model")).join(""));
  });
});
