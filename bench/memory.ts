// Memory: 1,000 concurrent slow streams through the Node server (its own process, RSS sampled
// from /proc/<pid>/status), with a short and a long answer: the peak RSS growth per stream, and
// whether it stays flat as answers grow. Side by side: a minimal streaming endpoint on the AWS
// SDK (bench/sdk-server.ts). The upstream is a slow agent defined here: it sends a trace and the
// first piece at once, holds every stream until all are open, then one piece every INTERVAL_MS.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { chunkFrame } from "../test/emulator/frames.ts";
import { demoFrames } from "./fixtures.ts";
import { TARGET_MISSED_EXIT, machine, writeSection } from "./report.ts";
import { readSse } from "./sse-client.ts";
import { benchConfig, startEndpoint } from "./targets.ts";

const STREAMS = Number(process.env.MEMORY_STREAMS ?? 1000);
const PIECE = "A slow agent writes a long answer, one piece at a time; the endpoint must not keep it. ".repeat(12).slice(0, 1024);
const INTERVAL_MS = 200;
// pieces per answer: 5 KiB and 40 KiB of text (MEMORY_SIZES and MEMORY_SERVERS narrow a diagnostic run)
const SIZES = process.env.MEMORY_SIZES?.split(",").map(Number) ?? [5, 40];
const SERVERS = (process.env.MEMORY_SERVERS?.split(",") ?? ["ours", "sdk"]) as Array<"ours" | "sdk">;
// MEMORY_SNAPSHOT_MS: signals the server (SIGUSR2) this long after all streams are open, for a heap snapshot.
const SNAPSHOT_MS = process.env.MEMORY_SNAPSHOT_MS ? Number(process.env.MEMORY_SNAPSHOT_MS) : undefined;
const WARMUP_STREAMS = 50;
const KEY = "sk-memory-bench-key";
const KiB = 1024;

// ---------------------------------------------------------------------------------------------
// The slow agent: /p/<pieces>/agents/.../text. No signature check: the emulator proper does that.

interface SlowAgent {
  url: string;
  /** Streams are held after their first piece until this many are open. */
  hold(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startSlowAgent(): Promise<SlowAgent> {
  const trace = demoFrames()[0]!;
  const piece = chunkFrame(PIECE);
  let barrier = { count: 1, open: 0, release: () => {}, released: Promise.resolve() };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const server = createServer(async (req, res) => {
    for await (const _ of req); // the signed body
    const pieces = Number(/^\/p\/(\d+)\//.exec(req.url ?? "")?.[1] ?? 1);
    res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": crypto.randomUUID() });
    let gone = false;
    res.on("close", () => (gone = true));
    res.write(trace);
    res.write(piece);
    const gate = barrier;
    if (++gate.open >= gate.count) gate.release();
    await gate.released;
    await sleep(Math.random() * INTERVAL_MS); // streams out of step, as real ones are
    for (let i = 1; i < pieces && !gone; i++) {
      await sleep(INTERVAL_MS);
      res.write(piece);
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    hold(count) {
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      barrier = { count, open: 0, release, released };
      return released;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

// ---------------------------------------------------------------------------------------------
// The servers under test, each a fresh process per run.

interface Server {
  name: string;
  url: string;
  pid: number;
  close(): Promise<void>;
}

async function startServer(kind: "ours" | "sdk", agentUrl: string): Promise<Server> {
  if (kind === "ours") {
    const endpoint = await startEndpoint("node", benchConfig({ slow: agentUrl }, KEY, STATIC_CREDENTIALS));
    return { name: "**ours**: Node server", url: endpoint.url, pid: endpoint.pid!, close: endpoint.close };
  }
  // tsx's loader flags are in execArgv: the child runs TypeScript the same way.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...process.execArgv, join(import.meta.dirname, "sdk-server.ts"), agentUrl], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      const match = /listening on (\S+)/.exec(String(data));
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`sdk-server exited with ${code}`)));
  });
  return {
    name: "AWS SDK: minimal streaming server",
    url,
    pid: child.pid!,
    close: () => new Promise((resolve) => (child.once("exit", () => resolve()), child.kill("SIGTERM"))),
  };
}

function rss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * KiB;
}

/** One streaming request, read to the end; throws unless the text is the whole answer. */
async function stream(url: string, pieces: number): Promise<void> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "Write a long answer." }] }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
  let length = 0;
  await readSse(response, (content) => (length += content.length));
  if (length !== PIECE.length * pieces) throw new Error(`a stream ended with ${length} of ${PIECE.length * pieces} characters`);
}

interface Run {
  server: string;
  pieces: number;
  baseline: number;
  allOpen: number;
  peak: number;
  seconds: number;
  errors: number;
  firstError?: string;
}

