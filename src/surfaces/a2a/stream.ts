// A task's answer as A2A sends it: streamed, SSE of JSON-RPC responses (the task, `working`, the
// answer appended piece by piece as the agent sends it, the final status); or blocking, the
// finished task once the parts have ended.
import type { PartsAnswer } from "../../calls/parts.ts";
import { AgentError, InternalServerError } from "../../errors.ts";
import type { SseSource } from "../../proxy/sse.ts";
import { type A2aVersion, type RpcId, resultText } from "./json-rpc.ts";
import { type Task, type TaskEvent, wire } from "./response.ts";
import type { Outcome, TaskRun } from "./task-run.ts";

/** What the final status says of the call: usage, cost, AWS's request id, once the parts ended. */
export function outcomeOf(answer: PartsAnswer): Outcome {
  const hidden = answer.hidden();
  const outcome: Outcome = {
    usage: { inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens },
    cost: hidden.response_cost,
  };
  if (hidden.stop_reason) outcome.stopReason = hidden.stop_reason;
  if (hidden.aws_request_id) outcome.awsRequestId = hidden.aws_request_id;
  return outcome;
}

/**
 * The finished task: every part read (a disconnecting client cancels the call through its signal).
 * A failure that breaks the parts fails the task, as an error part does; `shown`: what the caller may read of it.
 */
export async function finishedTask(answer: PartsAnswer, run: TaskRun, shown: (error: AgentError) => AgentError): Promise<Task> {
  try {
    for await (const batch of answer.parts) run.read(batch);
  } catch (error) {
    run.fail(shown(error instanceof AgentError ? error : new InternalServerError("Internal error while answering", { cause: error })));
  }
  return run.task(outcomeOf(answer));
}

/**
 * The task's events as SSE, one batch of parts at a time. A failure that breaks the stream ends it
 * with a `failed` status, as the error parts do: `shown` gives what the caller may read of it.
 */
export function taskSse(answer: PartsAnswer, run: TaskRun, rpc: { id: RpcId; version: A2aVersion }, shown: (error: AgentError) => AgentError): SseSource {
  const sse = (events: TaskEvent[]) => {
    let text = "";
    for (const event of events) text += `data: ${resultText(rpc.id, wire(event, rpc.version))}\n\n`;
    return text;
  };
  let started = false;
  let ended = false;
  const source = answer.parts;
  return {
    next() {
      if (!started) {
        started = true;
        return Promise.resolve({ done: false, value: sse(run.submitted()) });
      }
      if (ended) return Promise.resolve({ done: true, value: undefined });
      return source.next().then((result) => {
        if (!result.done) return { done: false, value: sse(run.read(result.value)) };
        ended = true;
        return { done: false, value: sse(run.end(outcomeOf(answer))) };
      });
    },
    error(error) {
      run.fail(shown(error));
      return sse(run.end(outcomeOf(answer)));
    },
    done: "",
    keepAlive: ": keep-alive\n\n",
    async cancel() {
      await source.return();
      answer.cancel();
    },
  };
}
