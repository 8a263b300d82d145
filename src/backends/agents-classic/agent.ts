// Agents Classic (InvokeAgent): an AgentRequest in, an AgentAnswer out.
import { AGENT_RUNTIME } from "../../aws/endpoint.ts";
import type { AgentModel } from "../../model.ts";
import type { AgentAnswer, AgentRequest } from "../../parts.ts";
import type { BackendContext } from "../context.ts";
import { invokeAgent } from "./invoke-agent.ts";
import { toParts } from "./parts.ts";
import { toInvokeAgent } from "./request.ts";
import { ToolCallIds } from "./tool-call-id.ts";
import { toToolCalls } from "./tool-calls.ts";

export async function invokeClassic(request: AgentRequest, model: AgentModel, context: BackendContext): Promise<AgentAnswer> {
  let ids: ToolCallIds | undefined;
  const toolCallIds = () => (ids ??= new ToolCallIds(context.idSecret, `${model.agentId}/${model.agentAliasId}`));
  const invocation = await toInvokeAgent(request, model, toolCallIds, context.scope);
  const response = await context.send(AGENT_RUNTIME, (transport) => invokeAgent(invocation, transport));
  const { includeReasoning, includeTraces, includeCitations } = request.options;
  const parts = toParts(response.events, {
    includeReasoning,
    includeTraces,
    includeCitations,
    toolCalls: (returnControl) => toToolCalls(returnControl, response.session.sessionId, toolCallIds()),
  });
  return { session: response.session, parts };
}
