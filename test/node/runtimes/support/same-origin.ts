// A loopback server for the browser test: it serves the page and the Worker bundle, and passes
// every other request to the emulator unchanged (path, headers, Host included, so the SigV4
// signature still verifies). Page, bundle and "AWS" share one origin, so the emulator, a test
// server shared with other suites, needs no CORS.
import { type IncomingMessage, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export async function serveSameOrigin(emulatorUrl: string, files: Record<string, string>) {
  const upstream = new URL(emulatorUrl);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const file = files[req.url ?? ""];
    if (file !== undefined) {
      const type = req.url!.endsWith(".js") ? "text/javascript" : "text/html";
      res.writeHead(200, { "content-type": type, "cache-control": "no-store" }).end(file);
      return;
    }
    const proxied = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    proxied.on("error", () => res.destroy());
    res.on("close", () => proxied.destroy()); // a cancelled fetch closes the upstream call too
    req.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
