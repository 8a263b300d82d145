// Agents Classic (InvokeAgent): an AgentRequest in, an AgentAnswer out.
import type { CallerScope } from "../../caller-scope.ts";
import { parseModel } from "../../model.ts";
import type { AgentAnswer, AgentRequest } from "../../parts.ts";
import type { AgentResponse, Transport } from "./invoke-agent.ts";
import { invokeAgent } from "./invoke-agent.ts";
import { toParts } from "./parts.ts";
import { toInvokeAgent } from "./request.ts";
import { ToolCallIds } from "./tool-call-id.ts";
import { toToolCalls } from "./tool-calls.ts";

export interface ClassicContext {
  /** The secret tool call ids are signed with (see toolCallSecret), asked for only when needed. */
  idSecret: () => Promise<string>;
  scope: CallerScope | undefined;
  /** Sends with fresh credentials: the caller's transport, and one refresh when AWS rejects them. */
  send: (call: (transport: Transport) => Promise<AgentResponse>) => Promise<AgentResponse>;
}

export async function invokeClassic(request: AgentRequest, context: ClassicContext): Promise<AgentAnswer> {
  const model = parseModel(request.model);
  let ids: ToolCallIds | undefined;
  const toolCallIds = () => (ids ??= new ToolCallIds(context.idSecret, `${model.agentId}/${model.agentAliasId}`));
  const invocation = await toInvokeAgent(request, model, toolCallIds, context.scope);
  const response = await context.send((transport) => invokeAgent(invocation, transport));
  const parts = toParts(response.events, {
    ...request.options,
    toolCalls: (returnControl) => toToolCalls(returnControl, response.sessionId, toolCallIds()),
  });
  return { session: response, parts };
}
