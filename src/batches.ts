// Streams of batches (a network read's worth of items each) that keep nothing between reads.
//
// Why not async generators: V8 keeps a suspended generator's registers, so every layer of a
// generator pipeline holds on to the last batch it handled (the bytes, the events, the parts,
// the SSE text) for as long as the stream waits for its next read. Streams wait far longer than
// they work, so under many slow streams that held data outlives young collections and piles up
// as old garbage. Here each batch is made by promise callbacks, which hold nothing once they ran.
import { AgentError, InternalServerError } from "./errors.ts";

/** Batches of items, read on demand; `return()` stops early and frees what is behind (a connection). */
export interface Batches<T> extends AsyncIterableIterator<T[]> {
  next(): Promise<IteratorResult<T[], void>>;
  return(value?: unknown): Promise<IteratorResult<T[], void>>;
  /** An answer's parts left early: what its reader would have closed with (the usage spent so far), once. */
  leftover?: () => T[];
}

const DONE: IteratorResult<never, void> = Object.freeze({ done: true, value: undefined });

/**
 * Batches made by `pull`, one call per batch, undefined at the end. After the end, an error, or
 * `return()`, `close` runs once and `next()` is done. Calls are not queued: consumers ask for one
 * batch at a time.
 */
export function pullBatches<T>(pull: () => Promise<T[] | undefined>, close?: () => unknown): Batches<T> {
  let over = false;
  const stop = async () => {
    if (over) return;
    over = true;
    await close?.();
  };
  // Promise callbacks, not an async function: a stream waiting for its next read holds one
  // promise per stage, not a suspended frame.
  const ended = (): Promise<IteratorResult<T[], void>> => stop().then(() => DONE);
  const failed = (error: unknown) =>
    stop().then(() => {
      throw error;
    });
  const delivered = (value: T[] | undefined): IteratorResult<T[], void> | Promise<IteratorResult<T[], void>> =>
    value === undefined ? ended() : { done: false, value };
  const batches: Batches<T> = {
    next() {
      return over ? Promise.resolve(DONE) : pull().then(delivered, failed);
    },
    async return() {
      await stop();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return batches;
    },
  };
  return batches;
}

/** The items of batches, one by one. */
export function flatten<T>(batches: Batches<T>): AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T, void>> } {
  let batch: T[] = [];
  let at = 0;
  const items = {
    async next(): Promise<IteratorResult<T, void>> {
      while (at >= batch.length) {
        const result = await batches.next();
        if (result.done) return DONE;
        batch = result.value;
        at = 0;
      }
      const value = batch[at]!;
      batch[at++] = undefined as T; // handed over: not kept until the next read
      return { done: false, value };
    },
    return: async (): Promise<IteratorResult<T, void>> => (await batches.return(), DONE),
    [Symbol.asyncIterator]: () => items,
  };
  return items;
}

/** Anything thrown while streaming, as an AgentError. */
export function asAgentError(error: unknown): AgentError {
  return error instanceof AgentError ? error : new InternalServerError("Internal error", { cause: error });
}
