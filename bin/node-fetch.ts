// A fetch for the Node server's calls to AWS on node:http(s): a pool of keep-alive sockets and a
// response body read straight from the socket, without undici's layers of web streams per call.
// It answers with what the library reads of a Response (status, headers, a body reader, text()).
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { SocketResponse } from "./socket-response.ts";

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
    // Not a web Response: what the library reads of one (see socket-response.ts).
    request.once("response", (incoming) => resolve(new SocketResponse(incoming) as unknown as Response));
    request.end(init.body as string | undefined);
  });
}

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => (out[name] = value));
  return out;
}
