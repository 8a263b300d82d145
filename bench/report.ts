// BENCHMARKS.md is made of sections, one per benchmark; each run replaces its own section, so
// benchmarks can run alone or all together.
import { readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";

const FILE = new URL("../BENCHMARKS.md", import.meta.url);
const HEADER = `# Benchmarks

Measured by \`npm run bench\` (each section also by its own script); not part of the test
command. Figures come from the machine named in each section, measured side by side in one
run, so a noisy machine cannot favour one side.
`;

/** A benchmark's exit code when it ran but missed its target (a crash exits 1), for bench/run.ts. */
export const TARGET_MISSED_EXIT = 3;

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

export async function writeSection(title: string, body: string): Promise<void> {
  let text = await readFile(FILE, "utf8").catch(() => HEADER);
  const start = text.indexOf(`\n## ${title}\n`);
  const section = `\n## ${title}\n\n${body.trim()}\n`;
  if (start === -1) {
    text = `${text.trimEnd()}\n${section}`;
  } else {
    const next = text.indexOf("\n## ", start + 1);
    text = text.slice(0, start) + section + (next === -1 ? "" : text.slice(next));
  }
  await writeFile(FILE, text);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
