// JSON from a client is parsed only once its nesting is known to be bounded: everything that
// later walks it (JSON.stringify for AWS, copies, checks) recurses, and a body of nothing but
// brackets would otherwise hold the event loop for seconds or overflow the stack.
import { BadRequestError } from "./errors.ts";

/** Deeper than any request shape, JSON Schema of tools included, needs. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether `text` nests arrays and objects deeper than `limit`. One pass without recursion that
 * stops at the first level too deep; brackets inside strings do not count. Not a validator:
 * JSON.parse still decides whether the text is JSON.
 */
export function nestsDeeperThan(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Strings are most of a request: jump from quote to quote, skipping escaped ones.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false;
        let backslashes = 0;
        while (text.charCodeAt(i - 1 - backslashes) === BACKSLASH) backslashes++;
        if (backslashes % 2 === 0) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** JSON.parse for a client's text, after the depth check: a 400 naming `what` when it nests too deep. */
export function parseClientJson(text: string, what: string, param?: string): unknown {
  if (nestsDeeperThan(text)) {
    throw new BadRequestError(`${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the limit here`, {
      param,
      code: "json_too_deep",
    });
  }
  return JSON.parse(text);
}
