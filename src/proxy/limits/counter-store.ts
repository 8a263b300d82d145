// Where limits, budgets and cooldowns are counted: named counters that expire. One process
// counts in memory (below); several Node servers in Redis (bin/redis-store.ts); a Worker in a
// Durable Object per owner (worker/limits-object.ts). Every store gives the same three atomic
// operations, so the rules built on them (key-limits.ts, router/) hold however many run.

/** A counter a request must fit under: it fits while value < limit and value + add <= limit. */
export interface Gate {
  key: string;
  limit: number;
  /** Added when every gate of the call fits (0: only checked, as tokens and spend are). */
  add: number;
  /** Every write sets the counter to expire this long after it. */
  ttlMs: number;
}

export interface Change {
  key: string;
  add: number;
  ttlMs: number;
}

export interface Admission {
  /** -1 when every gate fitted (and each was added to); else the index of the first that did not (nothing added). */
  refused: number;
  /** Each gate's value before the call. */
  values: number[];
}

export interface CounterStore {
  /** Atomically checks every gate and, when all fit, adds to each. Gates of one call share an owner (see ownerOf). */
  admit(gates: Gate[]): Promise<Admission>;
  /** Adds to counters (one that does not exist starts at 0), answering the new values. */
  add(changes: Change[]): Promise<number[]>;
  /** Current values, 0 for a counter that does not exist or has expired. */
  read(keys: string[]): Promise<number[]>;
}

/**
 * The owner of a counter: its key up to the first "|" (`key:<id>`, `deployment:<id>`). A Durable
 * Object serves one owner, so the gates a request must pass together are counted in one place.
 */
export function ownerOf(key: string): string {
  const bar = key.indexOf("|");
  return bar < 0 ? key : key.slice(0, bar);
}

/** In memory: exact for one process; the Durable Object counts with it too. */
export class MemoryStore implements CounterStore {
  private readonly counters = new Map<string, { value: number; expires: number }>();
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async admit(gates: Gate[]): Promise<Admission> {
    return this.admitNow(gates);
  }

  async add(changes: Change[]): Promise<number[]> {
    return this.addNow(changes);
  }

  async read(keys: string[]): Promise<number[]> {
    return keys.map((key) => this.value(key));
  }

  /** admit, synchronously (a Durable Object calls it between its own awaits). */
  admitNow(gates: Gate[]): Admission {
    const values = gates.map((gate) => this.value(gate.key));
    const refused = gates.findIndex((gate, i) => !(values[i]! < gate.limit && values[i]! + gate.add <= gate.limit));
    if (refused < 0) this.addNow(gates);
    return { refused, values };
  }

  addNow(changes: Change[]): number[] {
    const now = this.now();
    // Expired counters go every 1,000 writes, so a long-lived process does not keep every window.
    if (++this.writes % 1000 === 0) for (const [key, counter] of this.counters) if (counter.expires <= now) this.counters.delete(key);
    return changes.map(({ key, add, ttlMs }) => {
      const value = this.value(key) + add;
      this.counters.set(key, { value, expires: now + ttlMs });
      return value;
    });
  }

  private value(key: string): number {
    const counter = this.counters.get(key);
    if (!counter) return 0;
    if (counter.expires > this.now()) return counter.value;
    this.counters.delete(key);
    return 0;
  }
}
