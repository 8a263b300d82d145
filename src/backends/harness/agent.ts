// AgentCore harness (InvokeHarness): an AgentRequest in, an AgentAnswer out.
import { AGENTCORE } from "../../aws/endpoint.ts";
import { anyEvent, eventBatches } from "../../aws/event-stream.ts";
import { postStream } from "../../aws/transport.ts";
import type { AgentCoreModel } from "../../model.ts";
import type { AgentAnswer, AgentRequest } from "../../parts.ts";
import type { AgentCoreParams } from "../../types.ts";
import type { BackendContext } from "../context.ts";
import { OpenedSession } from "../opened-session.ts";
import { SESSION_HEADER, USER_HEADER } from "../agentcore/headers.ts";
import { harnessParts } from "./parts.ts";
import { toInvokeHarness } from "./request.ts";
import { HarnessCallIds } from "./tool-call-ids.ts";

export async function invokeHarness(request: AgentRequest, model: AgentCoreModel, settings: AgentCoreParams, context: BackendContext): Promise<AgentAnswer> {
  const ids = new HarnessCallIds(context.idSecret, model.arn);
  const invocation = await toInvokeHarness(request, settings, ids, context.scope);
  const opened = await context.send(AGENTCORE, (transport) => {
    const query = new URLSearchParams({ harnessArn: model.arn });
    if (settings.qualifier) query.set("qualifier", settings.qualifier);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/vnd.amazon.eventstream",
      [SESSION_HEADER]: invocation.sessionId,
    };
    if (invocation.userId) headers[USER_HEADER] = invocation.userId;
    return postStream(`${transport.endpoint}/harnesses/invoke?${query}`, { headers, body: JSON.stringify(invocation.body) }, transport, (response, requestId, onRead) =>
      eventBatches(response.body!, requestId, anyEvent, onRead),
    );
  });
  const outcome: { stopReason?: string } = {};
  const parts = harnessParts(opened.batches, {
    outcome,
    sessionId: invocation.sessionId,
    clientTools: new Set(request.tools.map((tool) => tool.name)),
    ids,
    includeReasoning: request.options.includeReasoning,
    includeTraces: request.options.includeTraces,
    model: settings.harness_model,
  });
  return {
    session: new OpenedSession(invocation.sessionId, undefined, opened),
    parts,
    outcome,
  };
}
