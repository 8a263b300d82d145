// The Node server writes SSE answers straight to its response, without a web stream in between.
import type { ServerResponse } from "node:http";
import { takeSse } from "../src/proxy/sse.ts";

/**
 * Writes the SSE answer the app made for `request` to `outgoing`, and says so; false when it made
 * none, or answered with something else after all (then the answer is cancelled unstarted), for
 * @hono/node-server to send `response`.
 */
export function writeSse(request: Request, response: Response, outgoing: ServerResponse): boolean {
  const sse = takeSse(request);
  if (!sse) return false;
  if (response.body !== null || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
    void sse.cancel();
    return false;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  outgoing.writeHead(response.status, headers);
  outgoing.flushHeaders();
  let finished = false;
  outgoing.once("close", () => {
    if (!finished) void sse.cancel();
  });
  sse.start({
    write: (text) => outgoing.write(text),
    room: () =>
      new Promise((resolve) => {
        if (outgoing.destroyed) return resolve(); // gone: the pump finds the stream cancelled
        const ready = () => {
          outgoing.off("drain", ready).off("close", ready);
          resolve();
        };
        outgoing.on("drain", ready).on("close", ready);
      }),
    close: () => {
      finished = true;
      outgoing.end();
    },
  });
  return true;
}
