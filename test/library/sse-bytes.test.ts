// sseResponse writes each batch's text as UTF-8 through one scratch buffer: every chunk must be
// its own bytes, whatever came after it, and a batch too long for the buffer must come out whole.
import { describe, expect, it } from "vitest";
import { type SseSource, sseResponse } from "../../src/proxy/sse.ts";

function source(batches: string[]): SseSource {
  const left = [...batches];
  return {
    next: async () => (left.length > 0 ? { done: false as const, value: left.shift()! } : { done: true as const, value: undefined }),
    error: () => "data: error\n\n",
    done: "data: [DONE]\n\n",
    keepAlive: ": keep-alive\n\n",
    cancel: async () => {},
  };
}

describe("the SSE bytes", () => {
  it("writes every batch as its own UTF-8 bytes, short, long and multi-byte alike", async () => {
    const batches = ['data: {"text":"café 東京 🚀"}\n\n', `data: "${"東".repeat(60_000)}"\n\n`, "data: plain\n\n", `data: "${"🚀".repeat(10)}"\n\n`];
    const response = sseResponse(source(batches), { headers: new Headers(), keepAliveMs: 60_000 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body!) chunks.push(chunk); // all read before any is decoded
    const decoder = new TextDecoder();
    expect(chunks.map((chunk) => decoder.decode(chunk))).toEqual([...batches, "data: [DONE]\n\n"]);
  });
});
