// Starts fixtures/serve.ts under Bun or Deno as a process of its own and waits for its URL.
// Used as extra targets by test/node/endpoint.test.ts.
import { join } from "node:path";
import { bin, start } from "./run.ts";

const script = join(import.meta.dirname, "..", "fixtures", "serve.ts");

export function serveWith(runtime: "bun" | "deno", config: unknown, secrets: Record<string, string>) {
  const input = JSON.stringify({ config, secrets });
  // Deno: loopback only, and nothing else (no env, no file system).
  const args = runtime === "bun" ? ["run", script, input] : ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", script, input];
  const server = start(bin(runtime), args);
  return new Promise<{ url: string; close(): Promise<void> }>((resolve, reject) => {
    const onData = () => {
      const match = /serving on (http:\/\/\S+)/.exec(server.output());
      if (match) resolve({ url: match[1]!, close: server.close });
    };
    server.child.stdout.on("data", onData);
    server.child.stderr.on("data", onData);
    void server.exited.then(() => reject(new Error(`${runtime} exited before serving:\n${server.output()}`)));
  });
}
