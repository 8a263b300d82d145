// One owner's counters (a key's, a deployment's: see ownerOf) in a Durable Object, for the
// Worker's CounterStore (worker/durable-store.ts). An object runs one call at a time until that
// call awaits, and these never await: every admit is exact however many isolates send them.
import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import { type Change, type Gate, MemoryStore } from "../src/proxy/limits/counter-store.ts";

type Stored = [value: number, expires: number];

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
    // Adding 0 at the same instant changes nothing: it answers the new values, to store them.
    if (admission.refused < 0) this.add(gates.map(({ key, ttlMs }) => ({ key, add: 0, ttlMs })));
    return admission;
  }

  add(changes: Change[]) {
    const values = this.counters.addNow(changes);
    const now = Date.now();
    changes.forEach(({ key, ttlMs }, i) => this.kv.put(key, [values[i]!, now + ttlMs] satisfies Stored));
    // Expired windows leave storage every 1,000 writes (and on start), so they do not pile up.
    if ((this.writes += changes.length) >= 1000) {
      this.writes = 0;
      this.sweep();
    }
    return values;
  }

  read(keys: string[]) {
    return this.counters.read(keys);
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
