// The Node server's SSE handover: an answer to a marked request is made without a web stream and
// written by the server; one the app then replaced is cancelled, unstarted; anywhere else (a
// Worker) the answer is an ordinary streamed body.
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { writeSse } from "../../bin/node-sse.ts";
import { type SseSource, sseResponse, takeSse, writesSseItself } from "../../src/proxy/sse.ts";

function source(): SseSource & { cancelled: number; read: number } {
  const events = ["data: one\n\n", "data: two\n\n"];
  const src = {
    cancelled: 0,
    read: 0,
    next: async () => {
      src.read++;
      const value = events.shift();
      return value === undefined ? { done: true as const, value: undefined } : { done: false as const, value };
    },
    error: () => "data: error\n\n",
    done: "data: [DONE]\n\n",
    keepAlive: ": keep-alive\n\n",
    cancel: async () => void src.cancelled++,
  };
  return src;
}

const request = () => new Request("http://127.0.0.1/v1/chat/completions", { method: "POST" });

describe("the Node server's SSE handover", () => {
  it("makes an answer to a marked request without a body, for the server to write", async () => {
    const marked = request();
    writesSseItself(marked);
    const src = source();
    const response = sseResponse(src, { headers: new Headers(), keepAliveMs: 60_000, request: marked });
    expect(response.body).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const written: string[] = [];
    const outgoing = {
      writeHead: () => outgoing,
      flushHeaders: () => {},
      once: () => outgoing,
      write: (text: string) => (written.push(text), true),
      end: () => written.push("(end)"),
    } as unknown as ServerResponse;
    expect(writeSse(marked, response, outgoing)).toBe(true);
    await expect.poll(() => written.at(-1)).toBe("(end)");
    expect(written.join("")).toBe("data: one\n\ndata: two\n\ndata: [DONE]\n\n(end)");
    expect(takeSse(marked)).toBeUndefined(); // taken once
  });

  it("cancels, unstarted, an answer the app replaced with another response", async () => {
    const marked = request();
    writesSseItself(marked);
    const src = source();
    sseResponse(src, { headers: new Headers(), keepAliveMs: 60_000, request: marked });
    const replaced = Response.json({ error: { message: "late failure" } }, { status: 500 });
    expect(writeSse(marked, replaced, {} as ServerResponse)).toBe(false);
    expect(src.cancelled).toBe(1);
    expect(src.read).toBe(0);
  });

  it("streams the answer as a body for a request nobody marked", async () => {
    const src = source();
    const unmarked = request();
    const response = sseResponse(src, { headers: new Headers(), keepAliveMs: 60_000, request: unmarked });
    expect(takeSse(unmarked)).toBeUndefined();
    expect(writeSse(unmarked, response, {} as ServerResponse)).toBe(false);
    expect(await response.text()).toBe("data: one\n\ndata: two\n\ndata: [DONE]\n\n");
  });
});
