// `npm run bench`: every benchmark, one after another, each writing its own section of
// BENCHMARKS.md; the load benchmark last. Exits non-zero when a target is missed or a run fails,
// after all of them have run.
import { bundleBenchmark } from "./bundle.ts";
import { cpuBenchmark } from "./cpu.ts";
import { decodeBenchmark } from "./decode.ts";
import { loadBenchmark } from "./load.ts";
import { memoryBenchmark } from "./memory.ts";
import { overheadBenchmark } from "./overhead.ts";
import { buildNodeServer } from "./targets.ts";

const benchmarks: Array<[string, () => Promise<boolean>]> = [
  ["bundle", bundleBenchmark],
  ["decode", decodeBenchmark],
  ["cpu", cpuBenchmark],
  ["overhead", overheadBenchmark],
  ["memory", memoryBenchmark],
  ["load", loadBenchmark],
];

buildNodeServer(); // the Node command line, from the sources as they are now
const outcomes: string[] = [];
for (const [name, benchmark] of benchmarks) {
  const started = performance.now();
  let outcome: string;
  try {
    outcome = (await benchmark()) ? "target met" : "TARGET MISSED";
  } catch (error) {
    outcome = `FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  outcomes.push(`${name}: ${outcome} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`== ${outcomes.at(-1)}`);
}
console.log(`\n${outcomes.join("\n")}\nBENCHMARKS.md updated.`);
process.exitCode = outcomes.every((o) => o.includes("target met")) ? 0 : 1;
