// wrangler's local dev server, the one `wrangler dev` runs (its bundler, its ProxyWorker in front,
// the Worker in workerd), started through wrangler's API so that its DevTools inspector can be
// left off, which the CLI cannot do: the load benchmark's test of what the inspector costs.
// Its own process, as wrangler dev is: `tsx bench/dev-server.ts <entry> on|off`, with the
// Worker's variables as JSON in DEV_VARS; prints `ready <url>`, stops on SIGTERM.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";

const root = join(import.meta.dirname, "..");
const [entry = "worker/index.ts", inspector = "on"] = process.argv.slice(2);
const vars = JSON.parse(process.env.DEV_VARS ?? "{}") as Record<string, string>;

// wrangler.toml without its [build] step (built by the caller), as test/node/support/wrangler-dev.ts does.
const toml = readFileSync(join(root, "wrangler.toml"), "utf8")
  .replace(/^\[build\][\s\S]*?(?=^\[|$(?![\s\S]))/m, "")
  .replace(/^main = "(.*)"$/m, () => `main = ${JSON.stringify(join(root, entry))}`);
const dir = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-dev-server-"));
const config = join(dir, "wrangler.toml");
writeFileSync(config, toml);

const worker = await unstable_startWorker({
  config,
  bindings: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { type: "plain_text" as const, value }])),
  dev: {
    server: { hostname: "127.0.0.1", port: 0 },
    inspector: inspector === "off" ? false : { hostname: "127.0.0.1", port: 0 },
    watch: false,
    logLevel: "warn",
  },
});
await worker.ready;
console.log(`ready ${(await worker.url).toString().replace(/\/$/, "")}`);

process.once("SIGTERM", () => {
  void worker.dispose().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
