// Runs the Worker with `wrangler dev` (workerd) on a free loopback port, and stops it by its PID.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort } from "./free-port.ts";

const root = join(import.meta.dirname, "..", "..", "..");

export interface WranglerDev {
  url: string;
  close(): Promise<void>;
  /** What wrangler and the Worker printed so far (the Worker's console included). */
  output(): string;
}

/**
 * wrangler.toml as it is, but for its [build] step, which runs here once instead: wrangler dev
 * watches the files of a custom build, and its watcher fires once at some point after start-up
 * (late on a busy machine), reloading the Worker under the requests of a test.
 */
export function configWithoutBuild(main?: string): { file: string; remove(): void } {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "worker-config"], { cwd: root });
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8")
    .replace(/^\[build\][\s\S]*?(?=^\[|$(?![\s\S]))/m, "")
    // Another entry (the benchmarks' control Worker) exports no LimitsObject: no Durable Object then.
    .replace(main ? /^(# .*\n)*\[\[(durable_objects\.bindings|migrations)\]\]\n(\w.*\n)*/gm : /$^/, "")
    .replace(/^main = "(.*)"$/m, (_, entry: string) => `main = ${JSON.stringify(join(root, main ?? entry))}`)
    // Paths relative to the project ([alias]) stay the project's from the copy's directory.
    .replace(/= "\.\/([^"]+)"$/gm, (_, path: string) => `= ${JSON.stringify(join(root, path))}`);
  const dir = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-wrangler-"));
  const file = join(dir, "wrangler.toml");
  writeFileSync(file, toml);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `main`: another entry than wrangler.toml's, relative to the project (the benchmarks' control Worker). */
export async function startWranglerDev(vars: Record<string, string>, main?: string): Promise<WranglerDev> {
  const port = await freePort();
  const config = configWithoutBuild(main);
  // Durable Objects (the limits' counters) in the copy's directory: none kept from an earlier run or shared with another.
  const args = ["dev", "--config", config.file, "--persist-to", join(dirname(config.file), "state"), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort())];
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  const child = spawn(join(root, "node_modules", ".bin", "wrangler"), args, {
    cwd: root,
    detached: true, // its own process group, so workerd goes down with it
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
  });
  let output = "";
  child.stdout.on("data", (data: Buffer) => (output += data));
  child.stderr.on("data", (data: Buffer) => (output += data));
  const url = `http://127.0.0.1:${port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve(config.remove());
      child.once("exit", () => resolve(config.remove()));
      process.kill(-child.pid!, "SIGTERM");
    });
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`);
    const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (healthy) return { url, close, output: () => output };
    await new Promise((r) => setTimeout(r, 200));
  }
  await close();
  throw new Error(`wrangler dev did not answer within 45 s:\n${output}`);
}
