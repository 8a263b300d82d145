// wrangler's local dev server, the one `wrangler dev` runs (its bundler, its ProxyWorker in front,
// the Worker in workerd), started through wrangler's API so that its DevTools inspector can be
// left off, which the CLI cannot do: the load benchmark's test of what the inspector costs.
// Its own process, as wrangler dev is: `node --import tsx bench/dev-server.ts <entry> on|off`, with the
// Worker's variables as JSON in DEV_VARS; prints `ready <url>`, stops on SIGTERM.
import { unstable_startWorker } from "wrangler";
import { configWithoutBuild } from "../test/node/support/wrangler-dev.ts";

const [entry = "worker/index.ts", inspector = "on"] = process.argv.slice(2);
const vars = JSON.parse(process.env.DEV_VARS ?? "{}") as Record<string, string>;

// wrangler.toml with its [build] step run once here, as the wrangler dev of the tests runs it.
const config = configWithoutBuild(entry);
const worker = await unstable_startWorker({
  config: config.file,
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

process.once("exit", () => config.remove());
process.once("SIGTERM", () => void worker.dispose().finally(() => process.exit(0)));
