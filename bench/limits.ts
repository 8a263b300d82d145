// What a key's limit check costs per request: the CPU of the same non-streaming chat completion
// through the endpoint's app for a key without limits (the baseline) and for a key with
// rpm_limit, tpm_limit, max_parallel_requests and max_budget, counted in memory and in Redis
// (Node, in this process: process.cpuUsage per request), and in the Worker's Durable Object
// (workerd under Miniflare: its process's CPU from /proc, over blocks of requests).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { type Server, createServer } from "node:http";
import { createApp } from "../src/proxy/app.ts";
import { parseConfig } from "../src/proxy/config.ts";
import { type CounterStore, MemoryStore } from "../src/proxy/limits/counter-store.ts";
import { RedisStore } from "../bin/redis-store.ts";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { DEMO_EXPECTED_USAGE } from "../test/emulator/scenarios.ts";
import { redisSkipReason, startRedisServer } from "../test/node/support/redis-server.ts";
import { MODEL, QUESTION, demoFrames, ourClient, reads } from "./fixtures.ts";
import { type MiniflareWorker, startMiniflare } from "./miniflare.ts";
import { TARGET_MISSED_EXIT, machine, percentile, writeSection } from "./report.ts";

const RUNS = Number(process.env.LIMITS_RUNS ?? 4000); // per Node case
const WARMUP = Math.ceil(RUNS / 3);
const WORKER_RUNS = Number(process.env.LIMITS_WORKER_RUNS ?? 4000); // per Worker case
const WORKER_BLOCK = 250; // requests per workerd measurement: ~0.5 s of its CPU, 50 ticks of 10 ms
const WORKER_WARMUP = 500;
const MAX_ADDED = 0.1; // the target: at most 10% more CPU per request, in memory and in the Durable Object

const PLAIN_KEY = "sk-limits-bench-plain";
const LIMITED_KEY = "sk-limits-bench-limited";
// High enough that no request of the run is refused (a refusal fails the run); max_parallel_requests
// stays low, so a slot that was not given back would show as refusals after 100 requests.
const LIMITS = { rpm_limit: 10_000_000, tpm_limit: 1_000_000_000, max_parallel_requests: 100, max_budget: 1_000_000, budget_duration: "30d" };
const RATE_HEADERS = ["x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens"];

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The config both runtimes serve: one model, priced (so that spend is counted), and the two keys. */
function rawConfig(apiBase?: string) {
  return {
    model_list: [
      {
        model_name: "demo",
        litellm_params: {
          model: MODEL,
          aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
          aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
          aws_region_name: "us-east-1",
          input_cost_per_token: 0.000003,
          output_cost_per_token: 0.000015,
          num_retries: 0,
          ...(apiBase ? { api_base: apiBase } : {}),
        },
      },
    ],
    general_settings: {
      api_keys: [
        { name: "plain", key_sha256: sha256(PLAIN_KEY), models: ["demo"] },
        { name: "limited", key_sha256: sha256(LIMITED_KEY), models: ["demo"], ...LIMITS },
      ],
    },
  };
}

const requestBody = JSON.stringify({ model: "demo", messages: [{ role: "user", content: QUESTION }] });

/** Throws unless the answer is a 200 with (limited) or without (plain) the x-ratelimit-* headers. */
function checkAnswer(response: Response, limited: boolean, where: string): void {
  if (response.status !== 200) throw new Error(`${where}: HTTP ${response.status}, a request was refused or failed`);
  const present = RATE_HEADERS.filter((h) => response.headers.has(h));
  if (limited ? present.length !== RATE_HEADERS.length : present.length !== 0) {
    throw new Error(`${where}: x-ratelimit-* headers ${limited ? "missing" : "present"} (${present.join(", ") || "none"})`);
  }
}

/** The demo answer's usage (input + output tokens). */
const ANSWER_TOKENS = DEMO_EXPECTED_USAGE.inputTokens + DEMO_EXPECTED_USAGE.outputTokens;

