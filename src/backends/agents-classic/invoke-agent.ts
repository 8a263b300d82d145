import { pathLabel, postStream, type Transport } from "../../aws/transport.ts";
import type { Batches } from "../../batches.ts";
import { OpenedSession } from "../opened-session.ts";
import { type AgentEvent, agentEventBatches } from "./events.ts";
import type { InvokeAgentRequest } from "./request.ts";

/** An open InvokeAgent response: its identifiers and its events, read on demand. */
export interface AgentResponse {
  session: OpenedSession;
  /** The agent's events, a batch per network read. */
  events: Batches<AgentEvent>;
}

/** Sends InvokeAgent (retried while nothing has reached the caller, see postStream). */
export async function invokeAgent(request: InvokeAgentRequest, transport: Transport): Promise<AgentResponse> {
  const url = [
    transport.endpoint,
    "agents",
    pathLabel(request.agentId),
    "agentAliases",
    pathLabel(request.agentAliasId),
    "sessions",
    pathLabel(request.sessionId),
    "text",
  ].join("/");
  const opened = await postStream(
    url,
    { headers: { "content-type": "application/json", accept: "application/vnd.amazon.eventstream" }, body: JSON.stringify(request.body) },
    transport,
    (response, requestId, onRead) => agentEventBatches(response.body!, requestId, onRead),
  );
  const session = new OpenedSession(
    opened.response.headers.get("x-amz-bedrock-agent-session-id") ?? request.sessionId,
    opened.response.headers.get("x-amz-bedrock-agent-memory-id") ?? undefined,
    opened,
  );
  return { session, events: opened.batches };
}
