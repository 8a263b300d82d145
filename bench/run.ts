// `npm run bench`: every benchmark, one after another, each in a fresh process (so none runs in
// the heap and JIT state another left) writing its own section of BENCHMARKS.md; the load
// benchmark last. Exits non-zero when a target is missed or a run fails, after all of them have run.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { TARGET_MISSED_EXIT } from "./report.ts";

const benchmarks = ["bundle", "decode", "cpu", "limits", "overhead", "memory", "load"];

/** One benchmark's script in its own Node process; its exit code. */
function run(name: string): Promise<number | null> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, `${name}.ts`)], { stdio: "inherit" });
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

const outcomes: string[] = [];
for (const name of benchmarks) {
  const started = performance.now();
  const code = await run(name);
  const outcome = code === 0 ? "target met" : code === TARGET_MISSED_EXIT ? "TARGET MISSED" : `FAILED (exit ${code})`;
  outcomes.push(`${name}: ${outcome} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`== ${outcomes.at(-1)}`);
}
console.log(`\n${outcomes.join("\n")}\nBENCHMARKS.md updated.`);
process.exitCode = outcomes.every((o) => o.includes("target met")) ? 0 : 1;
