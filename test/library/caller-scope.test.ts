import { describe, expect, it } from "vitest";
import { CallerScope } from "../../src/caller-scope.ts";
import { BadRequestError, PermissionDeniedError } from "../../src/errors.ts";
import { checkSessionId } from "../../src/model.ts";

const a = new CallerScope("team-a", ["team-b"]);
const b = new CallerScope("team-b", ["team-a"]);

describe("CallerScope", () => {
  it("issues valid session ids that its caller may use as they are", async () => {
    const id = await a.issue();
    expect(checkSessionId(id, "session_id")).toBe(id);
    expect(await a.claim(id, "session_id")).toBe(id);
    expect(await a.claim(id, "tool_call_id", { issued: true })).toBe(id);
  });

  it("refuses an id tagged for another caller, and an issued id that is not the caller's", async () => {
    const id = await a.issue();
    await expect(b.claim(id, "session_id")).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(b.claim(id, "session_id")).rejects.toMatchObject({ status: 403, param: "session_id" });
    await expect(b.claim("admin-session", "tool_call_id", { issued: true })).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("namespaces a caller's own names, the same way each time and differently per caller", async () => {
    const mine = await a.claim("conversation-1", "session_id");
    expect(mine).toMatch(/^conversation-1-[\w-]{16}$/);
    expect(await a.claim("conversation-1", "session_id")).toBe(mine);
    expect(await a.claim(mine, "session_id")).toBe(mine);
    expect(await b.claim("conversation-1", "session_id")).not.toBe(mine);
    // A name that looks tagged but is no one's is a name like any other.
    const lookalike = "x-AAAAAAAAAAAAAAAA";
    expect(await b.claim(lookalike, "memory_id")).toMatch(/^x-A{16}-[\w-]{16}$/);
  });

  it("says how long a name may be once namespaced", async () => {
    expect(await a.claim("m".repeat(83), "memory_id")).toHaveLength(100);
    await expect(a.claim("m".repeat(84), "memory_id")).rejects.toBeInstanceOf(BadRequestError);
  });
});
