// A fetch for the Node server's calls to AWS on node:http(s): a pool of keep-alive sockets and a
// response body read straight from the socket, without undici's layers of web streams per call.
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

// Streams are long and many: no cap of sockets per host.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** The fetch the library calls with: a URL, and an init with a method, headers, a string body and a signal. */
export function nodeFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  if (input instanceof Request) return fetch(input, init); // not how the library calls: the standard one
  const url = new URL(String(input));
  const secure = url.protocol === "https:";
  const signal = init.signal ?? undefined;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: init.method ?? "GET",
      headers: headerRecord(init.headers),
      agent: secure ? agents.https : agents.http,
      signal,
    });
    request.once("error", reject);
    request.once("response", (incoming) => resolve(toResponse(incoming)));
    request.end(init.body as string | undefined);
  });
}

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => (out[name] = value));
  return out;
}

function toResponse(incoming: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  // A byte stream that reads the socket only when asked: backpressure down to TCP.
  let settled = false; // ended, failed or cancelled: the controller takes nothing more
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const settle = (error?: unknown) => {
          if (settled) return;
          settled = true;
          if (error === undefined) controller.close();
          else controller.error(error);
        };
        incoming.on("data", (chunk: Buffer) => {
          if (settled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
        });
        incoming.once("end", () => settle());
        incoming.once("error", settle);
        // A connection lost mid-body may close without an error: never a silent, truncated end.
        incoming.once("close", () => settle(new Error("the connection closed before the response ended")));
        incoming.pause();
      },
      pull() {
        incoming.resume();
      },
      cancel() {
        settled = true;
        incoming.destroy();
      },
    },
    { highWaterMark: 1 },
  );
  const status = incoming.statusCode ?? 502;
  const nullBody = status === 204 || status === 304;
  return new Response(nullBody ? null : body, { status, statusText: incoming.statusMessage, headers });
}