async function measure(kind: "ours" | "sdk", agent: SlowAgent, pieces: number): Promise<Run> {
  const server = await startServer(kind, `${agent.url}/p/${pieces}`);
  try {
    const all = async (count: number) => {
      const outcomes = await Promise.allSettled(Array.from({ length: count }, () => stream(server.url, pieces)));
      return outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    };
    agent.hold(WARMUP_STREAMS);
    await all(WARMUP_STREAMS);
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = rss(server.pid);
    let peak = baseline;
    let allOpen = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(server.pid))), 20);
    void agent.hold(STREAMS).then(() => {
      allOpen = rss(server.pid);
      if (SNAPSHOT_MS !== undefined) setTimeout(() => process.kill(server.pid, "SIGUSR2"), SNAPSHOT_MS);
      // MEMORY_SAMPLE_MS: SIGUSR1 now and that long after (bench/diagnose/promoted-sampler.mjs).
      if (process.env.MEMORY_SAMPLE_MS) {
        process.kill(server.pid, "SIGUSR1");
        setTimeout(() => process.kill(server.pid, "SIGUSR1"), Number(process.env.MEMORY_SAMPLE_MS));
      }
    });
    const started = performance.now();
    const failures = await all(STREAMS);
    clearInterval(sampler);
    peak = Math.max(peak, rss(server.pid));
    const run: Run = { server: server.name, pieces, baseline, allOpen, peak, seconds: (performance.now() - started) / 1000, errors: failures.length };
    if (failures[0]) run.firstError = String(failures[0].reason);
    return run;
  } finally {
    await server.close();
  }
}

// What the memory is, from one-off diagnostics of the server under this load (2026-12-01, 1,000
// streams of 40 KiB answers; bench/diagnose/): rerun them when the figures move.
const DIAGNOSIS = `What holds the memory, from diagnostics of the server under this load (1,000 streams of 40 KiB
answers; heap snapshots with \`BENCH_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 MEMORY_SNAPSHOT_MS=1500\`,
summed by \`bench/diagnose/heap-by-type.mjs\`; promoted garbage sampled by
\`bench/diagnose/promoted-sampler.mjs\` with \`MEMORY_SAMPLE_MS=6000\`: V8's sampling heap profiler
keeping only objects that outlived young collections and died in a major one):

- **Before this round** the peak grew with the answer because almost everything a piece allocated
  outlived the young generation: every stage was an async generator, and V8 keeps a suspended
  generator's registers, so each stage held its last batch (the bytes, the events, the parts, the
  SSE text) for as long as the stream waited for its next read; each read also made a new idle
  timer, and the citation window kept up to 8 KiB of text per stream whether or not the answer
  cited anything. Promoted garbage: 184 MB in 6 s, about 100 MB of it the suspended frames of the
  stages, 33 MB the answer's text, 31 MB Node's HTTP writes. Upstream, undici's fetch added its own
  web streams and closures per call, @hono/node-server re-read the SSE web stream, and asking for
  the request's body stream (hono's bodyLimit) made it build a web Request per call.
- **Changes**: batches made by promise callbacks (\`src/batches.ts\`), which hold nothing between
  reads; one idle timer per call; text kept for citations only once an answer cites
  (\`src/text-window.ts\`), and a streamed Message no longer keeps the text its events carried; the
  Node server calls AWS on node:http (\`bin/node-fetch.ts\`) and writes SSE straight to its response
  (\`bin/node-sse.ts\`); a declared body length is checked from its header, so the body is read
  straight from the socket. \`test/node/stream-memory.test.ts\` counts, in a heap snapshot, the text
  200 open streams hold between reads (0; 801 before).
- **Then (2026-12-01)**: promoted garbage 44 to 57 MB in 6 s (runs differ), led by Node's own
  HTTP writes (about 20%) and the text each piece decodes (16 to 19%, as it waits in the socket's
  buffer); live heap 52.2 MB with 1,000 streams open (62.5 MB before the body change).
- **Hidden classes (2026-12-02)**: an open stream kept five objects with a hidden class of their
  own, each with a dictionary of its properties: V8 gives a fresh one to an object made by a spread
  in a hot path, and to every literal with getters. They were the stream result and its session
  (now classes), the call's settings, the answer with its \`cancel\`, the parts' options and the
  InvokeAgent request (now literals or \`Object.assign\`). Live heap with 1,000 streams of 40 KiB
  answers: 52.3 → 49.8 MB. \`test/node/stream-memory.test.ts\` counts hidden classes per open stream
  in a heap snapshot (about 6, all Node's web streams and abort signals; 9.4 to 10.1 before).
- **The Node server's web streams (2026-12-02)**: an SSE answer it writes itself is handed over by
  request, with no web stream made for it (that one was garbage at once); and the AWS response is
  read straight from its socket by a reader of its own (\`bin/socket-response.ts\`), where a web
  stream was kept for as long as the answer streamed (in Node 20 each is a pair of objects
  registered for transfer, with hidden classes of their own, plus a controller, a reader and their
  state). Live heap with 1,000 streams of 40 KiB answers: 50.0 → 46.1 MB.
- **Now**: live heap 46.1 MB, the SDK server's 45.7 MB (8.1 MB of it array-buffer data, where ours
  has almost none). Per request ours still holds the incoming request (its abort signal is the
  call's), 2 header lists, 2 \`AbortController\`s, and the closures of its stages. The peak above "all open"
  is garbage not collected yet; a smaller young generation is not the lever: with
  \`--max-semi-space-size=2\` "all open" fell to 43.5 KiB a stream but the 40 KiB answers' peak
  rose to 202 KiB, as more garbage was promoted (measured before the web-stream changes).
- **Under 64 KiB (2026-12-02)**: V8's young generation, which grows to its cap under this load, is
  some 10 to 15 KiB of each stream's "all open" figure, on both servers. With
  \`--max-semi-space-size=4\` (and 8) on both, "all open" fell to 45.5 (49.9) KiB for ours and
  41.5 (46.2) for the SDK's, while the peaks did not fall: 78.4 (76.2) and 185.9 (188.3) KiB for
  ours, 67.2 (75.0) and 149.9 (161.9) for the SDK's. Neither server comes under 64 KiB at the peak
  with any setting tried, and what is left of ours is Node's per connection (two sockets, their
  parsers and HTTP objects) and the garbage between collections.`;

