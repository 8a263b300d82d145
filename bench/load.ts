// Load: at least 200 concurrent streaming clients for at least 30 s through the Node server
// and through the Worker in wrangler dev and in Miniflare, against the emulator, each Worker
// beside a control without our code. Every stream's text must be byte-exact with what the
// emulator sent, and no request may fail.
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { demoAnswer } from "../test/emulator/scenarios.ts";
import { startEmulator } from "../test/emulator/server.ts";
import { machine, ms, percentile, writeSection } from "./report.ts";
import { readSse } from "./sse-client.ts";
import { type EndpointKind, benchConfig, startEndpoint } from "./targets.ts";

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const KEY = "sk-load-test-key";

interface Result {
  name: string;
  streams: number;
  errors: number;
  /** Connections reset before any response: retried, as the openai SDKs do. */
  retried: number;
  mismatches: number;
  firstToken: number[];
  total: number[];
  bytes: number;
  seconds: number;
  firstError?: string;
}

/** One streaming request, read as SSE; returns the text, or throws on any error event. */
async function stream(url: string, input: string, started: number, result: Result): Promise<string> {
  const send = () =>
    fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "demo", stream: true, messages: [{ role: "user", content: input }] }),
    });
  // A connection reset before any response means the request was not served: try once more.
  const response = await send().catch((error: unknown) => {
    if (!String((error as { cause?: unknown }).cause).includes("ECONNRESET")) throw error;
    result.retried++;
    return send();
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
  let text = "";
  const done = await readSse(
    response,
    (content) => {
      if (text === "") result.firstToken.push(performance.now() - started);
      text += content;
    },
    (count) => (result.bytes += count),
  );
  if (!done) throw new Error("the stream ended without [DONE]");
  return text;
}

async function run(kind: EndpointKind, emulatorUrl: string): Promise<Result> {
  const endpoint = await startEndpoint(kind, benchConfig({ demo: emulatorUrl }, KEY, STATIC_CREDENTIALS), emulatorUrl);
  const result: Result = {
    name: endpoint.name,
    streams: 0,
    errors: 0,
    retried: 0,
    mismatches: 0,
    firstToken: [],
    total: [],
    bytes: 0,
    seconds: 0,
  };
  const began = performance.now();
  const deadline = began + SECONDS * 1000;
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let n = 0; performance.now() < deadline; n++) {
          const input = `Load client ${client}, request ${n}: what can you do?`;
          const started = performance.now();
          try {
            const text = await stream(endpoint.url, input, started, result);
            result.total.push(performance.now() - started);
            if (text === demoAnswer(input)) result.streams++;
            else result.mismatches++;
          } catch (error) {
            result.errors++;
            result.firstError ??= `${String(error)}${(error as { cause?: unknown }).cause ? ` (${String((error as { cause?: unknown }).cause)})` : ""}`;
          }
        }
      }),
    );
  } finally {
    result.seconds = (performance.now() - began) / 1000;
    const notes = endpoint.output?.().split("\n").filter((line) => /restart|changed|error|exception/i.test(line)) ?? [];
    if (result.errors > 0 && notes.length > 0) console.log(`${endpoint.name} said:\n${notes.slice(-20).join("\n")}`);
    await endpoint.close();
  }
  return result;
}

function row(r: Result): string {
  const first = r.firstToken.sort((a, b) => a - b);
  const total = r.total.sort((a, b) => a - b);
  return `| ${r.name} | ${CLIENTS} | ${r.seconds.toFixed(1)} s | ${r.streams} | ${(r.streams / r.seconds).toFixed(0)}/s | ${r.errors} | ${r.retried} | ${r.mismatches} | ${ms(percentile(first, 50))} / ${ms(percentile(first, 99))} | ${ms(percentile(total, 50))} / ${ms(percentile(total, 99))} |`;
}

export async function loadBenchmark(): Promise<boolean> {
  const emulator = await startEmulator();
  const results: Result[] = [];
  try {
    const kinds = (process.env.LOAD_ENDPOINTS?.split(",") ?? ["node", "worker", "bare-worker", "miniflare", "bare-miniflare"]) as EndpointKind[];
    for (const kind of kinds) {
      console.log(`load: ${CLIENTS} streaming clients for ${SECONDS} s through ${kind} ...`);
      results.push(await run(kind, emulator.url));
    }
  } finally {
    await emulator.close();
  }
  // The control only tells what wrangler dev itself holds; the target is ours.
  const ours = results.filter((r) => !r.name.startsWith("control"));
  const ok = ours.every((r) => r.errors === 0 && r.mismatches === 0 && r.streams > 0);
  await writeSection(
    "Load",
    `${CLIENTS} concurrent streaming clients, each sending one streaming chat completion after another for
${SECONDS} s, through the endpoint to the emulator's demo agent (an answer of about 250 bytes in 15
pieces, 5 ms apart, with traces). Every stream's text is compared byte for byte with what the
emulator sent. Machine: ${machine()}; the emulator and the clients share one process, the
endpoint runs in its own.

| endpoint | clients | duration | streams, all exact | rate | errors | resets retried | mismatches | first token p50 / p99 | whole stream p50 / p99 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(row).join("\n")}

${ok ? "Zero errors and zero mismatches." : `FAILED: ${ours.map((r) => r.firstError).filter(Boolean).join("; ")}`}
The control row is a Worker without our code (\`bench/bare-worker/\`) that passes the same answers
through from the same emulator (as OpenAI chunks already, unsigned, in the same pieces at the same
pace) in the same wrangler dev: what it holds is wrangler dev's and workerd's part, what ours loses
beyond it is ours.
"Resets retried" counts connections the server reset before any response (so the request was
never served), sent once more as the openai SDKs do; wrangler dev's local server does this
under load. A reset after the response began, or a second reset, counts as an error.

Command: \`npm run bench:load\` (\`LOAD_CLIENTS\` and \`LOAD_SECONDS\` change the load).`,
  );
  for (const r of results) console.log(row(r));
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = (await loadBenchmark()) ? 0 : 1;
}
