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
import { a2aParts } from "./a2a-answer.ts";
import { a2aCall } from "./a2a-request.ts";
import { runtimeParts } from "./answer.ts";
import { runtimePayload } from "./request.ts";

export async function invokeRuntime(request: AgentRequest, model: AgentCoreModel, settings: AgentCoreParams, context: BackendContext): Promise<AgentAnswer> {
  const a2a = settings.payload_format === "a2a";
  const payload = a2a ? undefined : runtimePayload(request, settings.payload_format);
  const { scope } = context;
  const sessionId = request.sessionId === undefined ? await newAgentCoreSessionId(scope) : await agentCoreSessionId(request.sessionId, scope);
  // A runtime that speaks A2A: its A2A context is the session (see a2a-request.ts).
  const call = a2a ? a2aCall(request, sessionId, settings.a2a_version) : undefined;
  const { user } = request.options;
  const userId = settings.pass_user === false || user === undefined ? undefined : await scopedActor(user, scope);
  const outcome: { stopReason?: string } | undefined = call ? {} : undefined;
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
      if (call) Object.assign(headers, call.headers);
      const { includeReasoning, includeTraces } = request.options;
      return postStream(`${transport.endpoint}/runtimes/${pathLabel(model.arn)}/invocations${query}`, { headers, body: call ? call.body : JSON.stringify(payload) }, transport, (response, requestId, onRead) =>
        call ? a2aParts(response, { includeReasoning, includeTraces, requestId, outcome: outcome! }, onRead) : runtimeParts(response, { includeReasoning, includeTraces, requestId }, onRead),
      );
    },
    settings.api_key,
  );
  return {
    session: new OpenedSession(opened.response.headers.get(SESSION_HEADER) ?? sessionId, undefined, opened),
    outcome,
    parts: opened.batches,
  };
}
