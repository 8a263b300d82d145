import { type Batches, flatten } from "../batches.ts";
import { withBatches } from "../surfaces/batches.ts";
import { hiddenParams } from "../hidden-params.ts";
import type { AgentAnswer } from "../parts.ts";
import type { UsageTally } from "../usage.ts";

/**
 * A surface's streaming result: its events one by one (and, for servers, a network read at a
 * time), with what is known of the call; `cancel()` closes the connection to AWS.
 */
export function streamOf<T, U>(answer: AgentAnswer & { cancel(): void }, tally: UsageTally, batches: Batches<T>, usage: () => U) {
  const events = flatten(batches);
  const stream = {
    sessionId: answer.session.sessionId,
    get requestId() {
      return answer.session.requestId;
    },
    /** So far, over every model call; final once the stream has ended. */
    get usage() {
      return usage();
    },
    get _hidden_params() {
      return hiddenParams(answer, tally);
    },
    [Symbol.asyncIterator]: () => events,
    async cancel() {
      answer.cancel();
      await batches.return().catch(() => {});
    },
  };
  return withBatches(stream, batches);
}