/** The tokens counted for the limited key this minute (from the answer's headers), and how many answers' worth. */
function tokensCounted(response: Response): string {
  const tokens = LIMITS.tpm_limit - Number(response.headers.get("x-ratelimit-remaining-tokens"));
  return `${tokens.toLocaleString("en")} tokens (${(tokens / ANSWER_TOKENS).toLocaleString("en")} answers)`;
}

/** utime + stime of a process, in ms (all its threads, the exited ones included). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // fields 14 and 15 of stat; USER_HZ is 100 on Linux
}

/** Children of this process called `name`, by /proc. */
function children(name: string): Set<number> {
  const found = new Set<number>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm === name && ppid === process.pid) found.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Node: the app in this process, an in-memory upstream (bench/fixtures.ts), CPU per request.

/** A store whose `add`s (the settling of an answer) can be awaited, so that each request's window ends after its own. */
function awaitable(store: CounterStore): { store: CounterStore; settled: () => Promise<unknown> } {
  const pending = new Set<Promise<unknown>>();
  return {
    store: {
      admit: (gates) => store.admit(gates),
      read: (keys) => store.read(keys),
      add: (changes) => {
        const adding = store.add(changes);
        pending.add(adding);
        const done = () => pending.delete(adding);
        adding.then(done, done);
        return adding;
      },
    },
    settled: () => (pending.size === 0 ? Promise.resolve() : Promise.allSettled([...pending])),
  };
}

interface NodeCase {
  name: string;
  limited: boolean;
  /** The answer, its body read. */
  request: () => Promise<{ response: Response; body: ArrayBuffer }>;
  samples: number[];
  /** Redis's own CPU over the measured requests (ms), and their number. */
  redisCpu?: { ms: number; requests: number };
}

function nodeCase(name: string, limited: boolean, counted: CounterStore | undefined, body: Uint8Array[]): NodeCase {
  const store = counted ? awaitable(counted) : undefined;
  const app = createApp({
    config: parseConfig(rawConfig(), { lookup: () => undefined }),
    client: ourClient(body),
    store: store?.store ?? new MemoryStore(),
    requestLog: () => {}, // the line is built, then dropped
    log: (line) => console.error(line),
  });
  const headers = { authorization: `Bearer ${limited ? LIMITED_KEY : PLAIN_KEY}`, "content-type": "application/json" };
  return {
    name,
    limited,
    samples: [],
    request: async () => {
      const response = await app.fetch(new Request("http://bench/v1/chat/completions", { method: "POST", headers, body: requestBody }));
      const body = await response.arrayBuffer();
      await store?.settled();
      return { response, body };
    },
  };
}

/** One request of the case, its CPU kept (or not, in warm-up). */
async function measureNode(c: NodeCase, keep: boolean): Promise<void> {
  const before = process.cpuUsage();
  const { response } = await c.request();
  const used = process.cpuUsage(before);
  if (keep) c.samples.push((used.user + used.system) / 1000);
  checkAnswer(response, c.limited, c.name);
}

/** `runs` rounds of one request of each case, each round starting one case further on. */
async function interleaved(cases: NodeCase[], runs: number, keep: boolean): Promise<void> {
  for (let round = 0; round < runs; round++) {
    for (let i = 0; i < cases.length; i++) await measureNode(cases[(round + i) % cases.length]!, keep);
  }
}

