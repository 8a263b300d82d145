// What `npm start` and `npm run dev:worker` print once they serve: the page, a curl that works as
// printed, and the environment that points the library (the README's snippets) at the emulator.
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";

export interface TryNext {
  /** Where the endpoint listens, e.g. http://127.0.0.1:4000. */
  url: string;
  /** What a caller sends as the key: the demo's own, or a shell variable that holds it. */
  key: string;
  /** The model the curl asks. */
  model: string;
  /** The emulator of Agents Classic and AgentCore. */
  emulatorUrl: string;
}

/** The library's environment for the emulator: its endpoint variables and its static keys. */
export function libraryEnvironment(emulatorUrl: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: emulatorUrl,
    AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: emulatorUrl,
    AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  };
}

/** A loopback or wildcard address as a browser and the README write it: localhost. */
export function friendlyUrl(url: string): string {
  const parsed = new URL(url);
  if (["127.0.0.1", "0.0.0.0", "[::]", "[::1]", "localhost"].includes(parsed.hostname)) parsed.hostname = "localhost";
  return parsed.origin;
}

export function tryNext({ url, key, model, emulatorUrl }: TryNext): string {
  const base = friendlyUrl(url);
  const body = JSON.stringify({ model, messages: [{ role: "user", content: "Hello!" }] }).replaceAll("'", "'\\''");
  const env = Object.entries(libraryEnvironment(emulatorUrl)).map(([name, value]) => `    export ${name}=${value}`);
  return [
    "",
    "Try it:",
    `  In a browser, the playground: ${base}/  (API key: ${key})`,
    "  With curl:",
    `    curl ${base}/v1/chat/completions \\`,
    `      -H "Authorization: Bearer ${key}" -H "Content-Type: application/json" \\`,
    `      -d '${body}'`,
    "  With the library (the README's snippets), against the emulator, in another shell:",
    ...env,
    "    npx tsx examples/completion.ts",
    "",
  ].join("\n");
}
