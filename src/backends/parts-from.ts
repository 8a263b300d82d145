// What every backend does with what it reads: parts per batch, closing parts at the end, a
// failure as an error part after the parts before it.
import { type Batches, asAgentError, pullBatches } from "../batches.ts";
import type { AgentPart } from "../parts.ts";

/** Turns one backend's reads into parts; it keeps the answer's state between batches. */
export interface PartsReader<E> {
  /** The parts of one batch; a promise only when a batch needs one (signing a tool call id). */
  read(batch: E[], out: AgentPart[]): Promise<void> | void;
  /** The closing parts (usage, finish) once the reads are over. */
  end(out: AgentPart[]): void;
}

/**
 * The parts of an answer, a batch per batch read (an empty one when a read held nothing to
 * show: surfaces start their answer when the agent's first event arrives). A failure ends them
 * with an `error` part, after what the agent said before it.
 */
export function partsFrom<E>(source: Batches<E>, reader: PartsReader<E>): Batches<AgentPart> {
  let over = false;
  // Promise callbacks, not an async function: see batches.ts.
  const failed = (out: AgentPart[], error: unknown): AgentPart[] => {
    out.push({ type: "error", error: asAgentError(error) });
    over = true;
    return out;
  };
  const read = (result: IteratorResult<E[], unknown>): AgentPart[] | Promise<AgentPart[]> => {
    const out: AgentPart[] = [];
    try {
      if (result.done) {
        reader.end(out);
        over = true;
        return out;
      }
      const reading = reader.read(result.value, out);
      return reading ? reading.then(() => out, (error: unknown) => failed(out, error)) : out;
    } catch (error) {
      return failed(out, error);
    }
  };
  const unread = (error: unknown) => failed([], error);
  let closing: AgentPart[] = [];
  const batches = pullBatches(
    () => (over ? Promise.resolve(undefined) : source.next().then(read, unread)),
    () => {
      // Left before the end (a client gone): the reader closes all the same, so what was spent is paid for.
      if (!over) {
        over = true;
        reader.end(closing);
      }
      return source.return();
    },
  );
  // Read whenever a usage total is (UsageTally): nothing allocated while there is nothing to take.
  batches.leftover = () => {
    if (closing.length === 0) return closing;
    const parts = closing;
    closing = [];
    return parts;
  };
  return batches;
}

/** A batch's events read in order: synchronously, but for one that returns a promise (a signed id), after which the rest wait for it. */
export function readEach<E>(batch: E[], read: (event: E) => Promise<void> | undefined, from = 0): Promise<void> | undefined {
  for (let i = from; i < batch.length; i++) {
    const pending = read(batch[i]!);
    if (pending) return pending.then(() => readEach(batch, read, i + 1));
  }
  return undefined;
}