async function nodeCases(): Promise<{ cases: NodeCase[]; redisNote: string; settledTokens: string[] }> {
  const body = reads(demoFrames());
  const redisSkip = redisSkipReason();
  const redis = redisSkip ? undefined : await startRedisServer();
  const redisPid = redis ? [...children("redis-server")][0] : undefined;
  const redisStore = redis ? new RedisStore(redis.url, { keyPrefix: `limits-bench-${process.pid}:` }) : undefined;
  const cases = [
    nodeCase("Node, a key without limits (baseline)", false, undefined, body),
    nodeCase("Node, the limited key, `MemoryStore`", true, new MemoryStore(), body),
  ];
  if (redisStore) cases.push(nodeCase("Node, the limited key, `RedisStore` (local redis-server)", true, redisStore, body));
  const settledTokens: string[] = [];
  try {
    // The answer first: the demo agent's text, usage and cost.
    const first = JSON.parse(Buffer.from((await cases[0]!.request()).body).toString()) as { choices: { message: { content: string } }[]; usage: { total_tokens: number } };
    if (!first.choices[0]?.message.content || !first.usage.total_tokens) throw new Error("limits: unexpected answer");
    // The cases take turns request by request, so warm-up, the garbage collector's rhythm and
    // any drift of the machine hit every case alike.
    await interleaved(cases, WARMUP, false);
    const redisBefore = redisPid === undefined ? undefined : cpuMs(redisPid);
    await interleaved(cases, RUNS, true);
    const redisCase = cases.find((c) => c.name.includes("Redis"));
    if (redisCase && redisBefore !== undefined) redisCase.redisCpu = { ms: cpuMs(redisPid!) - redisBefore, requests: RUNS };
    // What was counted: the tokens of the answers settled this minute (the settling is exercised too).
    for (const c of cases.filter((c) => c.limited)) settledTokens.push(`${c.name.replace(/^Node, the limited key, /, "")}: ${tokensCounted((await c.request()).response)}`);
  } finally {
    await redisStore?.close();
    await redis?.stop();
  }
  const redisNote = redisSkip
    ? `Redis: not measured, ${redisSkip}.`
    : redisPid === undefined
      ? "Redis's own CPU: not read (its process was not found in /proc)."
      : "";
  return { cases, redisNote, settledTokens };
}

// ---------------------------------------------------------------------------------------------
// The Worker in workerd (Miniflare) with the LIMITS Durable Object: workerd's CPU over blocks.

