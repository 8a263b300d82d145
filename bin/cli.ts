// `bedrock-agents-openai --config config.yaml --port 4000`, like `litellm --config`.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { hashKey } from "../src/proxy/auth.ts";
import { ConfigError, type ProxyConfig } from "../src/proxy/config.ts";
import { loadConfigFile } from "./load-config-file.ts";
import { type RunningServer, refusal, startServer } from "./server.ts";

const USAGE = `Usage: bedrock-agents-openai [--config config.yaml] [--port 4000] [--host 127.0.0.1]
                            [--log-format text|json] [--quiet]
       bedrock-agents-openai hash-key [--stdin]

Serves Amazon Bedrock Agents as an OpenAI-compatible endpoint, from a LiteLLM-style config.yaml.
Writes one line per request to standard output (text, or JSON lines with --log-format json);
--quiet writes none.
hash-key makes a new API key and prints it with the SHA-256 that general_settings.api_keys
stores (with --stdin: hashes the key read from standard input instead).`;

export interface MainHooks {
  /** Told once the server listens: the demo prints what to try next. */
  serving?(server: RunningServer, config: ProxyConfig): void;
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env, hooks: MainHooks = {}): Promise<number> {
  if (argv[0] === "hash-key") return hashKeyCommand(argv.slice(1));
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: "string", short: "c", default: "config.yaml" },
        port: { type: "string", short: "p", default: "4000" },
        host: { type: "string", default: "127.0.0.1" },
        "log-format": { type: "string" },
        quiet: { type: "boolean", short: "q" },
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
  const logFormat = values["log-format"];
  if (logFormat !== undefined && logFormat !== "text" && logFormat !== "json") {
    console.error(`--log-format must be text or json, got "${logFormat}"`);
    return 2;
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
  let server: RunningServer;
  try {
    server = await startServer({
      config,
      port,
      host: values.host,
      logFormat,
      requestLog: values.quiet ? false : (line) => console.log(line),
    });
  } catch (error) {
    const refused = listenRefusal(error, values.host!, port);
    if (!refused) throw error;
    console.error(refused);
    return 1;
  }
  console.log(`bedrock-agents-openai: serving ${config.models.length} model(s) on ${server.url}`);
  hooks.serving?.(server, config);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
  return 0;
}

/** Why the server could not listen, said for a person, or undefined for an error of another kind. */
export function listenRefusal(error: unknown, host: string, port: number): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const other = port > 0 && port < 65525 ? port + 10 : 8080;
  if (code === "EADDRINUSE") {
    return (
      `Port ${port} is already in use on ${host} (another server, or an earlier run still going).\n` +
      `Stop what holds it, or pick another port with --port, e.g. --port ${other} (npm start -- --port ${other})`
    );
  }
  if (code === "EACCES") return `Not allowed to listen on ${where}: ports below 1024 need privileges; pick another with --port, e.g. --port ${other}`;
  if (code === "EADDRNOTAVAIL") return `Cannot listen on ${where}: ${host} is not an address of this machine; pick another with --host`;
  return undefined;
}

async function hashKeyCommand(args: string[]): Promise<number> {
  if (args.length > 1 || (args[0] !== undefined && args[0] !== "--stdin")) {
    console.error(USAGE);
    return 2;
  }
  if (args[0] === "--stdin") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const key = Buffer.concat(chunks).toString("utf8").trim();
    if (!key) {
      console.error("No key on standard input");
      return 2;
    }
    console.log(`key_sha256: ${await hashKey(key)}`);
    return 0;
  }
  // 32 random bytes: as strong as the hash that stores it.
  const key = `sk-${randomBytes(32).toString("base64url")}`;
  console.log(`key: ${key}\nkey_sha256: ${await hashKey(key)}`);
  console.error("Give the key to its user; put only key_sha256 in config.yaml (general_settings.api_keys).");
  return 0;
}
