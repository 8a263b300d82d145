// The one assembler every surface feeds: defaults, a surface that decides streaming itself, and
// the order of its checks (flags before the surface's reading, the session after), which decides
// which of several mistakes a 400 names.
import { describe, expect, it } from "vitest";
import { BadRequestError } from "../../src/errors.ts";
import { assembleRequest } from "../../src/surfaces/assemble-request.ts";

const turn = { role: "user" as const, content: [{ type: "text" as const, text: "Hi" }], param: "message" };

function thrown(run: () => unknown): BadRequestError {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequestError) return error;
    throw error;
  }
  throw new Error("nothing thrown");
}

describe("assembleRequest", () => {
  it("fills what a surface leaves out: no instructions, no tools, streaming from the flag", () => {
    const request = assembleRequest({ model: "m", stream: true, session_id: "s-1" }, { read: () => ({ param: "message", turns: [turn] }) });
    expect(request).toEqual({
      model: "m",
      turns: [turn],
      instructions: [],
      tools: [],
      sessionId: "s-1",
      stream: true,
      param: "message",
      options: { includeReasoning: true, includeTraces: false, includeCitations: false },
    });
  });

  it("lets a surface whose method says it decide streaming, and checks its model settings under its names", () => {
    const request = assembleRequest(
      { model: "m" },
      { read: () => ({ param: "message", turns: [turn], stream: true, settings: { user: "u-1", maxTokens: 5, names: { user: "metadata.user" } } }) },
    );
    expect(request.stream).toBe(true);
    expect(request.options).toMatchObject({ user: "u-1", maxTokens: 5 });
    const error = thrown(() => assembleRequest({ model: "m" }, { read: () => ({ param: "message", turns: [turn], settings: { user: 3 } }) }));
    expect(error.param).toBe("user");
    const named = thrown(() => assembleRequest({ model: "m" }, { read: () => ({ param: "m", turns: [turn], settings: { user: "", names: { user: "metadata.user" } } }) }));
    expect(named.param).toBe("metadata.user");
  });

  it("checks the flags before the surface reads, and the session after", () => {
    const read = () => {
      throw new BadRequestError("read", { param: "input" });
    };
    expect(thrown(() => assembleRequest({ model: "m", stream: "yes" }, { read })).param).toBe("stream");
    expect(thrown(() => assembleRequest({ model: "m", store: 1 } as never, { flags: ["store"], read })).param).toBe("store");
    expect(thrown(() => assembleRequest({ model: "m", session_id: 5 } as never, { read })).param).toBe("input");
    const session = thrown(() => assembleRequest({ model: "m", session_id: 5 } as never, { read: () => ({ param: "m", turns: [turn] }) }));
    expect(session.param).toBe("session_id");
  });
});
