// A heap snapshot's self sizes by object type and constructor:
// `node --max-old-space-size=8000 bench/diagnose/heap-by-type.mjs <file.heapsnapshot> [rows]`.
import { readFileSync } from "node:fs";
const snap = JSON.parse(readFileSync(process.argv[2], "utf8"));
const m = snap.snapshot.meta; const F = m.node_fields.length;
const types = m.node_types[0]; const nodes = snap.nodes; const strings = snap.strings;
const iType = m.node_fields.indexOf("type"), iName = m.node_fields.indexOf("name"), iSize = m.node_fields.indexOf("self_size");
const agg = new Map(); let total = 0;
for (let i = 0; i < nodes.length; i += F) {
  const t = types[nodes[i + iType]]; let name = strings[nodes[i + iName]];
  if (t === "string" || t === "concatenated string" || t === "sliced string") name = "(" + t + ")";
  else if (t === "code") name = "(code)"; else if (t === "array") name = "(array " + name.slice(0,20) + ")"; else if (t === "closure") name = "closure " + name;
  else if (t === "hidden") name = "(hidden " + name.slice(0,30) + ")"; else if (t !== "object") name = `(${t}) ${name.slice(0,30)}`;
  const s = nodes[i + iSize]; total += s;
  const a = agg.get(name) ?? [0, 0]; a[0]++; a[1] += s; agg.set(name, a);
}
console.log("total MB", (total / 1e6).toFixed(1));
for (const [k, [c, s]] of [...agg].sort((a, b) => b[1][1] - a[1][1]).slice(0, Number(process.argv[3] ?? 50))) console.log((s / 1e6).toFixed(2).padStart(7), "MB", String(c).padStart(8), " ", k);
