// Load: at least 200 concurrent streaming clients for at least 30 s through the Node server
// and through the Worker in wrangler dev, in wrangler's dev server with and without its DevTools
// inspector, and in Miniflare, against the emulator; wrangler dev and Miniflare beside a control
// without our code. Every stream's text must be byte-exact with what the emulator sent, and no
// request may fail.
import { readFileSync } from "node:fs";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { demoAnswer } from "../test/emulator/scenarios.ts";
import { startEmulator } from "../test/emulator/server.ts";
import { TARGET_MISSED_EXIT, machine, ms, percentile, writeSection } from "./report.ts";
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
  /** The serving process's RSS (bytes) before the load and at its peak, where its PID is known (the Node server, workerd under Miniflare). */
  startRss?: number;
  peakRss?: number;
  firstError?: string;
}

function rss(pid: number): number | undefined {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) * 1024;
  } catch {
    return undefined;
  }
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
  const pid = endpoint.pid;
  if (pid !== undefined) result.startRss = rss(pid);
  const sampler = pid === undefined ? undefined : setInterval(() => (result.peakRss = Math.max(result.peakRss ?? 0, rss(pid) ?? 0)), 100);
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
    clearInterval(sampler);
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
  const mib = (bytes: number | undefined) => `${((bytes ?? 0) / 2 ** 20).toFixed(0)}`;
  const peak = r.peakRss === undefined ? "–" : `${mib(r.startRss)} → ${mib(r.peakRss)} MiB`;
  return `| ${r.name} | ${CLIENTS} | ${r.seconds.toFixed(1)} s | ${r.streams} | ${(r.streams / r.seconds).toFixed(0)}/s | ${r.errors} | ${r.retried} | ${r.mismatches} | ${ms(percentile(first, 50))} / ${ms(percentile(first, 99))} | ${ms(percentile(total, 50))} / ${ms(percentile(total, 99))} | ${peak} |`;
}

export async function loadBenchmark(): Promise<boolean> {
  const emulator = await startEmulator();
  const results: Result[] = [];
  try {
    const kinds = (process.env.LOAD_ENDPOINTS?.split(",") ?? ["node", "worker", "bare-worker", "dev-server", "dev-server-no-inspector", "miniflare", "bare-miniflare"]) as EndpointKind[];
    for (const kind of kinds) {
      console.log(`load: ${CLIENTS} streaming clients for ${SECONDS} s through ${kind} ...`);
      results.push(await run(kind, emulator.url));
    }
  } finally {
    await emulator.close();
  }
  // Ours must hold everywhere but under wrangler dev's DevTools inspector, which is the bound
  // there when the same dev server without it holds; and in Miniflare.
  const clean = (r: Result) => r.errors === 0 && r.mismatches === 0 && r.streams > 0;
  const ours = results.filter((r) => !r.name.startsWith("control"));
  const inspected = (r: Result) => r.name.includes("(wrangler dev)") || r.name.includes("with its inspector");
  const uninspected = ours.find((r) => r.name.includes("without its inspector"));
  const bounded = (r: Result) => inspected(r) && r.mismatches === 0 && uninspected !== undefined && clean(uninspected);
  const ok = ours.every((r) => clean(r) || bounded(r)) && ours.some((r) => r.name.includes("Miniflare") && clean(r));
  const devWith = ours.find((r) => r.name.includes("with its inspector"));
  const rate = (r: Result) => `${(r.streams / r.seconds).toFixed(0)}/s`;
  const inspectorRuns =
    devWith && uninspected
      ? `with it, ours had ${devWith.errors} errors at ${rate(devWith)}; without it, ${uninspected.errors} errors at ${rate(uninspected)}.`
      : "(not run this time: LOAD_ENDPOINTS left them out).";
  await writeSection(
    "Load",
    `${CLIENTS} concurrent streaming clients, each sending one streaming chat completion after another for
${SECONDS} s, through the endpoint to the emulator's demo agent (an answer of about 250 bytes in 15
pieces, 5 ms apart, with traces). Every stream's text is compared byte for byte with what the
emulator sent. Machine: ${machine()}; the emulator and the clients share one process, the
endpoint runs in its own.

| endpoint | clients | duration | streams, all exact | rate | errors | resets retried | mismatches | first token p50 / p99 | whole stream p50 / p99 | RSS before → peak |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(row).join("\n")}

**Target** (200 streams for 30 s with 0 errors, every byte exact; where wrangler dev itself is the
bound, proof of that and a run that shows ours holds): ${ok ? "**met**" : "**missed**"}${ok ? ": ours holds everywhere but under the inspector wrangler dev attaches, and holds in the same dev server without it" : ""}.
${ours.map((r) => `${r.name}: ${clean(r) ? "0 errors, 0 mismatches" : `${r.errors} errors, ${r.mismatches} mismatches (${r.firstError ?? ""})`}`).join("; ")}.

The control rows are a Worker without our code (\`bench/bare-worker/\`) that passes the same answers
through from the same emulator (as OpenAI chunks already, unsigned, in the same pieces at the same
pace) on the same host: what it holds is the host's part, what ours loses beyond it is ours. Under
Miniflare the same workerd serves the same bundle without wrangler dev's proxy, inspector and
file watcher in front, and its process's whole RSS (the runtime's own included, not only the
isolate's heap) is sampled.

Why wrangler dev fails ours ("Your worker restarted mid-request"): that 503 is what wrangler's
ProxyWorker answers when its fetch to the Worker fails with a network error, for any request whose
path is not \`/\` (it compares the request's URL, path included, with the Worker's origin, so it
takes every such failure for a reload; wrangler's debug log shows no reload during a run, only the
one at start-up). The failures come with the DevTools inspector that \`wrangler dev\` always
attaches, with its Network domain on: workerd reports to it every network read of every fetch the
Worker makes (\`Network.dataReceived\`: ours reads the AWS response a frame at a time, and a
20 s run with \`WRANGLER_LOG=debug\` logged 21,836 of them, about 27 a request) and every console
line (the request log). The rows "wrangler's dev server" are the same server \`wrangler dev\` runs
(wrangler's bundler, ProxyWorker and workerd, through wrangler's \`unstable_startWorker\`:
\`bench/dev-server.ts\`), once with the inspector and once without it, which the CLI cannot do:
${inspectorRuns} A deployed Worker has no inspector attached.
"Resets retried" counts connections the server reset before any response (so the request was
never served), sent once more as the openai SDKs do; wrangler dev's local server does this
under load. A reset after the response began, or a second reset, counts as an error.

Command: \`npm run bench:load\` (\`LOAD_CLIENTS\` and \`LOAD_SECONDS\` change the load).`,
  );
  for (const r of results) console.log(row(r));
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = (await loadBenchmark()) ? 0 : TARGET_MISSED_EXIT;
}
