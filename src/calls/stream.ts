import { type Batches, flatten } from "../batches.ts";
import { withBatches } from "../surfaces/batches.ts";
import { hiddenParams } from "../hidden-params.ts";
import type { AgentAnswer } from "../parts.ts";
import type { HiddenParams } from "../types.ts";
import type { UsageTally } from "../usage.ts";

/**
 * A surface's streaming result: its events one by one (and, for servers, a network read at a
 * time), with what is known of the call; `cancel()` closes the connection to AWS. A class, so
 * every stream shares one shape (a literal with getters is a dictionary of its own per stream).
 */
export class AnswerStream<T, U> implements AsyncIterable<T> {
  readonly sessionId: string;
  readonly #answer: AgentAnswer & { cancel(): void };
  readonly #tally: UsageTally;
  readonly #batches: Batches<T>;
  readonly #events: AsyncIterableIterator<T>;
  readonly #usage: () => U;

  constructor(answer: AgentAnswer & { cancel(): void }, tally: UsageTally, batches: Batches<T>, usage: () => U) {
    this.sessionId = answer.session.sessionId;
    this.#answer = answer;
    this.#tally = tally;
    this.#batches = batches;
    this.#events = flatten(batches);
    this.#usage = usage;
    withBatches(this, batches);
  }

  get requestId(): string | undefined {
    return this.#answer.session.requestId;
  }

  /** So far, over every model call; final once the stream has ended. */
  get usage(): U {
    return this.#usage();
  }

  get _hidden_params(): HiddenParams {
    return hiddenParams(this.#answer, this.#tally);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this.#events;
  }

  async cancel(): Promise<void> {
    this.#answer.cancel();
    await this.#batches.return().catch(() => {});
  }
}
