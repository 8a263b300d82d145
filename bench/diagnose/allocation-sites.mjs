// The allocation sites of a .heapprofile by bytes: `node bench/diagnose/allocation-sites.mjs <file> [rows]`.
import { readFileSync } from "node:fs";
const p = JSON.parse(readFileSync(process.argv[2], "utf8"));
const self = new Map(); let total = 0;
const walk = (n, stack) => {
  const f = n.callFrame; const name = `${f.functionName || "(anon)"} ${f.url.replace(/.*node_modules\//, "nm/").replace(/.*\/main\//, "")}:${f.lineNumber + 1}`;
  const s = n.selfSize; total += s; self.set(name, (self.get(name) ?? 0) + s);
  for (const c of n.children) walk(c, stack);
};
walk(p.head, []);
console.log("total MB", (total / 1e6).toFixed(1));
for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 40))) console.log(((100 * v) / total).toFixed(1).padStart(5) + "%", (v / 1e6).toFixed(2).padStart(7), "MB ", k);
