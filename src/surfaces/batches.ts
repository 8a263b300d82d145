// A streamed answer's events a network read at a time (so a server writes each read once), and
// one by one for everyone else.

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
