// Preloaded into a server (BENCH_NODE_ARGS="--import ./bench/diagnose/promoted-sampler.mjs"): the
// first SIGUSR1 starts V8's sampling heap profiler, keeping the samples of objects that survived
// young collections and died in a major one (promoted garbage); the second writes the profile to
// promoted-<pid>.heapprofile in the working directory (read it with allocation-sites.mjs).
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
const s = new Session(); s.connect();
const post = (m, p) => new Promise((res, rej) => s.post(m, p, (e, r) => (e ? rej(e) : res(r))));
await post("HeapProfiler.enable");
let started = false;
process.on("SIGUSR1", async () => {
  if (!started) { started = true; await post("HeapProfiler.startSampling", { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false }); return; }
  const { profile } = await post("HeapProfiler.stopSampling");
  writeFileSync(`promoted-${process.pid}.heapprofile`, JSON.stringify(profile));
});
