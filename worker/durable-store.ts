// The Worker's CounterStore: each owner's counters in its own LimitsObject (worker/limits-object.ts),
// found by name, so every isolate everywhere counting for a key reaches the same object.
import { type Admission, type Change, type CounterStore, type Gate, ownerOf } from "../src/proxy/limits/counter-store.ts";

/** The LIMITS binding as this uses it: a DurableObjectNamespace of LimitsObject, called by RPC. */
export interface LimitsNamespace {
  getByName(name: string): CounterStore;
}

export class DurableStore implements CounterStore {
  // A stub per call, not kept: a stub that met an error may stay broken, a new one does not.
  constructor(private readonly namespace: LimitsNamespace) {}

  async admit(gates: Gate[]): Promise<Admission> {
    const owner = ownerOf(gates[0]?.key ?? "");
    // One object answers for all the gates at once, so they must be its own.
    if (gates.some((gate) => ownerOf(gate.key) !== owner)) throw new Error(`admit: gates of more than one owner (${owner} and others)`);
    return gates.length ? this.namespace.getByName(owner).admit(gates) : { refused: -1, values: [] };
  }

  add(changes: Change[]): Promise<number[]> {
    return this.byOwner("add", changes);
  }

  read(keys: string[]): Promise<number[]> {
    return this.byOwner("read", keys);
  }

  /** One call per owner with its items, all at once; the answers back in the items' order. */
  private async byOwner(operation: "add" | "read", items: (Change | string)[]): Promise<number[]> {
    const owners = new Map<string, number[]>(); // owner → the indexes of its items
    items.forEach((item, i) => {
      const owner = ownerOf(typeof item === "string" ? item : item.key);
      owners.set(owner, [...(owners.get(owner) ?? []), i]);
    });
    const values: number[] = [];
    await Promise.all(
      [...owners].map(async ([owner, indexes]) => {
        const stub = this.namespace.getByName(owner) as { [op in typeof operation]: (items: unknown[]) => Promise<number[]> };
        const answered = await stub[operation](indexes.map((i) => items[i]));
        indexes.forEach((i, j) => (values[i] = answered[j]!));
      }),
    );
    return values;
  }
}
