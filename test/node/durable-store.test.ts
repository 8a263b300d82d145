// The Worker's counter store in real workerd (Miniflare): LimitsObject, a SQLite-backed Durable
// Object per owner, behind DurableStore, called through a test Worker's fetch. The contract every
// CounterStore keeps, exact admits under 50 concurrent requests, budgets that outlive a restart,
// one object per owner; and the Worker refusing to start with limits but no LIMITS binding.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Admission, type CounterStore, type Gate, ownerOf } from "../../src/proxy/limits/counter-store.ts";
import { DurableStore } from "../../worker/durable-store.ts";

const root = join(import.meta.dirname, "..", "..");
const toml = readFileSync(join(root, "wrangler.toml"), "utf8");
const compatibilityDate = /^compatibility_date = "(.+)"$/m.exec(toml)![1]!;
const compatibilityFlags = JSON.parse(/^compatibility_flags = (\[.*\])$/m.exec(toml)![1]!) as string[];
const MINUTE = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const gate = (key: string, limit: number, add = 1, ttlMs = MINUTE): Gate => ({ key, limit, add, ttlMs });

/** A Worker entry bundled as wrangler bundles it; the runtime's own module stays an import. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2024",
    external: ["cloudflare:*"],
    logLevel: "error",
  });
  return result.outputFiles[0]!.text;
}

function start(script: string, persist: string | false, bindings: Record<string, string> = {}, limits = true): Miniflare {
  return new Miniflare({
    modules: true,
    script,
    compatibilityDate,
    compatibilityFlags,
    bindings,
    ...(limits && { durableObjects: { LIMITS: { className: "LimitsObject", useSQLite: true } }, durableObjectsPersist: persist }),
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.resume();
    },
  });
}

describe("DurableStore over LimitsObject (workerd)", () => {
  const persist = mkdtempSync(join(tmpdir(), "limits-object-"));
  let script: string;
  let mf: Miniflare;
  let run = 0; // each test's keys are its own

  const post = async (path: string, body: unknown): Promise<unknown> => {
    const response = await mf.dispatchFetch(`http://limits${path}`, { method: "POST", body: JSON.stringify(body) });
    const answer = (await response.json()) as { error?: string };
    if (!response.ok) throw new Error(answer.error);
    return answer;
  };
  // The store as the app would see it, each call one request through the test Worker.
  const store: CounterStore = {
    admit: (gates) => post("/admit", gates) as Promise<Admission>,
    add: (changes) => post("/add", changes) as Promise<number[]>,
    read: (keys) => post("/read", keys) as Promise<number[]>,
  };
  const fresh = () => {
    const id = ++run;
    return (name: string, owner = "a") => `key:${owner}-${id}|${name}`;
  };

  beforeAll(async () => {
    script = await bundle("test/node/support/limits-worker.ts");
    mf = start(script, persist);
    await mf.ready;
  }, 30_000);
  afterAll(async () => {
    await mf?.dispose();
    rmSync(persist, { recursive: true, force: true });
  });

  it("admits while the value fits, refuses exactly at the limit, and adds nothing when a gate refuses", async () => {
    const keys = fresh();
    for (let i = 0; i < 3; i++) expect(await store.admit([gate(keys("rpm"), 3)])).toEqual({ refused: -1, values: [i] });
    expect(await store.admit([gate(keys("rpm"), 3)])).toEqual({ refused: 0, values: [3] });
    // value + add must not pass the limit either
    await store.add([{ key: keys("spend"), add: 2, ttlMs: MINUTE }]);
    expect(await store.admit([gate(keys("spend"), 3, 2)])).toEqual({ refused: 0, values: [2] });
    expect(await store.admit([gate(keys("other"), 10), gate(keys("spend"), 3, 2), gate(keys("rpm"), 3)])).toEqual({ refused: 1, values: [0, 2, 3] });
    expect(await store.read([keys("other"), keys("spend"), keys("rpm")])).toEqual([0, 2, 3]);
    // add 0 only checks
    expect(await store.admit([gate(keys("spend"), 3, 0), gate(keys("other"), 10)])).toEqual({ refused: -1, values: [2, 0] });
    expect(await store.read([keys("spend"), keys("other")])).toEqual([2, 1]);
  });

  it("adds fractions, answers new values in order, reads 0 for what does not exist", async () => {
    const keys = fresh();
    expect(await store.add([{ key: keys("dollars"), add: 0.1, ttlMs: MINUTE }])).toEqual([0.1]);
    const values = await store.add([
      { key: keys("dollars"), add: 0.2, ttlMs: MINUTE },
      { key: keys("tokens"), add: 1.5, ttlMs: MINUTE },
    ]);
    expect(values[0]).toBeCloseTo(0.3, 12);
    expect(values[1]).toBe(1.5);
    const admission = await store.admit([gate(keys("dollars"), 0.55, 0.25)]);
    expect(admission.refused).toBe(-1);
    expect((await store.admit([gate(keys("dollars"), 0.55, 0.01)])).refused).toBe(0);
    expect((await store.read([keys("dollars")]))[0]).toBeCloseTo(0.55, 12);
    expect(await store.read([keys("never"), keys("nor-this", "b")])).toEqual([0, 0]);
    expect(await store.read([])).toEqual([]);
    expect(await store.add([])).toEqual([]);
    expect(await store.admit([])).toEqual({ refused: -1, values: [] });
  });

  it("forgets a counter once its ttl has passed since the last write", async () => {
    const keys = fresh();
    await store.add([{ key: keys("added"), add: 4, ttlMs: 300 }]);
    await store.admit([gate(keys("admitted"), 10, 1, 300)]);
    expect(await store.read([keys("added"), keys("admitted")])).toEqual([4, 1]);
    await sleep(500);
    expect(await store.read([keys("added"), keys("admitted")])).toEqual([0, 0]);
    expect(await store.admit([gate(keys("admitted"), 1)])).toEqual({ refused: -1, values: [0] });
  });

  it("admits exactly 7 of 50 concurrent requests against a limit of 7", async () => {
    const key = fresh()("rpm");
    const admissions = await Promise.all(Array.from({ length: 50 }, () => store.admit([gate(key, 7)])));
    const admitted = admissions.filter((admission) => admission.refused === -1);
    expect(admitted).toHaveLength(7);
    // Each saw a different value before it: no two counted from the same one.
    expect(admitted.map((admission) => admission.values[0]).sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await store.read([key])).toEqual([7]);
  });

  it("keeps each owner's counters in its own object, one call per owner, answers in order", async () => {
    const keys = fresh();
    const [a, b] = [keys("n", "a"), keys("n", "b")];
    expect(await store.add([a, b, a].map((key, i) => ({ key, add: i + 1, ttlMs: MINUTE })))).toEqual([1, 2, 4]);
    expect(await store.read([b, a, keys("m", "c")])).toEqual([2, 4, 0]);
    // Asked directly, each owner's object knows only its own counters.
    expect(await post(`/object/${ownerOf(a)}`, [a, b])).toEqual([4, 0]);
    expect(await post(`/object/${ownerOf(b)}`, [a, b])).toEqual([0, 2]);
    await expect(store.admit([gate(a, 10), gate(b, 10)])).rejects.toThrow(/more than one owner/);
    expect(await store.read([a, b])).toEqual([4, 2]);
  });

  it("keeps budgets and slots across a restart with the same storage; a minute's window starts again", async () => {
    const keys = fresh();
    await store.add([{ key: keys("budget"), add: 12.5, ttlMs: 30 * MINUTE }]);
    await store.admit([gate(keys("rpm"), 5), gate(keys("parallel"), 5, 1, 15 * MINUTE)]);
    await store.add([{ key: keys("budget", "b"), add: 3, ttlMs: 30 * MINUTE }]);
    await mf.dispose();
    await sleep(200);
    mf = start(script, persist);
    expect(await store.read([keys("budget"), keys("rpm"), keys("parallel"), keys("budget", "b")])).toEqual([12.5, 0, 1, 3]);
    expect(await store.admit([gate(keys("budget"), 13, 0.5)])).toEqual({ refused: -1, values: [12.5] });
    expect((await store.admit([gate(keys("budget"), 13, 0.5)])).refused).toBe(0);
  }, 30_000);

  it("stores only counters that outlive a minute's window, and what it stored lives on after a restart", async () => {
    const keys = fresh();
    const owner = ownerOf(keys("x"));
    const changes = (name: string, count: number, ttlMs: number) => Array.from({ length: count }, (_, i) => ({ key: keys(`${name}${i}`), add: 1, ttlMs }));
    await store.add(changes("window", 600, MINUTE));
    await store.add(changes("long", 100, 10 * MINUTE));
    expect(await post(`/stored/${owner}`, null)).toBe(100);
    await store.add(changes("more", 300, 10 * MINUTE)); // past the 1,000th write: the sweep keeps what is live
    expect(await post(`/stored/${owner}`, null)).toBe(400);
    await mf.dispose();
    await sleep(200);
    mf = start(script, persist);
    expect(await post(`/stored/${owner}`, null)).toBe(400);
    expect(await store.read([keys("long0"), keys("more299"), keys("window0")])).toEqual([1, 1, 0]);
  }, 30_000);
});

describe("DurableStore's routing (a namespace stand-in)", () => {
  it("calls each owner once, all at once, and rejects with the binding's error", async () => {
    const calls: string[] = [];
    let pending = 0;
    let most = 0;
    const namespace = {
      getByName: (owner: string): CounterStore => ({
        admit: async () => ({ refused: -1, values: [] }),
        add: async () => [],
        read: async (keys) => {
          calls.push(`${owner}:${keys.join(",")}`);
          most = Math.max(most, ++pending);
          await sleep(10);
          pending--;
          if (owner === "down") throw new Error("Durable Object reset because its code was updated");
          return keys.map((key) => key.length);
        },
      }),
    };
    const store = new DurableStore(namespace);
    expect(await store.read(["a|xx", "b|y", "a|z", "c"])).toEqual([4, 3, 3, 1]);
    expect(calls).toEqual(["a:a|xx,a|z", "b:b|y", "c:c"]);
    expect(most).toBe(3);
    await expect(store.read(["a|1", "down|2"])).rejects.toThrow(/reset because/);
  });
});

describe("the Worker with limits in its config", () => {
  const config = {
    model_list: [{ model_name: "agent", litellm_params: { model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", rpm: 10 } }],
    general_settings: { master_key: "sk-limits-worker-0123456789" },
  };
  let script: string;
  const instances: Miniflare[] = [];
  beforeAll(async () => {
    script = await bundle("worker/index.ts");
  }, 30_000);
  afterAll(() => Promise.all(instances.map((mf) => mf.dispose())));

  it("refuses to serve without the LIMITS binding, saying what to add to wrangler.toml", async () => {
    const mf = start(script, false, { CONFIG: JSON.stringify(config) }, false);
    instances.push(mf);
    const response = await mf.dispatchFetch("http://worker/v1/models");
    expect(response.status).toBe(500);
    const { error } = (await response.json()) as { error: { message: string; code: string } };
    expect(error.code).toBe("invalid_config");
    expect(error.message).toContain('[[durable_objects.bindings]] name = "LIMITS" class_name = "LimitsObject"');
    expect(error.message).toContain('[[migrations]] tag = "v1" new_sqlite_classes = ["LimitsObject"]');
    expect((await mf.dispatchFetch("http://worker/health/readiness")).status).toBe(503);
  });

  it("serves with it", async () => {
    const mf = start(script, false, { CONFIG: JSON.stringify(config) });
    instances.push(mf);
    const response = await mf.dispatchFetch("http://worker/health/readiness");
    expect(response.status).toBe(200);
  });
});
