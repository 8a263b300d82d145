// A piece of text as a JSON string, for the text every streamed event carries. Most pieces need
// no escape, and quoting them is several times cheaper than a call into JSON.stringify; a piece
// with anything JSON.stringify escapes (a quote, a backslash, a control character) or might (a
// surrogate, which it escapes when lone) is left to JSON.stringify, so the text is always its own.
const MAY_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function jsonString(text: string): string {
  return MAY_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}
