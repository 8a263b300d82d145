// One owner's counters (a key's, a deployment's: see ownerOf) in a Durable Object, for the
// Worker's CounterStore (worker/durable-store.ts). An object runs one call at a time until that
// call awaits, and these never await: every admit is exact however many isolates send them.
import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import { type Change, type Gate, MemoryStore } from "../src/proxy/limits/counter-store.ts";

type Stored = [value: number, expires: number];
/** Counters that live longer than a minute's window (plus its margin) are stored. */
const STORED_FROM_MS = 2 * 60_000;

export class LimitsObject extends DurableObject {
  // SQLite's synchronous KV API: each change is stored before the call answers (the output gate
  // holds the answer until it is durable), and no call can slip in between count and store.
  private readonly kv = this.ctx.storage.kv;
  private readonly counters = new MemoryStore();
  private writes = 0;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    // Budgets outlive eviction and restarts: what an earlier run stored counts again, read
    // synchronously, so before any call reaches the object (no blockConcurrencyWhile needed).
    this.sweep((key, value, ttlMs) => this.counters.addNow([{ key, add: value, ttlMs }]));
  }

  admit(gates: Gate[]) {
    const admission = this.counters.admitNow(gates);
    if (admission.refused < 0) this.store(gates.filter((gate) => gate.add !== 0));
    return admission;
  }

  add(changes: Change[]) {
    const values = this.counters.addNow(changes);
    this.store(changes);
    return values;
  }

  read(keys: string[]) {
    return this.counters.read(keys);
  }

  /**
   * Stores what must outlive the object: budgets and parallel slots. A minute's window (rpm, tpm)
   * stays in memory only: an object is evicted only after it sat idle, and a write per counter per
   * request would cost more CPU than the request's own work.
   */
  private store(changes: Change[]) {
    const lasting = changes.filter(({ ttlMs }) => ttlMs > STORED_FROM_MS);
    if (lasting.length === 0) return;
    // Adding 0 answers the values as they are now, changing nothing.
    const values = this.counters.addNow(lasting.map(({ key, ttlMs }) => ({ key, add: 0, ttlMs })));
    const now = Date.now();
    lasting.forEach(({ key, ttlMs }, i) => this.kv.put(key, [values[i]!, now + ttlMs] satisfies Stored));
    // Expired counters leave storage every 1,000 writes (and on start), so they do not pile up.
    if ((this.writes += lasting.length) >= 1000) {
      this.writes = 0;
      this.sweep();
    }
  }

  /** Deletes the stored counters that expired; tells `live` of the others. */
  private sweep(live?: (key: string, value: number, ttlMs: number) => void) {
    const now = Date.now();
    for (const [key, [value, expires]] of [...this.kv.list<Stored>()]) {
      if (expires <= now) this.kv.delete(key);
      else live?.(key, value, expires - now);
    }
  }
}
