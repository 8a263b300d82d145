// `bedrock-agents-openai --config config.yaml --port 4000`, like `litellm --config`.
import { parseArgs } from "node:util";
import { ConfigError } from "../src/proxy/config.ts";
import { loadConfigFile } from "./load-config-file.ts";
import { refusal, startServer } from "./server.ts";

const USAGE = `Usage: bedrock-agents-openai [--config config.yaml] [--port 4000] [--host 127.0.0.1]

Serves Amazon Bedrock Agents as an OpenAI-compatible endpoint, from a LiteLLM-style config.yaml.`;

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c", default: "config.yaml" },
        port: { type: "string", short: "p", default: "4000" },
        host: { type: "string", default: "127.0.0.1" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number, got "${values.port}"`);
    return 2;
  }
  let config;
  try {
    config = await loadConfigFile(values.config!, { env, warn: (message) => console.error(`warning: ${message}`) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid config ${values.config}: ${error.message}`);
    return 1;
  }
  const refused = refusal(config);
  if (refused) {
    console.error(refused);
    return 1;
  }
  const server = await startServer({ config, port, host: values.host });
  console.log(`bedrock-agents-openai: serving ${config.models.length} model(s) on ${server.url}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
  return 0;
}
