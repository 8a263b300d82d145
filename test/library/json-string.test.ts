// jsonString quotes most text itself: it must always be exactly what JSON.stringify writes.
import { describe, expect, it } from "vitest";
import { jsonString } from "../../src/surfaces/json-string.ts";

describe("jsonString", () => {
  it("writes every UTF-16 code unit, alone and among text, as JSON.stringify does", () => {
    const differ: number[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      const char = String.fromCharCode(unit);
      for (const text of [char, `a${char}b`]) if (jsonString(text) !== JSON.stringify(text)) differ.push(unit);
    }
    expect(differ).toEqual([]);
  });

  it("writes pairs and lone surrogates, quotes, backslashes and plain text as JSON.stringify does", () => {
    for (const text of ["", "plain words", "café 東京 データ", "🚀", "a\ud800", "\udc00b", "\ud83d\ude80\ud800", 'say "hi"', "back\\slash", "line\nbreak\t\u2028\u2029\u007f", "</script>"]) {
      expect(jsonString(text)).toBe(JSON.stringify(text));
      expect(JSON.parse(jsonString(text))).toBe(text);
    }
  });
});
