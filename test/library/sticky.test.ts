// Where a continued session must go, read from the ids a request carries.
import { describe, expect, it } from "vitest";
import type { ModelDeployment } from "../../src/proxy/config.ts";
import { markOf, stickyOf } from "../../src/proxy/router/sticky.ts";
import { SignedIds } from "../../src/signed-ids.ts";

const deployment = (id: string): ModelDeployment => ({ model_name: "m", id, params: { model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW" } });
const group = [deployment("west"), deployment("east"), deployment("north")];
const session = (d: ModelDeployment) => `${markOf(d)}${crypto.randomUUID()}`;

describe("stickyOf", () => {
  it("finds nothing in a new conversation", () => {
    expect(stickyOf({ messages: [{ role: "user", content: "hi" }] }, group)).toBeUndefined();
  });

  it("reads the mark of a session id, which the client may move", () => {
    const sticky = stickyOf({ session_id: session(group[1]!), messages: [] }, group);
    expect(sticky).toEqual({ deployment: group[1], movable: true });
  });

  it("reads the session inside signed ids, which only that deployment can answer", async () => {
    const ids = new SignedIds({ secret: "s".repeat(32), agent: "a" }, "response id", "resp_");
    const previous = await ids.sign([`${session(group[2]!)}-AAAAAAAAAAAAAAAA`, "x"]);
    expect(stickyOf({ previous_response_id: previous }, group)).toEqual({ deployment: group[2], movable: false });
    const call = await new SignedIds({ secret: "s".repeat(32), agent: "a" }, "tool call id", "call_").sign([session(group[0]!), "inv"]);
    const chat = { messages: [{ role: "assistant", tool_calls: [{ id: call, type: "function" }] }, { role: "tool", tool_call_id: call, content: "42" }] };
    expect(stickyOf(chat, group)).toEqual({ deployment: group[0], movable: false });
  });

  it("lets the latest id win after a session moved", () => {
    const fields = { session_id: session(group[0]!), previous_response_id: undefined, messages: [{ role: "user", content: "hi" }], sessionId: session(group[1]!) };
    expect(stickyOf(fields, group)?.deployment).toBe(group[1]);
  });

  it("sends a session the client named to the same deployment every time, tagged or not", () => {
    const first = stickyOf({ session_id: "my-chat-1" }, group)!;
    expect(first.movable).toBe(true);
    for (let i = 0; i < 5; i++) expect(stickyOf({ session_id: "my-chat-1" }, group)!.deployment).toBe(first.deployment);
    expect(stickyOf({ session_id: "my-chat-1-AbCdEfGhIjKlMnOp" }, group)!.deployment).toBe(first.deployment);
    const names = Array.from({ length: 60 }, (_, i) => stickyOf({ session_id: `chat-${i}` }, group)!.deployment.id);
    expect(new Set(names).size).toBe(3);
  });

  it("ignores garbled ids and marks of other deployments", () => {
    expect(stickyOf({ previous_response_id: "resp_!!!.short" }, group)).toBeUndefined();
    const other = session(deployment("elsewhere"));
    expect(stickyOf({ session_id: other }, group)?.movable).toBe(true); // named: hashed, not marked
  });
});
