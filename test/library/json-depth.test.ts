// The depth check that runs before a client's JSON is parsed (issue 20.3).
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, nestsDeeperThan, parseClientJson } from "../../src/json-depth.ts";
import { BadRequestError } from "../../src/errors.ts";

const arrays = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

describe("nestsDeeperThan", () => {
  it("allows exactly the limit and refuses one level more, arrays and objects alike", () => {
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH + 1))).toBe(true);
    const objects = (levels: number) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels);
    expect(nestsDeeperThan(objects(3), 3)).toBe(false);
    expect(nestsDeeperThan(objects(4), 3)).toBe(true);
  });

  it("counts nesting, not brackets: siblings do not add up", () => {
    expect(nestsDeeperThan(`[${Array(1000).fill("[]").join(",")}]`, 2)).toBe(false);
  });

  it("skips brackets inside strings, escaped quotes and backslashes included", () => {
    for (const text of ['"[[[["', '"\\"[[["', '"\\\\\\"[[["', '["\\\\", "[[["]', '{"[[[": "{{{"}']) {
      expect(nestsDeeperThan(text, 1), text).toBe(false);
      expect(() => JSON.parse(text)).not.toThrow();
    }
    // After an escaped backslash the quote closes the string: what follows counts.
    expect(nestsDeeperThan('["\\\\", [[]]]', 2)).toBe(true);
  });

  it("stops at the first level too deep, whatever follows", () => {
    expect(nestsDeeperThan("[".repeat(MAX_JSON_DEPTH + 1) + "not json at all".repeat(100_000))).toBe(true);
  });

  it("leaves an unterminated string to JSON.parse", () => {
    expect(nestsDeeperThan('["abc')).toBe(false);
    expect(() => parseClientJson('["abc', "The body")).toThrow(SyntaxError);
  });
});

describe("parseClientJson", () => {
  it("is a 400 naming the limit and the field when too deep, JSON.parse otherwise", () => {
    const error = (() => {
      try {
        parseClientJson(arrays(MAX_JSON_DEPTH + 1), "The arguments", "messages[1]");
      } catch (e) {
        return e;
      }
    })() as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "json_too_deep", param: "messages[1]" });
    expect(error.message).toContain(`${MAX_JSON_DEPTH} levels`);
    expect(parseClientJson('{"a":[1]}', "The body")).toEqual({ a: [1] });
  });
});
