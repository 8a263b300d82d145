// Child processes for the runtime tests: each started here is stopped by its own PID.
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..", "..", "..", "..");
export const bin = (name: string) => join(root, "node_modules", ".bin", name);

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeout?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd ?? root,
        // No update checks, and no Bun transpiler cache left in the home directory.
        env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0", ...options.env },
        timeout: options.timeout ?? 60_000,
        killSignal: "SIGKILL",
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
    );
  });
}

/** A port free on 127.0.0.1 right now, for servers that must be told theirs (README snippets). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Starts a long-running process; close() stops it by its PID and waits for its exit. */
export function start(command: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (data: Buffer) => (output += data));
  child.stderr.on("data", (data: Buffer) => (output += data));
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => ((output += String(error)), resolve()));
  });
  return {
    child,
    exited,
    output: () => output,
    close: async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
