// One contract for every CounterStore: what MemoryStore does in one process, RedisStore must do
// across servers. Then what only Redis can get wrong: races between connections, outages.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "../../bin/redis-store.ts";
import { type CounterStore, type Gate, MemoryStore } from "../../src/proxy/limits/counter-store.ts";
import { type RedisServer, redisSkipReason, startRedisServer } from "./support/redis-server.ts";

const MINUTE = 60_000;

/** Keys no other test (or earlier run against the same Redis) has used. */
function freshKeys(): (name: string) => string {
  const id = randomUUID();
  return (name) => `key:${id}|${name}`;
}

function gate(key: string, limit: number, add = 1, ttlMs = MINUTE): Gate {
  return { key, limit, add, ttlMs };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counterStoreContract(makeStore: () => CounterStore): void {
  it("admits while the value fits and refuses exactly at the limit", async () => {
    const store = makeStore();
    const key = freshKeys()("requests");
    for (let i = 0; i < 3; i++) expect(await store.admit([gate(key, 3)])).toEqual({ refused: -1, values: [i] });
    expect(await store.admit([gate(key, 3)])).toEqual({ refused: 0, values: [3] });
    expect(await store.read([key])).toEqual([3]);
  });

  it("refuses an add that would go past the limit, even when the value is under it", async () => {
    const store = makeStore();
    const key = freshKeys()("spend");
    await store.add([{ key, add: 2, ttlMs: MINUTE }]);
    expect(await store.admit([gate(key, 3, 2)])).toEqual({ refused: 0, values: [2] });
    expect(await store.admit([gate(key, 3, 1)])).toEqual({ refused: -1, values: [2] });
    expect(await store.read([key])).toEqual([3]);
  });

  it("adds nothing to any gate when one refuses, and names the first that did", async () => {
    const store = makeStore();
    const keys = freshKeys();
    await store.add([{ key: keys("b"), add: 1, ttlMs: MINUTE }]);
    await store.add([{ key: keys("c"), add: 1, ttlMs: MINUTE }]);
    const admission = await store.admit([gate(keys("a"), 10), gate(keys("b"), 1), gate(keys("c"), 1)]);
    expect(admission).toEqual({ refused: 1, values: [0, 1, 1] });
    expect(await store.read([keys("a"), keys("b"), keys("c")])).toEqual([0, 1, 1]);
  });

  it("only checks a gate whose add is 0 (tokens and spend are added after the call)", async () => {
    const store = makeStore();
    const key = freshKeys()("tokens");
    await store.add([{ key, add: 999, ttlMs: MINUTE }]);
    expect(await store.admit([gate(key, 1000, 0)])).toEqual({ refused: -1, values: [999] });
    expect(await store.read([key])).toEqual([999]);
    await store.add([{ key, add: 1, ttlMs: MINUTE }]);
    expect((await store.admit([gate(key, 1000, 0)])).refused).toBe(0);
  });

  it("keeps fractional spend exact enough", async () => {
    const store = makeStore();
    const key = freshKeys()("dollars");
    const [first] = await store.add([{ key, add: 0.1, ttlMs: MINUTE }]);
    const [second] = await store.add([{ key, add: 0.2, ttlMs: MINUTE }]);
    expect(first).toBeCloseTo(0.1, 12);
    expect(second).toBeCloseTo(0.3, 12);
    for (let i = 0; i < 10; i++) await store.add([{ key, add: 0.07, ttlMs: MINUTE }]);
    const [total] = await store.read([key]);
    expect(total).toBeCloseTo(1, 12);
    const admission = await store.admit([gate(key, 1.5, 0.25)]);
    expect(admission.refused).toBe(-1);
    expect(admission.values[0]).toBeCloseTo(1, 12);
    expect((await store.read([key]))[0]).toBeCloseTo(1.25, 12);
  });

  it("answers the new values from add, a missing counter starting at 0", async () => {
    const store = makeStore();
    const keys = freshKeys();
    expect(await store.add([{ key: keys("a"), add: 5, ttlMs: MINUTE }])).toEqual([5]);
    const values = await store.add([
      { key: keys("a"), add: 2, ttlMs: MINUTE },
      { key: keys("b"), add: 1.5, ttlMs: MINUTE },
    ]);
    expect(values).toEqual([7, 1.5]);
  });

  it("reads 0 for counters that do not exist, and handles empty calls", async () => {
    const store = makeStore();
    const keys = freshKeys();
    expect(await store.read([keys("never"), keys("nor-this")])).toEqual([0, 0]);
    expect(await store.read([])).toEqual([]);
    expect(await store.add([])).toEqual([]);
    expect(await store.admit([])).toEqual({ refused: -1, values: [] });
  });

  it("forgets a counter once its ttl has passed since the last write", async () => {
    const store = makeStore();
    const keys = freshKeys();
    await store.add([{ key: keys("added"), add: 4, ttlMs: 200 }]);
    await store.admit([gate(keys("admitted"), 10, 1, 200)]);
    expect(await store.read([keys("added"), keys("admitted")])).toEqual([4, 1]);
    await sleep(350);
    expect(await store.read([keys("added"), keys("admitted")])).toEqual([0, 0]);
    expect(await store.admit([gate(keys("admitted"), 1)])).toEqual({ refused: -1, values: [0] });
  });
}

describe("MemoryStore", () => {
  counterStoreContract(() => new MemoryStore());
});

const skipRedis = redisSkipReason();

describe.skipIf(skipRedis !== undefined)(`RedisStore${skipRedis ? ` (skipped: ${skipRedis})` : ""}`, () => {
  let server: RedisServer;
  const stores: RedisStore[] = [];
  const connect = (...args: ConstructorParameters<typeof RedisStore>) => {
    const store = new RedisStore(...args);
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await server?.stop();
  });

  counterStoreContract(() => connect(server.url));

  it("admits exactly the limit from 50 parallel calls over two connections (two servers)", async () => {
    const [one, two] = [connect(server.url), connect({ host: "127.0.0.1", port: server.port })];
    const key = freshKeys()("requests");
    const admissions = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? one : two).admit([gate(key, 7)])));
    expect(admissions.filter((admission) => admission.refused === -1)).toHaveLength(7);
    // Each admitted call saw a different value before it: no two read the same count.
    const seen = admissions.filter((admission) => admission.refused === -1).map((admission) => admission.values[0]);
    expect(seen.sort((a, b) => a! - b!)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(await one.read([key])).toEqual([7]);
  });

  it("keeps its counters under the key prefix, apart from other prefixes", async () => {
    const key = freshKeys()("requests");
    await connect(server.url).add([{ key, add: 3, ttlMs: MINUTE }]);
    expect(await connect(server.url, { keyPrefix: "other-app:" }).read([key])).toEqual([0]);
    expect(await connect(server.url, { keyPrefix: "" }).read([`bedrock-agents-openai:${key}`])).toEqual([3]);
  });

  it("rejects fast, naming host:port but never the password, when nothing listens", async () => {
    const stopped = await startRedisServer();
    await stopped.stop();
    const store = connect(`redis://:s3cret-pass@127.0.0.1:${stopped.port}`);
    const started = Date.now();
    const error = await store.read(["key:x|requests"]).catch((error: Error) => error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`Redis could not be reached at 127.0.0.1:${stopped.port}`);
    expect((error as Error).message).not.toContain("s3cret");
  });

  // Last: it takes the shared server away and brings it back.
  it("rejects every call within ~2 s while Redis is down, then works again once it is back", async () => {
    const store = connect(server.url);
    const key = freshKeys()("requests");
    expect(await store.admit([gate(key, 10)])).toEqual({ refused: -1, values: [0] });
    await server.stop();
    const calls: Array<() => Promise<unknown>> = [
      () => store.admit([gate(key, 10)]),
      () => store.add([{ key, add: 1, ttlMs: MINUTE }]),
      () => store.read([key]),
    ];
    for (const call of calls) {
      const started = Date.now();
      const error = await call().then(() => undefined, (error: Error) => error);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error?.message).toContain(`Redis could not be reached at 127.0.0.1:${server.port}`);
    }
    await server.restart();
    // The store reconnects by itself; Redis came back empty (no persistence).
    const deadline = Date.now() + 5000;
    let admission = await store.admit([gate(key, 10)]).catch(() => undefined);
    while (!admission && Date.now() < deadline) {
      await sleep(100);
      admission = await store.admit([gate(key, 10)]).catch(() => undefined);
    }
    expect(admission).toEqual({ refused: -1, values: [0] });
  });
});
