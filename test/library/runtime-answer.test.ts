// A runtime's answer in the shapes agents on AgentCore send, read into parts.
import { describe, expect, it } from "vitest";
import { runtimeParts, textOf } from "../../src/backends/runtime/answer.ts";
import type { AgentPart } from "../../src/parts.ts";

async function read(body: string | Uint8Array[], type: string): Promise<AgentPart[]> {
  const chunks = typeof body === "string" ? [new TextEncoder().encode(body)] : body;
  const stream = new ReadableStream<Uint8Array>({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
  const parts: AgentPart[] = [];
  for await (const batch of runtimeParts(new Response(stream, { headers: { "content-type": type } }), { includeReasoning: true, includeTraces: false, requestId: undefined }, () => {})) parts.push(...batch);
  return parts;
}
const text = (parts: AgentPart[]) => parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join("");

describe("a runtime's answer", () => {
  it("reads OpenAI-shaped chunks with their usage, and [DONE] is no text", async () => {
    const sse = ['{"choices":[{"delta":{"content":"Hel"}}]}', '{"choices":[{"delta":{"content":"lo"}}],"usage":{"prompt_tokens":3,"completion_tokens":2}}', "[DONE]"]
      .map((data) => `data: ${data}\n\n`)
      .join("");
    const parts = await read(sse, "text/event-stream");
    expect(text(parts)).toBe("Hello");
    expect(parts).toContainEqual({ type: "usage", model: undefined, inputTokens: 3, outputTokens: 2 });
  });

  it("decodes UTF-8 and events split anywhere across reads", async () => {
    const bytes = new TextEncoder().encode('data: "Café "\n\ndata: "東京"\n\n');
    const cuts = [3, 9, 14, 17, bytes.length];
    const chunks = cuts.map((end, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1]!, end));
    expect(text(await read(chunks, "text/event-stream; charset=utf-8"))).toBe("Café 東京");
  });

  it("takes JSON answers in the shapes agents return, and plain text as it is", async () => {
    expect(text(await read('"just a string"', "application/json"))).toBe("just a string");
    expect(text(await read('{"output": {"message": {"content": [{"text": "deep"}]}}}', "application/json"))).toBe("deep");
    expect(text(await read('{"choices": [{"message": {"content": "openai"}}]}', "application/json"))).toBe("openai");
    expect(text(await read('{"answer": 42}', "application/json"))).toBe('{"answer":42}');
    expect(text(await read("plain words", "text/plain"))).toBe("plain words");
    expect(textOf({ response: [{ text: "a" }, { text: "b" }] })).toBe("ab");
  });

  it("turns an error event into an error part after the text before it", async () => {
    const parts = await read('data: {"data": "partial "}\n\ndata: {"error": "boom", "error_type": "ValueError", "message": "boom"}\n\n', "text/event-stream");
    expect(text(parts)).toBe("partial ");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { status: 424, code: "ValueError" } });
  });
});
