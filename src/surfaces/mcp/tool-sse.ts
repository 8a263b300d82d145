// A tool call's answer as MCP streams it: SSE `message` events of progress notifications as the
// text and reasoning arrive, then the JSON-RPC response with the result, which ends the request
// for the client. A failure is that result with isError, as when it comes before the stream.
import type { PartsAnswer } from "../../calls/parts.ts";
import type { AgentError } from "../../errors.ts";
import type { AgentPart } from "../../parts.ts";
import { type RequestId, rpcResult, sseEvent } from "./jsonrpc.ts";
import { ToolAnswer, failureResult } from "./tool-result.ts";

const DONE: IteratorResult<never> = { done: true, value: undefined };

/** `shown`: what the caller may see of a failure thrown while streaming (error parts come shown already). */
export function toolCallSse(answer: PartsAnswer, id: RequestId, progressToken: RequestId, shown: (error: unknown) => AgentError) {
  const collected = new ToolAnswer(progressToken);
  let over = false;
  const events = (batch: IteratorResult<AgentPart[], void>): IteratorResult<string> => {
    if (!batch.done) return { done: false, value: collected.take(batch.value).map(sseEvent).join("") };
    over = true; // the result is the last event
    return { done: false, value: sseEvent(rpcResult(id, collected.result({ hidden: answer.hidden(), usage: answer.usage }))) };
  };
  return {
    next: (): Promise<IteratorResult<string>> => (over ? Promise.resolve(DONE) : answer.parts.next().then(events)),
    error: (error: unknown): string => {
      over = true;
      collected.error = shown(error);
      return sseEvent(rpcResult(id, failureResult(collected.error)));
    },
    done: "",
    keepAlive: ": keep-alive\n\n",
    cancel: () => answer.parts.return().then(() => undefined),
    /** The failure that ended the answer, once it has. */
    failure: (): AgentError | undefined => collected.error,
  };
}
