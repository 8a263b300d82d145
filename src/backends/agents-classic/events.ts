// The events of an InvokeAgent response: frames decoded by aws/event-stream.ts, typed here.
import type { AgentFile } from "../../parts.ts";
import type { Citation, TracePart } from "../../raw-types.ts";
import { base64Bytes, base64ToBytes } from "../../aws/base64.ts";
import { type EventFrame, type EventReader, eventBatches } from "../../aws/event-stream.ts";
import { type Batches, flatten } from "../../batches.ts";

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
const agentEvent: EventReader<AgentEvent> = (type, frame) => {
  switch (type) {
    case "chunk": {
      const fast = chunkBytes(frame);
      if (fast) return { type: "chunk", bytes: fast };
      const { bytes, attribution } = frame.payload() as { bytes?: string; attribution?: { citations?: Citation[] } };
      const decoded = base64ToBytes(bytes ?? "");
      return attribution ? { type: "chunk", bytes: decoded, attribution } : { type: "chunk", bytes: decoded };
    }
    case "trace":
      return { type: "trace", trace: frame.payload() as TracePart };
    case "returnControl":
      return { type: "returnControl", returnControl: frame.payload() };
    case "files": {
      const { files } = frame.payload() as { files?: Array<{ name?: string; type?: string; bytes?: string }> };
      return {
        type: "files",
        files: (files ?? []).map((file) => ({ name: file.name ?? "", type: file.type ?? "application/octet-stream", bytes: base64ToBytes(file.bytes ?? "") })),
      };
    }
    default:
      return undefined;
  }
};

// The commonest payload by far, `{"bytes":"<base64>"}` and nothing else, read without JSON.parse.
const CHUNK_PREFIX = new TextEncoder().encode('{"bytes":"');
const CHUNK_SUFFIX = new TextEncoder().encode('"}');

/** A chunk's bytes when its payload is exactly `{"bytes":"<base64>"}`; otherwise undefined (JSON.parse decides). */
function chunkBytes({ body }: EventFrame): Uint8Array | undefined {
  const end = body.length - CHUNK_SUFFIX.length;
  if (end < CHUNK_PREFIX.length) return undefined;
  for (let i = 0; i < CHUNK_PREFIX.length; i++) if (body[i] !== CHUNK_PREFIX[i]) return undefined;
  if (body[end] !== CHUNK_SUFFIX[0] || body[end + 1] !== CHUNK_SUFFIX[1]) return undefined;
  return base64Bytes(body, CHUNK_PREFIX.length, end);
}
