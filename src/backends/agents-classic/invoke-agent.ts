import { pathLabel, postStream, type Transport } from "../../aws/transport.ts";
import type { Batches } from "../../batches.ts";
import { type AgentEvent, agentEventBatches } from "./events.ts";
import type { InvokeAgentRequest } from "./request.ts";

/** An open InvokeAgent response: its identifiers and its events, read on demand. */
export interface AgentResponse {
  sessionId: string;
  memoryId: string | undefined;
  /** Of the attempt being read (a retry gets a new one). */
  readonly requestId: string | undefined;
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
  return {
    sessionId: opened.response.headers.get("x-amz-bedrock-agent-session-id") ?? request.sessionId,
    memoryId: opened.response.headers.get("x-amz-bedrock-agent-memory-id") ?? undefined,
    get requestId() {
      return opened.requestId;
    },
    events: opened.batches,
  };
}
