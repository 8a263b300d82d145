// AgentCore runtime (InvokeAgentRuntime): an agent in code, any framework.
import { AGENTCORE } from "../../aws/endpoint.ts";
import { pathLabel, postStream } from "../../aws/transport.ts";
import type { AgentCoreModel } from "../../model.ts";
import type { AgentAnswer, AgentRequest } from "../../parts.ts";
import type { AgentCoreParams } from "../../types.ts";
import { SESSION_HEADER, USER_HEADER } from "../agentcore/headers.ts";
import { agentCoreSessionId, newAgentCoreSessionId, scopedActor } from "../agentcore/ids.ts";
import type { BackendContext } from "../context.ts";
import { OpenedSession } from "../opened-session.ts";
import { runtimeParts } from "./answer.ts";
import { runtimePayload } from "./request.ts";

export async function invokeRuntime(request: AgentRequest, model: AgentCoreModel, settings: AgentCoreParams, context: BackendContext): Promise<AgentAnswer> {
  const payload = runtimePayload(request, settings.payload_format);
  const { scope } = context;
  const sessionId = request.sessionId === undefined ? await newAgentCoreSessionId(scope) : await agentCoreSessionId(request.sessionId, scope);
  const { user } = request.options;
  const userId = settings.pass_user === false || user === undefined ? undefined : await scopedActor(user, scope);
  const opened = await context.send(
    AGENTCORE,
    (transport) => {
      const query = settings.qualifier ? `?${new URLSearchParams({ qualifier: settings.qualifier })}` : "";
      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        [SESSION_HEADER]: sessionId,
      };
      if (userId) headers[USER_HEADER] = userId;
      return postStream(`${transport.endpoint}/runtimes/${pathLabel(model.arn)}/invocations${query}`, { headers, body: JSON.stringify(payload) }, transport, (response, requestId, onRead) =>
        runtimeParts(response, { includeReasoning: request.options.includeReasoning, includeTraces: request.options.includeTraces, requestId }, onRead),
      );
    },
    settings.api_key,
  );
  return {
    session: new OpenedSession(opened.response.headers.get(SESSION_HEADER) ?? sessionId, undefined, opened),
    parts: opened.batches,
  };
}
