// CPU per request: process CPU time (process.cpuUsage: user + system, every thread of the
// process) of one typical non-streaming completion through BedrockAgentClient.completion: build
// the request, sign it, fetch from an in-memory upstream, decode the demo agent's 23 frames
// (15 pieces of text, 8 traces) and translate them into a ChatCompletion with usage and cost.
// The same request through the AWS SDK client, from the same bytes, for context.
import { demoFrames, ourClient, ourRequest, reads, sdkClient, sdkInvoke } from "./fixtures.ts";
import { TARGET_MISSED_EXIT, machine, percentile, writeSection } from "./report.ts";

const RUNS = Number(process.env.CPU_RUNS ?? 3000);
const WARMUP = Math.ceil(RUNS / 3);
const LIMIT_MS = 10; // the Workers free plan's CPU time per request

const frames = demoFrames();
const body = reads(frames);
const inputBytes = body.reduce((n, b) => n + b.byteLength, 0);
const ours = ourClient(body);
const sdk = sdkClient(body);

/** CPU ms of each of `runs` sequential calls. */
async function measure(call: () => Promise<unknown>, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    await call();
    const used = process.cpuUsage(before);
    out.push((used.user + used.system) / 1000);
  }
  return out.sort((a, b) => a - b);
}

// From \`--cpu-prof\` of 6,000 to 15,000 calls of the case above (one-off, 2026-12-01), self time by function.
const PROFILE = `What the profile showed, and what moved it (\`node --cpu-prof\` of the same calls, self time):

- **Before** (0.82 ms against the SDK's 0.81 ms): flat, the top entries WebCrypto's machinery
  (key imports, CryptoKey objects, its promise jobs: about 11% of all samples, and under Node each
  digest and signature a job on the thread pool besides), the trace payload's \`JSON.parse\` 3.7%,
  aws4fetch's signer 2.3%, undici's \`Request\` and \`AbortSignal\` about 3%.
- **Changes**: signing with node:crypto where the runtime has it (the same canonical request from
  aws4fetch, hashed and signed synchronously, the signing key derived once a day); the signed
  headers handed to fetch instead of an aws4fetch \`Request\` that fetch copies again; no
  timer per read; header names and values decoded once (since 2026-12-02, each distinct header
  block parsed once, \`aws/header-blocks.ts\`); plain chunk payloads read without \`JSON.parse\`.
- **After**: the codec's header parsing and CRC, the trace payloads' \`JSON.parse\` and the
  garbage collector lead; nothing else above 2%.`;

export async function cpuBenchmark(): Promise<boolean> {
  const check = await ours.completion(ourRequest);
  if (!check.choices[0]!.message.content || check.usage.total_tokens === 0) throw new Error("cpu: unexpected answer");
  const cases = [
    { name: "**ours**: `BedrockAgentClient.completion` → ChatCompletion", call: () => ours.completion(ourRequest) },
    { name: "AWS SDK: `InvokeAgentCommand`, iterating `completion` (events only)", call: () => sdkInvoke(sdk) },
  ];
  // Alternating halves, so warm-up and any drift of the machine hit both alike.
  const results = cases.map(() => [] as number[]);
  for (const half of [0, 1]) {
    for (const [i, c] of cases.entries()) {
      if (half === 0) await measure(c.call, WARMUP);
      results[i]!.push(...(await measure(c.call, RUNS / 2)));
    }
  }
  const stats = results.map((r) => {
    const sorted = r.sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
  });
  const ourMedian = stats[0]!.p50;
  const ratio = ourMedian / stats[1]!.p50;
  const met = ratio <= 0.5;
  const f = (v: number) => `${v.toFixed(3)} ms`;
  await writeSection(
    "CPU per request",
    `Process CPU time (\`process.cpuUsage()\`, user + system) of one non-streaming request, from
building and signing it to the finished answer, with the upstream in memory: the demo agent's
answer as the emulator sends it (${frames.length} frames, 15 pieces of text and 8 traces, ${inputBytes.toLocaleString("en")} bytes).
${RUNS.toLocaleString("en")} sequential runs per side after ${WARMUP.toLocaleString("en")} warm-up runs, in alternating halves. The
figures include the garbage collector's share. Machine: ${machine()}.

| path | median | p99 | mean |
| --- | --- | --- | --- |
${cases.map((c, i) => `| ${c.name} | ${f(stats[i]!.p50)} | ${f(stats[i]!.p99)} | ${f(stats[i]!.mean)} |`).join("\n")}

**Target** (a median at most half the SDK's): ${met ? "**met**" : "**missed**"}, ${f(ourMedian)} against ${f(stats[1]!.p50)}, ${ratio.toFixed(2)}×;
${((ourMedian / LIMIT_MS) * 100).toFixed(1)}% of the Workers free plan's ${LIMIT_MS} ms. Ours does more than the SDK row: it also builds
the request from OpenAI messages and the OpenAI answer with usage and cost.

${PROFILE}

Command: \`npm run bench:cpu\` (\`CPU_RUNS\`).`,
  );
  cases.forEach((c, i) => console.log(`cpu: median ${f(stats[i]!.p50)}, p99 ${f(stats[i]!.p99)}  ${c.name}`));
  return met;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = (await cpuBenchmark()) ? 0 : TARGET_MISSED_EXIT;
}
