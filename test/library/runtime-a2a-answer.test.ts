// An A2A runtime's answer, bytes → parts: both versions, split reads, repeats, errors.
import { describe, expect, it } from "vitest";
import { a2aParts } from "../../src/backends/runtime/a2a-answer.ts";
import type { AgentPart } from "../../src/parts.ts";

async function read(body: string, type: string, cuts: number[] = []): Promise<{ parts: AgentPart[]; outcome: { stopReason?: string } }> {
  const bytes = new TextEncoder().encode(body);
  const ends = [...cuts, bytes.length];
  const chunks = ends.map((end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1]!, end));
  const stream = new ReadableStream<Uint8Array>({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
  const outcome: { stopReason?: string } = {};
  const parts: AgentPart[] = [];
  for await (const batch of a2aParts(new Response(stream, { headers: { "content-type": type } }), { includeReasoning: true, includeTraces: false, requestId: undefined, outcome }, () => {})) parts.push(...batch);
  return { parts, outcome };
}
const text = (parts: AgentPart[]) => parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : [])).join("");
const sse = (...results: unknown[]) => results.map((result) => `data: ${JSON.stringify({ jsonrpc: "2.0", id: 1, result })}\n\n`).join("");

describe("an A2A runtime's answer", () => {
  it("reads a 1.0 Message and a 0.3 Task alike, text and data parts, files as files", async () => {
    expect(text((await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { message: { role: "ROLE_AGENT", parts: [{ text: "Hi " }, { data: { k: 1 } }] } } }), "application/json")).parts)).toBe('Hi {"k":1}');
    const task = { kind: "task", id: "t", contextId: "c", status: { state: "completed" }, artifacts: [{ artifactId: "a", parts: [{ kind: "text", text: "Done" }, { kind: "file", file: { bytes: "aGk=", mimeType: "text/plain", name: "a.txt" } }] }] };
    const { parts } = await read(JSON.stringify({ jsonrpc: "2.0", id: 1, result: task }), "application/json; charset=utf-8");
    expect(text(parts)).toBe("Done");
    expect(parts.find((p) => p.type === "file")).toMatchObject({ file: { name: "a.txt", type: "text/plain", bytes: new TextEncoder().encode("hi") } });
  });

  it("appends artifact pieces across reads split anywhere, and a final whole copy adds nothing", async () => {
    const body = sse(
      { kind: "artifact-update", taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ kind: "text", text: "Café " }] }, lastChunk: false },
      { kind: "artifact-update", taskId: "t", contextId: "c", artifact: { artifactId: "a", parts: [{ kind: "text", text: "東京" }] }, append: true, lastChunk: true },
      { kind: "task", id: "t", contextId: "c", status: { state: "completed" }, artifacts: [{ artifactId: "a", parts: [{ kind: "text", text: "Café 東京" }] }] },
    );
    const { parts } = await read(body, "text/event-stream", [7, 60, 61, 140]);
    expect(text(parts)).toBe("Café 東京");
    expect(parts.at(-1)).toEqual({ type: "finish", reason: "stop" });
  });

  it("keeps notes apart from the answer, and thoughts as reasoning", async () => {
    const working = (text: string, metadata?: object) => ({ statusUpdate: { taskId: "t", status: { state: "TASK_STATE_WORKING", message: { role: "ROLE_AGENT", parts: [{ text }], metadata } } } });
    const { parts } = await read(
      sse(working("Hmm.", { thought: true }), working("Looking it up..."), { artifactUpdate: { taskId: "t", artifact: { artifactId: "a", parts: [{ text: "42" }] } } }),
      "text/event-stream",
    );
    expect(parts.filter((p) => p.type === "reasoning-delta")).toEqual([{ type: "reasoning-delta", text: "Hmm." }]);
    expect(text(parts)).toBe("Looking it up...\n\n42");
  });

  it("ends auth-required with the message as text, and raises JSON-RPC errors in a 200 body or mid-stream", async () => {
    const { parts, outcome } = await read(sse({ kind: "status-update", taskId: "t", status: { state: "auth-required", message: { parts: [{ kind: "text", text: "Sign in at x" }] } }, final: true }), "text/event-stream");
    expect(text(parts)).toBe("Sign in at x");
    expect(outcome.stopReason).toBe("auth-required");
    const refused = await read(JSON.stringify({ jsonrpc: "2.0", id: 1, error: { code: -32601, message: "Method not found" } }), "application/json");
    expect(refused.parts.at(-1)).toMatchObject({ type: "error", error: { status: 502, code: "a2a_method_not_found" } });
    expect((refused.parts.at(-1) as { error: Error }).error.message).toContain("a2a_version");
    const midStream = await read(`${sse({ kind: "artifact-update", artifact: { artifactId: "a", parts: [{ kind: "text", text: "Hal" }] } })}data: {"jsonrpc":"2.0","id":1,"error":{"code":-32053,"message":"Slow down"}}\n\n`, "text/event-stream");
    expect(text(midStream.parts)).toBe("Hal");
    expect(midStream.parts.at(-1)).toMatchObject({ type: "error", error: { status: 429, awsCode: "ThrottlingException" } });
    const canceled = await read(sse({ kind: "status-update", status: { state: "canceled" }, final: true }), "text/event-stream");
    expect(canceled.parts.at(-1)).toMatchObject({ type: "error", error: { status: 424, code: "task_canceled" } });
  });
});