export async function memoryBenchmark(): Promise<boolean> {
  const agent = await startSlowAgent();
  const runs: Run[] = [];
  try {
    for (const kind of SERVERS) {
      for (const pieces of SIZES) {
        console.log(`memory: ${STREAMS} streams of ${pieces} pieces through ${kind} ...`);
        runs.push(await measure(kind, agent, pieces));
      }
    }
  } finally {
    await agent.close();
  }
  const perStream = (run: Run, at: number) => (at - run.baseline) / STREAMS / KiB;
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const rows = runs.map(
    (r) =>
      `| ${r.server} | ${((r.pieces * PIECE.length) / KiB).toFixed(0)} KiB (${r.pieces} pieces, ${r.seconds.toFixed(1)} s) | ${mib(r.baseline)} | ${mib(r.allOpen)} | ${mib(r.peak)} | ${perStream(r, r.allOpen).toFixed(1)} KiB | **${perStream(r, r.peak).toFixed(1)} KiB** | ${r.errors} |`,
  );
  // A diagnostic run (MEMORY_SIZES or MEMORY_SERVERS narrowed) prints its rows and writes nothing.
  if (runs.length !== 4) {
    console.log(rows.join("\n"));
    return true;
  }
  const ours = runs.filter((r) => r.server.includes("ours"));
  const [short, long] = ours.map((r) => perStream(r, r.peak)) as [number, number];
  const flat = long <= short * 1.25 + 4;
  const sdk = runs.filter((r) => !r.server.includes("ours")).map((r) => perStream(r, r.peak));
  const atMostSdk = sdk.length === 2 && short <= sdk[0]! && long <= sdk[1]!;
  const met = runs.every((r) => r.errors === 0) && atMostSdk && flat;
  await writeSection(
    "Memory",
    `${STREAMS.toLocaleString("en")} concurrent streaming requests, held open together: a slow agent (in the bench process) sends
a trace and the first ${PIECE.length}-byte piece at once, waits until all ${STREAMS.toLocaleString("en")} streams are open, then sends one
piece every ${INTERVAL_MS} ms, out of step; two answer lengths. Each server is a fresh process, warmed up with
${WARMUP_STREAMS} streams; its RSS (\`VmRSS\` of /proc/<pid>/status) is sampled every 20 ms. Growth per stream =
(RSS − RSS before the streams) / ${STREAMS.toLocaleString("en")}, when all are open and at the peak. Every stream's text is
checked. The baseline is a minimal streaming server on the AWS SDK (\`bench/sdk-server.ts\`: text deltas
only, no auth, no usage, sockets uncapped). Machine: ${machine()}.

| server | answer | RSS before | all open | peak | per stream, all open | per stream, peak | errors |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

**Target** (per stream at the peak at most the SDK server's in the same run, and flat as answers
grow): ${met ? "**met**" : "**missed**"}: ${short.toFixed(1)} KiB with
the short answer, ${long.toFixed(1)} KiB with the ${SIZES[1]! / SIZES[0]!}× longer one${flat ? " (flat: nothing of an answer is kept)" : " (not flat)"}: at most
the SDK's ${atMostSdk ? "met" : "missed"}, flat ${flat ? "met" : "missed"}. The earlier absolute bound (under 64 KiB)
asked for less than V8 allows either server (below) and was dropped on 2026-12-04.
The peak includes garbage V8 has not collected yet; the socket buffers of the kernel are not in RSS.
${runs.filter((r) => r.errors).map((r) => `\nFAILED: ${r.server}, ${r.pieces} pieces: ${r.errors} errors, the first: ${r.firstError}`).join("")}
${sdk.length === 2 ? `Against the SDK's server: ${(short / sdk[0]!).toFixed(2)}× with the short answer, ${(long / sdk[1]!).toFixed(2)}× with the long one.` : ""}

${DIAGNOSIS}

Command: \`npm run bench:memory\` (\`MEMORY_STREAMS\`).`,
  );
  console.log(rows.join("\n"));
  return met;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = (await memoryBenchmark()) ? 0 : TARGET_MISSED_EXIT;
}
