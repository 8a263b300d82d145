// The endpoint as a user runs it, in its own process: the built Node command line, or the
// Worker under `wrangler dev`. Each is stopped by its own PID.
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWranglerDev } from "../test/node/support/wrangler-dev.ts";
import { startMiniflare } from "./miniflare.ts";

const root = join(import.meta.dirname, "..");

export interface Endpoint {
  name: string;
  url: string;
  /** The server's process, for the Node server (to sample its memory). */
  pid?: number;
  /** What the Worker's wrangler printed, to explain failures. */
  output?: () => string;
  close(): Promise<void>;
}

let built = false;

/** Builds the Node command line from the current sources (once per process), as `npm start` does. */
export function buildNodeServer(): void {
  if (built) return;
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "node"], { cwd: root, stdio: "inherit" });
  built = true;
}

/**
 * `bare-worker`: the same wrangler dev without our code, as a control (bench/bare-worker/);
 * `miniflare` and `bare-miniflare`: both Workers served by Miniflare, without wrangler dev in front;
 * `dev-server` and `dev-server-no-inspector`: wrangler dev's own server through wrangler's API
 * (bench/dev-server.ts), with its DevTools inspector and without.
 */
export type EndpointKind =
  | "node"
  | "worker"
  | "bare-worker"
  | "miniflare"
  | "bare-miniflare"
  | "dev-server"
  | "dev-server-no-inspector";

/** A config with one model per entry of `models` (`model_name` → api_base). */
export function benchConfig(models: Record<string, string>, key: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  return {
    model_list: Object.entries(models).map(([model_name, api_base]) => ({
      model_name,
      litellm_params: {
        model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
        aws_access_key_id: credentials.accessKeyId,
        aws_secret_access_key: credentials.secretAccessKey,
        aws_region_name: "us-east-1",
        api_base,
      },
    })),
    // BENCH_QUIET=1: no request log, to see what the log costs (the default keeps it, as production does).
    general_settings: { master_key: key, ...(process.env.BENCH_QUIET ? { log_format: "off" } : {}) },
  };
}

export async function startEndpoint(kind: EndpointKind, config: object, upstream = ""): Promise<Endpoint> {
  if (kind === "miniflare") {
    const worker = await startMiniflare("worker/index.ts", { CONFIG: JSON.stringify(config) });
    return { name: "Worker (Miniflare)", ...worker };
  }
  if (kind === "bare-miniflare") {
    const worker = await startMiniflare("bench/bare-worker/index.ts", { UPSTREAM: upstream });
    return { name: "control: a Worker without our code (Miniflare)", ...worker };
  }
  if (kind === "bare-worker") {
    const worker = await startWranglerDev({ UPSTREAM: upstream }, "bench/bare-worker/index.ts");
    return { name: "control: a Worker without our code (wrangler dev)", url: worker.url, close: worker.close, output: worker.output };
  }
  if (kind === "dev-server" || kind === "dev-server-no-inspector") {
    const inspector = kind === "dev-server";
    const server = await startDevServer("worker/index.ts", inspector, { CONFIG: JSON.stringify(config) });
    return { name: `Worker (wrangler's dev server, ${inspector ? "with" : "without"} its inspector)`, ...server };
  }
  if (kind === "worker") {
    const worker = await startWranglerDev({ CONFIG: JSON.stringify(config) });
    return { name: "Worker (wrangler dev)", url: worker.url, close: worker.close, output: worker.output };
  }
  buildNodeServer();
  const dir = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-bench-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, JSON.stringify(config)); // JSON is YAML
  const quiet = process.env.BENCH_QUIET ? ["--quiet"] : [];
  // BENCH_NODE_ARGS: flags for the server's Node (diagnostics: --trace-gc, --heapsnapshot-signal=SIGUSR2).
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, join(root, "dist", "bedrock-agents-openai.js"), "--config", file, "--port", "0", ...quiet], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const onData = (data: Buffer) => {
      out += data;
      const match = /on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      // Its request log from here on is read and dropped, as a log shipper would take it.
      child.stdout.off("data", onData);
      if (process.env.BENCH_SERVER_OUT) child.stdout.pipe(createWriteStream(process.env.BENCH_SERVER_OUT));
      else child.stdout.resume();
      resolve(match[1]!);
    };
    child.stdout.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the Node server exited with ${code}: ${out}`)));
  });
  return {
    name: "Node server",
    url,
    pid: child.pid,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(dir, { recursive: true, force: true });
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** bench/dev-server.ts in its own process, as wrangler dev runs; stopped by its PID. */
async function startDevServer(entry: string, inspector: boolean, vars: Record<string, string>): Promise<Omit<Endpoint, "name">> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "bench", "dev-server.ts"), entry, inspector ? "on" : "off"], {
    cwd: root,
    detached: true, // its own process group, so workerd goes down with it
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DEV_VARS: JSON.stringify(vars), WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
  });
  let output = "";
  child.stderr.on("data", (data: Buffer) => (output += data));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      output += data;
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) resolve(ready[1]!);
    });
    child.once("exit", (code) => reject(new Error(`bench/dev-server.ts exited with ${code}:\n${output}`)));
  });
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      process.kill(-child.pid!, "SIGTERM");
    });
  return { url, close, output: () => output };
}
