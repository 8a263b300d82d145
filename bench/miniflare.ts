// A Worker served by Miniflare straight from workerd, without wrangler dev's proxy and watcher in
// front: the load benchmark's second Worker run. Built with esbuild as wrangler bundles it.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const root = join(import.meta.dirname, "..");

export interface MiniflareWorker {
  url: string;
  /** The workerd process serving it, to sample its memory. */
  pid: number | undefined;
  close(): Promise<void>;
}

/** The workerd child of this process (Miniflare starts one per instance), by /proc. */
function workerdChild(known: Set<number>): number | undefined {
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || known.has(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8").trim();
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat) ?? [];
      if (comm === "workerd" && Number(rest!.split(" ")[1]) === process.pid) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** `entry`: the Worker's module, relative to the project; `bindings`: its variables; `more`: Miniflare's other options (a Durable Object). */
export async function startMiniflare(entry: string, bindings: Record<string, string>, more: { durableObjects?: Record<string, { className: string; useSQLite?: boolean }> } = {}): Promise<MiniflareWorker> {
  execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "worker-config"], { cwd: root });
  const bundled = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"], // the runtime's own modules, as wrangler leaves them
    target: "es2024",
    minify: true,
    logLevel: "error",
  });
  const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
  const compatibilityDate = /^compatibility_date = "(.+)"$/m.exec(toml)![1]!;
  const compatibilityFlags = JSON.parse(/^compatibility_flags = (\[.*\])$/m.exec(toml)![1]!) as string[];
  const before = new Set<number>();
  for (let pid; (pid = workerdChild(before)) !== undefined; ) before.add(pid);
  const mf = new Miniflare({
    modules: true,
    script: bundled.outputFiles[0]!.text,
    compatibilityDate,
    compatibilityFlags,
    bindings,
    ...more,
    host: "127.0.0.1",
    port: 0,
    // The Worker's console (its request log) is read and dropped, as a log shipper would take it.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return { url, pid: workerdChild(before), close: () => mf.dispose() };
}
