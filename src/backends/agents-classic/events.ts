// The events of an InvokeAgent response: frames decoded by aws/event-stream.ts, typed here.
import type { AgentFile } from "../../types.ts";
import { type EventReader, base64ToBytes, eventBatches } from "../../aws/event-stream.ts";
import { type Batches, flatten } from "../../batches.ts";

export interface Citation {
  generatedResponsePart?: { textResponsePart?: { text?: string; span?: { start?: number; end?: number } } };
  retrievedReferences?: Array<Record<string, unknown>>;
}

/** One model call's report inside a trace; every trace kind has this shape where it calls a model. */
export interface ModelInvocationTrace {
  modelInvocationInput?: { traceId?: string; foundationModel?: string; [key: string]: unknown };
  modelInvocationOutput?: {
    traceId?: string;
    metadata?: { usage?: { inputTokens?: number; outputTokens?: number } };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface TracePart {
  agentId?: string;
  agentAliasId?: string;
  sessionId?: string;
  collaboratorName?: string;
  callerChain?: unknown[];
  eventTime?: string;
  /** One of preProcessingTrace, orchestrationTrace, postProcessingTrace, routingClassifierTrace, ... */
  trace?: Record<string, ModelInvocationTrace | undefined>;
  [key: string]: unknown;
}


export type AgentEvent =
  | { type: "chunk"; bytes: Uint8Array; attribution?: { citations?: Citation[] } }
  | { type: "trace"; trace: TracePart }
  | { type: "returnControl"; returnControl: Record<string, unknown> }
  | { type: "files"; files: AgentFile[] };


/**
 * The typed agent events of an InvokeAgent response body. Exception and error frames
 * raise the matching AgentError; unknown event types are skipped, as the SDK does.
 */
export function agentEvents(body: ReadableStream<Uint8Array>, requestId?: string, onRead?: () => void): AsyncIterableIterator<AgentEvent> {
  return flatten(agentEventBatches(body, requestId, onRead));
}

/** The same, a batch per network read (see eventBatches); the events before a failing frame come first. */
export function agentEventBatches(body: ReadableStream<Uint8Array>, requestId?: string, onRead?: () => void): Batches<AgentEvent> {
  return eventBatches(body, requestId, agentEvent, onRead);
}

/** InvokeAgent's members; unknown ones are skipped, as the SDK does. */
const agentEvent: EventReader<AgentEvent> = (type, payload) => {
  switch (type) {
    case "chunk": {
      const { bytes, attribution } = payload() as { bytes?: string; attribution?: { citations?: Citation[] } };
      const decoded = base64ToBytes(bytes ?? "");
      return attribution ? { type: "chunk", bytes: decoded, attribution } : { type: "chunk", bytes: decoded };
    }
    case "trace":
      return { type: "trace", trace: payload() as TracePart };
    case "returnControl":
      return { type: "returnControl", returnControl: payload() };
    case "files": {
      const { files } = payload() as { files?: Array<{ name?: string; type?: string; bytes?: string }> };
      return {
        type: "files",
        files: (files ?? []).map((file) => ({ name: file.name ?? "", type: file.type ?? "application/octet-stream", bytes: base64ToBytes(file.bytes ?? "") })),
      };
    }
    default:
      return undefined;
  }
};
