// `npm start`: the endpoint on localhost, with config.yaml's demo model answered by the
// bundled emulator of the agent runtime, so everything works without an AWS account.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { main } from "../bin/cli.ts";
import type { ProxyConfig } from "../src/proxy/config.ts";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { type Emulator, startEmulator } from "../test/emulator/server.ts";
import { tryNext } from "./try-next.ts";

const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv,
  options: { port: { type: "string", short: "p" }, config: { type: "string", short: "c" } },
  strict: false,
});
const emulator = await startDemoEmulator(typeof values.port === "string" ? Number(values.port) : 4000);
console.log(`bedrock-agents-openai: emulator of Agents Classic and AgentCore on ${emulator.url}`);
const code = await main(
  argv,
  {
    ...process.env,
    BEDROCK_EMULATOR_URL: emulator.url,
    // The demo harness hands the client's own tools back when a request offers some.
    BEDROCK_EMULATOR_HARNESS_URL: `${emulator.url}/scenario/tools`,
    EMULATOR_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
    EMULATOR_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  },
  {
    serving: (server, config) =>
      console.log(tryNext({ url: server.url, key: demoKey(config, String(values.config ?? "config.yaml")), model: demoModel(config), emulatorUrl: emulator.url })),
  },
);
if (code !== 0) {
  await emulator.close();
  process.exit(code);
}

/**
 * The emulator on the port after the endpoint's (4001 for npm start), so the library's
 * environment the README shows is the one printed; on any free port when that one is taken.
 */
async function startDemoEmulator(port: number): Promise<Emulator> {
  if (!Number.isInteger(port) || port <= 0 || port >= 65535) return startEmulator();
  return startEmulator({ port: port + 1 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EADDRINUSE") throw error;
    return startEmulator();
  });
}

/**
 * The key the printed curl sends: the config file's own (the demo's, already in plain text in
 * the file), else `$LITELLM_MASTER_KEY` when that is where it came from; a key read from another
 * variable is never printed.
 */
function demoKey(config: ProxyConfig, file: string): string {
  const key = config.masterKey;
  if (key === undefined) return "<your API key>";
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {}
  if (text.includes(`master_key: ${key}`) || text.includes(`master_key: "${key}"`)) return key;
  if (process.env.LITELLM_MASTER_KEY === key) return "$LITELLM_MASTER_KEY";
  return "<your master key>";
}

function demoModel(config: ProxyConfig): string {
  return config.models.find((m) => m.model_name === "demo-agent")?.model_name ?? config.models[0]!.model_name;
}
