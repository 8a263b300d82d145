// The Node server's fetch on node:http: what the library needs of a fetch and of its Response
// (status, headers, a body reader, text()), and no silent ends.
import { type Server, createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeFetch } from "../../bin/node-fetch.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = "";
    for await (const part of req) body += part;
    if (req.url === "/echo") {
      res.writeHead(201, { "content-type": "application/json", "x-amzn-requestid": "req-1" });
      res.end(JSON.stringify({ method: req.method, body, signed: req.headers["x-amz-date"] }));
    } else if (req.url === "/cut") {
      res.writeHead(200, { "content-length": "1000" });
      res.write("part of it");
      setTimeout(() => res.destroy(), 20);
    } else if (req.url === "/slow") {
      res.writeHead(200);
      res.write("first");
      // and nothing more until the client goes away
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The body as the library reads one: a reader, read to the end. */
async function readAll(response: Response): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (let result = await reader.read(); !result.done; result = await reader.read()) text += decoder.decode(result.value, { stream: true });
  return text;
}

describe("nodeFetch", () => {
  it("sends the method, headers and body, and gives the status, headers and body back", async () => {
    const response = await nodeFetch(`${base}/echo`, { method: "POST", headers: { "x-amz-date": "20261201T000000Z" }, body: "hello" });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get("x-amzn-requestid")).toBe("req-1");
    expect(JSON.parse(await readAll(response))).toEqual({ method: "POST", body: "hello", signed: "20261201T000000Z" });
    expect(() => response.body!.getReader()).toThrow(TypeError); // one reader, as a web stream allows
    const again = await nodeFetch(`${base}/echo`, { method: "POST", body: "héllo" });
    expect(JSON.parse(await again.text())).toMatchObject({ body: "héllo" });
  });

  it("closes the connection when the reader cancels, ending a pending read", async () => {
    const response = await nodeFetch(`${base}/slow`, { method: "POST", body: "" });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first");
    const next = reader.read();
    await reader.cancel();
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    await expect(reader.read()).resolves.toMatchObject({ done: true });
  });

  it("fails a body the connection cut short instead of ending it quietly", async () => {
    const response = await nodeFetch(`${base}/cut`, { method: "POST", body: "" });
    await expect(readAll(response)).rejects.toThrow();
  });

  it("fails the body when the signal aborts mid-body", async () => {
    const controller = new AbortController();
    const response = await nodeFetch(`${base}/slow`, { method: "POST", body: "", signal: controller.signal });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first");
    const next = reader.read();
    controller.abort(new Error("the caller left"));
    await expect(next).rejects.toThrow();
  });

  it("rejects a refused connection and an aborted signal before sending", async () => {
    await expect(nodeFetch("http://127.0.0.1:1/", { method: "POST", body: "" })).rejects.toThrow(/ECONNREFUSED/);
    await expect(nodeFetch(`${base}/echo`, { method: "POST", body: "", signal: AbortSignal.abort(new Error("gone")) })).rejects.toThrow("gone");
  });
});
