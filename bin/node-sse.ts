// The Node server writes SSE answers straight to its response, without a web stream in between.
import type { ServerResponse } from "node:http";
import { takeSse } from "../src/proxy/sse.ts";

/**
 * Writes `response` to `outgoing` when it is an SSE answer nobody has read yet, and says so;
 * otherwise leaves it to @hono/node-server.
 */
export function writeSse(response: Response, outgoing: ServerResponse): boolean {
  const sse = takeSse(response.body);
  if (!sse) return false;
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
