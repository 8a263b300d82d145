import type { AgentAnswer } from "./parts.ts";
import type { HiddenParams } from "./types.ts";
import type { UsageTally } from "./usage.ts";

/** What a call learned beyond its surface's shape, under LiteLLM's name `_hidden_params`. */
export function hiddenParams(answer: AgentAnswer, tally: UsageTally): HiddenParams {
  const { session } = answer;
  const params: HiddenParams = { response_cost: tally.cost(), session_id: session.sessionId, foundation_models: tally.models };
  if (session.memoryId) params.memory_id = session.memoryId;
  if (session.requestId) params.aws_request_id = session.requestId;
  if (answer.outcome?.stopReason) params.stop_reason = answer.outcome.stopReason;
  return params;
}
