// A streamed answer's events a network read at a time (so a server writes each read once), and
// one by one for everyone else.
import { type Batches, asAgentError, pullBatches } from "../batches.ts";
import type { AgentError } from "../errors.ts";
import type { AgentPart } from "../parts.ts";

const BATCHES = Symbol("batches");

/** Gives a stream the batches behind its events, for `batchesOf`. */
export function withBatches<S extends object, T>(stream: S, batches: Batches<T>): S {
  return Object.defineProperty(stream, BATCHES, { value: batches });
}

/** A stream's events a network read at a time; any other async iterable, one by one. */
export function batchesOf<T>(stream: AsyncIterable<T>): AsyncIterator<T[]> {
  const own = (stream as { [BATCHES]?: Batches<T> })[BATCHES];
  if (own) return own;
  const events = stream[Symbol.asyncIterator]();
  return {
    next: async () => {
      const result = await events.next();
      return result.done ? result : { done: false, value: [result.value] };
    },
  };
}

/** What turns an answer's parts into a surface's events: per batch, at the end, on a failure. */
export interface EventBuilder<E> {
  batch(parts: AgentPart[]): E[];
  end(): E[];
  /** The events that report a failure; a surface whose clients raise it throws it instead. */
  fail(error: AgentError): E[];
}

/** A builder's events, a batch per batch of parts, ending in its closing (or failing) events. */
export function builtEvents<E>(parts: Batches<AgentPart>, builder: EventBuilder<E>): Batches<E> {
  let over = false;
  // Promise callbacks, not an async function: see ../batches.ts.
  const failed = (error: unknown): E[] => {
    over = true;
    return builder.fail(asAgentError(error));
  };
  const build = (result: IteratorResult<AgentPart[], unknown>): E[] => {
    try {
      if (!result.done) return builder.batch(result.value);
    } catch (error) {
      return failed(error);
    }
    over = true;
    return builder.end();
  };
  return pullBatches(() => (over ? Promise.resolve(undefined) : parts.next().then(build, failed)), () => parts.return());
}
