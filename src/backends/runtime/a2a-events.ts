// A2A results in either version, as one shape: 0.3 tags bare objects with `kind` ("task",
// "status-update", ...) and spells states "input-required"; 1.0 wraps them (`{"task": ...}`,
// `{"statusUpdate": ...}`) and spells states "TASK_STATE_INPUT_REQUIRED". Runtimes do not always
// speak what they announce, so both are read whatever the config says.

export type A2AState = "submitted" | "working" | "input-required" | "auth-required" | "completed" | "canceled" | "failed" | "rejected" | "unknown";

export interface A2APart {
  text?: string;
  /** A file's bytes, base64. */
  bytes?: string;
  mediaType?: string;
  name?: string;
  /** A data part's value. */
  data?: unknown;
  metadata?: Record<string, unknown>;
}

export interface A2AMessage {
  parts: A2APart[];
  metadata?: Record<string, unknown>;
}

export interface A2AStatus {
  state: A2AState;
  message?: A2AMessage;
}

export interface A2AArtifact {
  id: string;
  parts: A2APart[];
}

export type A2AEvent =
  | { kind: "task"; status?: A2AStatus; artifacts: A2AArtifact[]; metadata?: Record<string, unknown> }
  | { kind: "message"; message: A2AMessage }
  | { kind: "status"; status: A2AStatus; metadata?: Record<string, unknown> }
  /** `lastChunk` false: more pieces of this artifact follow. */
  | { kind: "artifact"; artifact: A2AArtifact; append: boolean; lastChunk: boolean | undefined };

type Json = Record<string, unknown>;

/** A JSON-RPC result (SendMessage's, or a stream event's) as an event; undefined when it is none of them. */
export function a2aEvent(result: unknown): A2AEvent | undefined {
  if (!isObject(result)) return undefined;
  const kind = result.kind;
  const task = isObject(result.task) ? result.task : kind === "task" ? result : undefined;
  if (task) return { kind: "task", status: statusOf(task.status), artifacts: arrayOf(task.artifacts).flatMap(artifactOf), metadata: objectOrUndefined(task.metadata) };
  const message = isObject(result.message) && kind !== "status-update" ? result.message : kind === "message" ? result : undefined;
  if (message) return { kind: "message", message: messageOf(message)! };
  const update = isObject(result.statusUpdate) ? result.statusUpdate : kind === "status-update" ? result : undefined;
  const status = update && statusOf(update.status);
  if (status) return { kind: "status", status, metadata: objectOrUndefined(update.metadata) };
  const artifactUpdate = isObject(result.artifactUpdate) ? result.artifactUpdate : kind === "artifact-update" ? result : undefined;
  const [artifact] = artifactUpdate ? artifactOf(artifactUpdate.artifact) : [];
  if (artifact) {
    const { append, lastChunk } = artifactUpdate!;
    return { kind: "artifact", artifact, append: append === true, lastChunk: typeof lastChunk === "boolean" ? lastChunk : undefined };
  }
  return undefined;
}

function statusOf(value: unknown): A2AStatus | undefined {
  if (!isObject(value) || typeof value.state !== "string") return undefined;
  return { state: stateOf(value.state), message: messageOf(value.message) };
}

const STATES = new Set<string>(["submitted", "working", "input-required", "auth-required", "completed", "canceled", "failed", "rejected"]);

/** "TASK_STATE_INPUT_REQUIRED" and "input-required" alike → "input-required" ("cancelled" too). */
function stateOf(raw: string): A2AState {
  const state = raw.toLowerCase().replace(/^task_state_/, "").replace(/_/g, "-").replace("cancelled", "canceled");
  return STATES.has(state) ? (state as A2AState) : "unknown";
}

function messageOf(value: unknown): A2AMessage | undefined {
  if (!isObject(value)) return undefined;
  return { parts: arrayOf(value.parts).flatMap(partOf), metadata: objectOrUndefined(value.metadata) };
}

function artifactOf(value: unknown): A2AArtifact[] {
  if (!isObject(value)) return [];
  return [{ id: typeof value.artifactId === "string" ? value.artifactId : "", parts: arrayOf(value.parts).flatMap(partOf) }];
}

function partOf(value: unknown): A2APart[] {
  if (!isObject(value)) return [];
  const metadata = objectOrUndefined(value.metadata);
  if (typeof value.text === "string") return [{ text: value.text, metadata }];
  // 0.3: {"kind": "file", "file": {"bytes" | "uri", "mimeType", "name"}}; 1.0: {"raw" | "url", "mediaType", "filename"}.
  const file = isObject(value.file) ? value.file : value;
  const bytes = typeof file.bytes === "string" ? file.bytes : typeof file.raw === "string" ? file.raw : undefined;
  const mediaType = stringOrUndefined(file.mimeType ?? file.mediaType);
  const name = stringOrUndefined(file.name ?? file.filename);
  if (bytes !== undefined) return [{ bytes, mediaType, name, metadata }];
  const uri = stringOrUndefined(file.uri ?? file.url);
  // A file the agent only links to: its link, as text.
  if (uri !== undefined) return [{ text: name ? `[${name}](${uri})` : uri, metadata }];
  if ("data" in value) return [{ data: value.data, metadata }];
  return [];
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function objectOrUndefined(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
