// `npm run dev:worker`: the Worker under `wrangler dev` (workerd, offline) with config.yaml's demo
// models answered by the bundled emulator, as `npm start` serves them under Node. Both are
// stopped by their process ids when this stops. For your own config: `npx wrangler dev`.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { listenRefusal } from "../bin/cli.ts";
import { loadConfigFile } from "../bin/load-config-file.ts";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { type Emulator, startEmulator } from "../test/emulator/server.ts";
import { tryNext } from "./try-next.ts";

const root = join(import.meta.dirname, "..");
const USAGE = "Usage: npm run dev:worker [-- --port 8787]";

const { values } = parseArgs({ args: process.argv.slice(2), options: { port: { type: "string", short: "p", default: "8787" }, help: { type: "boolean", short: "h" } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port >= 65535) {
  console.error(`--port must be a port number, got "${values.port}"\n${USAGE}`);
  process.exit(2);
}

// wrangler dev would take another port by itself, or fail in its own words: say it as npm start does.
const busy = await new Promise<unknown>((resolve) => {
  const probe = createServer().once("error", resolve);
  probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(undefined)));
});
if (busy) {
  console.error((listenRefusal(busy, "127.0.0.1", port) ?? String(busy)).replace("npm start --", "npm run dev:worker --"));
  process.exit(1);
}

const emulator = await startDemoEmulator(port);
console.log(`bedrock-agents-openai: emulator of Agents Classic and AgentCore on ${emulator.url}`);
// What `npm start` sets in the environment, as the Worker's variables (config.yaml reads them with os.environ/).
const vars: Record<string, string> = {
  BEDROCK_EMULATOR_URL: emulator.url,
  BEDROCK_EMULATOR_HARNESS_URL: `${emulator.url}/scenario/tools`,
  EMULATOR_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  EMULATOR_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
};
const args = ["dev", "--ip", "127.0.0.1", "--port", String(port)];
for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
const wrangler = spawn(join(root, "node_modules", ".bin", "wrangler"), args, {
  cwd: root,
  detached: true, // its own process group: workerd goes down with it
  stdio: ["ignore", "inherit", "inherit"], // no stdin: a background group must not read the terminal
  env: { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", ...process.env },
});

let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    if (wrangler.exitCode === null && wrangler.signalCode === null) {
      const exited = new Promise((resolve) => wrangler.once("exit", resolve));
      try {
        process.kill(-wrangler.pid!, "SIGTERM");
      } catch {}
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      try {
        process.kill(-wrangler.pid!, "SIGKILL"); // whatever of its group outlived SIGTERM
      } catch {}
    }
    await emulator.close();
  }
  process.exit(code);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => void stop(0));
wrangler.once("exit", (code) => {
  if (!stopping) console.error(`wrangler dev exited${code === null ? "" : ` with ${code}`}`);
  void stop(code ?? 1);
});

const url = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 120_000;
while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
  if (Date.now() > deadline) {
    console.error(`wrangler dev did not answer on ${url} within 2 minutes`);
    await stop(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}
const config = await loadConfigFile(join(root, "config.yaml"), { env: vars, warn: () => {} });
console.log(tryNext({ url, key: workerKey(config.masterKey), model: config.models.find((m) => m.model_name === "demo-agent")?.model_name ?? config.models[0]!.model_name, emulatorUrl: emulator.url }));

/** The emulator on the port after the Worker's (8788), else on any free one. */
async function startDemoEmulator(workerPort: number): Promise<Emulator> {
  return startEmulator({ port: workerPort + 1 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    return startEmulator();
  });
}

/** The bundled config's own key (the demo's, in plain text in config.yaml); a key from a secret is never printed. */
function workerKey(key: string | undefined): string {
  const text = readFileSync(join(root, "config.yaml"), "utf8");
  return key !== undefined && text.includes(`master_key: ${key}`) ? key : "<your master key>";
}
