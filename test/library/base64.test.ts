// Base64 straight from payload bytes agrees with the standard decoder, and refuses what it is not.
import { describe, expect, it } from "vitest";
import { base64Bytes, base64ToBytes } from "../../src/aws/base64.ts";

const ascii = (text: string) => new TextEncoder().encode(text);

describe("base64Bytes", () => {
  it("decodes every length and padding as atob does", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const text = btoa(String.fromCharCode(...bytes));
      const framed = ascii(`{"bytes":"${text}"}`);
      expect(base64Bytes(framed, 10, framed.length - 2)).toEqual(bytes);
      expect(base64ToBytes(text)).toEqual(bytes);
    }
  });

  it("gives undefined for anything but plain padded base64, so JSON.parse decides", () => {
    for (const bad of ["abc", "ab\\/", "a=bc", "ab=c", "====", "ab c", "ab\u00e9c"]) {
      const bytes = ascii(bad);
      expect(base64Bytes(bytes, 0, bytes.length)).toBeUndefined();
    }
  });
});
