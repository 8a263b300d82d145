// A streamed answer's events a network read at a time (so a server writes each read once), and
// one by one for everyone else.
import { AgentError, InternalServerError } from "../errors.ts";
import type { AgentPart } from "../parts.ts";

const BATCHES = Symbol("batches");

/** The events of batches, one by one. */
export async function* flatten<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}

/** Gives a stream the batches behind its events, for `batchesOf`. */
export function withBatches<S extends object, T>(stream: S, batches: AsyncIterator<T[]>): S {
  return Object.defineProperty(stream, BATCHES, { value: batches });
}

/** A stream's events a network read at a time; any other async iterable, one by one. */
export function batchesOf<T>(stream: AsyncIterable<T>): AsyncIterator<T[]> {
  const own = (stream as { [BATCHES]?: AsyncIterator<T[]> })[BATCHES];
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
  fail(error: AgentError): E[];
}

/** A builder's events, a batch per batch of parts, ending in its closing (or failing) events. */
export async function* builtEvents<E>(parts: AsyncIterable<AgentPart[]>, builder: EventBuilder<E>): AsyncGenerator<E[]> {
  try {
    for await (const batch of parts) yield builder.batch(batch);
  } catch (error) {
    yield builder.fail(error instanceof AgentError ? error : new InternalServerError("Internal error", { cause: error }));
    return;
  }
  yield builder.end();
}