/** The same upstream answer over loopback HTTP: the demo agent's frames, at once, for every request. */
async function upstream(body: Uint8Array[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.once("end", () => {
      res.writeHead(200, {
        "content-type": "application/vnd.amazon.eventstream",
        "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
        "x-amz-bedrock-agent-session-id": "bench-session-0001",
        "x-amzn-bedrock-agent-content-type": "application/json",
      });
      for (const read of body) res.write(read);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, server };
}

/** Our Worker in workerd, with the LIMITS Durable Object bound as wrangler.toml binds it (its SQLite storage in Miniflare's temporary files). */
async function startWorker(config: object): Promise<MiniflareWorker & { pid: number }> {
  const worker = await startMiniflare("worker/index.ts", { CONFIG: JSON.stringify(config) }, { durableObjects: { LIMITS: { className: "LimitsObject", useSQLite: true } } });
  if (worker.pid === undefined) {
    await worker.close();
    throw new Error("the workerd process under this one was not found");
  }
  return { ...worker, pid: worker.pid };
}

interface WorkerCase {
  name: string;
  limited: boolean;
  /** CPU ms per request of each block. */
  blocks: number[];
  requests: number;
  cpuMs: number;
}

async function workerRequest(url: string, limited: boolean, where: string): Promise<Response> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${limited ? LIMITED_KEY : PLAIN_KEY}`, "content-type": "application/json" },
    body: requestBody,
  });
  const answer = (await response.clone().json()) as { choices?: { message: { content: string } }[] };
  checkAnswer(response, limited, where);
  if (!answer.choices?.[0]?.message.content) throw new Error(`${where}: an answer without text`);
  return response;
}

async function workerCases(): Promise<{ cases: WorkerCase[]; settledTokens: string }> {
  const { url: apiBase, server } = await upstream(reads(demoFrames()));
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  try {
    worker = await startWorker(rawConfig(apiBase));
    const { url, pid } = worker;
    const cases: WorkerCase[] = [
      { name: "Worker (workerd), a key without limits (baseline)", limited: false, blocks: [], requests: 0, cpuMs: 0 },
      { name: "Worker (workerd), the limited key, Durable Object", limited: true, blocks: [], requests: 0, cpuMs: 0 },
    ];
    for (const c of cases) for (let i = 0; i < WORKER_WARMUP; i++) await workerRequest(url, c.limited, c.name);
    // Blocks alternate between the cases, each timed by workerd's CPU before and after it.
    for (let block = 0; block < WORKER_RUNS / WORKER_BLOCK; block++) {
      for (const c of block % 2 === 0 ? cases : [...cases].reverse()) {
        const before = cpuMs(pid);
        for (let i = 0; i < WORKER_BLOCK; i++) await workerRequest(url, c.limited, c.name);
        // What an answer leaves to do after it (settling the counters) lands in its own block.
        await new Promise((r) => setTimeout(r, 20));
        const used = cpuMs(pid) - before;
        c.blocks.push(used / WORKER_BLOCK);
        c.cpuMs += used;
        c.requests += WORKER_BLOCK;
      }
    }
    const settledTokens = `Durable Object: ${tokensCounted(await workerRequest(url, true, "settled"))}`;
    return { cases, settledTokens };
  } finally {
    await worker?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

// One-off runs (2026-12-04) of this benchmark's Worker part, 2,000 requests a case, with the Worker's
// LimitsObject replaced through another entry module (a subclass overriding admit and add).
const DURABLE_BREAKDOWN = `Where the Durable Object's added CPU goes (one-off runs on 2026-12-04, 2,000 requests a case,
with \`LimitsObject\` replaced through another entry module): its two calls alone (admit before AWS,
settle after, each through a new stub; the object answering fixed values, counting nothing) added
0.32 to 0.36 ms a request; counting in memory without storing, 0.36 to 0.44 ms; the object when it
wrote every counter it changed with \`ctx.storage.kv.put\` (4 at admission, 3 at settling), 0.96 to
1.07 ms. Since then it stores only what must outlive it (the spend and the parallel slot: 1 write
at admission, 2 at settling; a minute's rpm and tpm window stays in its memory), the row above.
What is left is mostly the two calls: a stub kept from one request for the next failed here (the
calls of the requests after it were refused), and the settling cannot wait for the next request
without leaving a parallel slot taken for other isolates. Deployed, the object's own CPU is not
the Worker request's: the Worker pays for the two calls' client side only.`;

// ---------------------------------------------------------------------------------------------

export async function limitsBenchmark(): Promise<boolean> {
  console.log(`limits: Node, ${RUNS} requests per case ...`);
  const node = await nodeCases();
  console.log(`limits: Worker in workerd, ${WORKER_RUNS} requests per case ...`);
  let worker: Awaited<ReturnType<typeof workerCases>> | undefined;
  let workerError: string | undefined;
  try {
    worker = await workerCases();
  } catch (error) {
    workerError = String((error as Error).stack ?? error);
    console.error(`limits: the Worker could not be measured: ${workerError}`);
  }

  const f = (v: number) => `${v.toFixed(3)} ms`;
  const pct = (v: number) => `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%`;
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const rows: string[] = [];
  const verdicts: boolean[] = [];
  const verdict = (added: number, held: boolean) => {
    if (!held) return "no bound";
    verdicts.push(added <= MAX_ADDED);
    return added <= MAX_ADDED ? "≤ 10%: **met**" : "≤ 10%: **missed**";
  };

  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const nodeStats = node.cases.map((c) => ({ p50: percentile(sorted(c.samples), 50), p90: percentile(sorted(c.samples), 90), mean: mean(c.samples) }));
  const nodeBase = nodeStats[0]!.p50;
  node.cases.forEach((c, i) => {
    const { p50, p90, mean } = nodeStats[i]!;
    const added = i === 0 ? "–" : `${f(p50 - nodeBase)}, ${pct((p50 - nodeBase) / nodeBase)}`;
    const target = i === 0 ? "–" : verdict((p50 - nodeBase) / nodeBase, !c.name.includes("Redis"));
    rows.push(`| ${c.name} | ${c.samples.length.toLocaleString("en")} | ${f(p50)} | ${f(p90)} | ${f(mean)} | ${added} | ${target} |`);
  });
  const redis = node.cases.find((c) => c.redisCpu);
  const redisLine = redis?.redisCpu
    ? `Redis's own CPU (redis-server, another process: its utime + stime from /proc over the measured requests, in 10 ms ticks, divided by the Redis case's): ${f(redis.redisCpu.ms / redis.redisCpu.requests)} per request, besides ours above.`
    : node.redisNote;

  let workerText: string;
  if (worker) {
    const stats = worker.cases.map((c) => ({ p50: percentile(sorted(c.blocks), 50), p90: percentile(sorted(c.blocks), 90), mean: c.cpuMs / c.requests }));
    const base = stats[0]!.p50;
    worker.cases.forEach((c, i) => {
      const { p50, p90, mean } = stats[i]!;
      const added = i === 0 ? "–" : `${f(p50 - base)}, ${pct((p50 - base) / base)}`;
      rows.push(`| ${c.name} | ${c.requests.toLocaleString("en")} (${c.blocks.length} blocks) | ${f(p50)} | ${f(p90)} | ${f(mean)} | ${added} | ${i === 0 ? "–" : verdict((p50 - base) / base, true)} |`);
    });
    workerText = `\n\n${DURABLE_BREAKDOWN}`;
  } else {
    verdicts.push(false);
    workerText = `**The Worker with the Durable Object was not measured**: ${workerError!.split("\n")[0]}.`;
  }

  const met = verdicts.every(Boolean);
  const settled = [...node.settledTokens, ...(worker ? [worker.settledTokens] : [])].join("; ");
  await writeSection(
    "Limit checks",
    `The CPU a key's limits add to a request: the same non-streaming chat completion (the demo
agent's answer, as in "CPU per request") through the endpoint's app, for an API key without limits
(the baseline) and for one with \`rpm_limit\`, \`tpm_limit\`, \`max_parallel_requests\` and \`max_budget\`
(with \`budget_duration\`, and a priced model so that spend is counted): each request admitted before
AWS is called, and settled after (tokens, spend, its parallel slot). The limits are high enough that
nothing is refused; every answer is checked for a 200 and for its \`x-ratelimit-*\` headers (present
for the limited key, absent for the other), and the settling did count: the limited key's tokens
this minute, from \`x-ratelimit-remaining-tokens\` after the run, were ${settled}.

- **Node**: the app in the bench process with the answer from memory (\`bench/fixtures.ts\`);
  \`process.cpuUsage()\` (user + system) around each request, until its answer is read and its
  counters settled. ${RUNS.toLocaleString("en")} requests per case after ${WARMUP.toLocaleString("en")} warm-up ones, the cases taking turns
  request by request. Redis is a local \`redis-server\` over loopback: this process's CPU only (the
  client, ioredis), Redis's own below. The request log's line is built and dropped.
- **Worker**: the bundle as wrangler builds it, in workerd under Miniflare, with the \`LIMITS\`
  Durable Object bound as in wrangler.toml (its SQLite storage in files of a temporary directory,
  Miniflare's default); the same answer from an HTTP upstream in the bench process, which sends the
  requests one at a time. CPU is workerd's process (\`utime + stime\` of \`/proc/<pid>/stat\`, every
  thread: Miniflare's entry Worker, ours, and the Durable Object, which runs in the same process)
  over blocks of ${WORKER_BLOCK} requests (about 50 of its 10 ms ticks each), the cases' blocks taking turns,
  after ${WORKER_WARMUP} warm-up requests each; median and p90 are of the blocks' means, not of single
  requests. Deployed, the Durable Object is called over the network and its CPU is its own, not the
  Worker request's.

Machine: ${machine()}.

| case | requests | CPU per request, median | p90 | mean | added (median) | target |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join("\n")}

${redisLine}${workerText}

**Target** (at most 10% added CPU per request in memory and in the Durable Object; Redis reported,
no bound): ${met ? "**met**" : "**missed**"}.

Command: \`npm run bench:limits\` (\`LIMITS_RUNS\`, \`LIMITS_WORKER_RUNS\`).`,
  );
  for (const row of rows) console.log(row);
  console.log(redisLine);
  console.log(workerText);
  if (workerError) throw new Error("limits: the Worker could not be measured");
  return met;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = (await limitsBenchmark()) ? 0 : TARGET_MISSED_EXIT;
}
