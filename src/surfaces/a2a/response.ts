// A2A's objects as the endpoint answers with them (Task, Message, status and artifact updates),
// built once in a neutral form and written in the shape of the version asked: 1.0 wraps results
// (`{"task": ...}`) and spells enums TASK_STATE_* and ROLE_*; 0.3 returns bare objects tagged
// with `kind`, states in kebab-case, and marks the last status update `final`.
import type { A2aVersion } from "./json-rpc.ts";

export type TaskState = "submitted" | "working" | "input-required" | "completed" | "failed";

type Metadata = Record<string, unknown>;

export type Part =
  | { text: string; metadata?: Metadata }
  | { data: Record<string, unknown>; mediaType?: string; metadata?: Metadata }
  | { raw: string; mediaType: string; filename: string; metadata?: Metadata };

export interface AgentMessage {
  messageId: string;
  contextId: string;
  taskId: string;
  parts: Part[];
  metadata?: Metadata;
}

export interface TaskStatus {
  state: TaskState;
  message?: AgentMessage;
  timestamp: string;
}

export interface Artifact {
  artifactId: string;
  name?: string;
  parts: Part[];
  metadata?: Metadata;
}

export interface Task {
  id: string;
  contextId: string;
  status: TaskStatus;
  artifacts?: Artifact[];
  history?: AgentMessage[];
  metadata?: Metadata;
}

/** One event of a stream (or the blocking reply: a task). */
export type TaskEvent =
  | { task: Task }
  | { statusUpdate: { taskId: string; contextId: string; status: TaskStatus; metadata?: Metadata } }
  | { artifactUpdate: { taskId: string; contextId: string; artifact: Artifact; append?: boolean; lastChunk?: boolean } };

/** Ends a task's stream (the SDKs stop there too): input-required waits for the client's next message. */
export function isFinal(state: TaskState): boolean {
  return state === "completed" || state === "failed" || state === "input-required";
}

/** An event in the shape of `version`, as a JSON-RPC result. */
export function wire(event: TaskEvent, version: A2aVersion): unknown {
  if (version === "1.0") {
    if ("task" in event) return { task: task10(event.task) };
    if ("statusUpdate" in event) return { statusUpdate: { ...event.statusUpdate, status: status10(event.statusUpdate.status) } };
    return event;
  }
  if ("task" in event) return task03(event.task);
  if ("statusUpdate" in event) {
    const update = event.statusUpdate;
    return { kind: "status-update", ...update, status: status03(update.status), final: isFinal(update.status.state) };
  }
  const update = event.artifactUpdate;
  return { kind: "artifact-update", ...update, artifact: artifact03(update.artifact) };
}

const STATES_10: Record<TaskState, string> = {
  submitted: "TASK_STATE_SUBMITTED",
  working: "TASK_STATE_WORKING",
  "input-required": "TASK_STATE_INPUT_REQUIRED",
  completed: "TASK_STATE_COMPLETED",
  failed: "TASK_STATE_FAILED",
};

function task10(task: Task): unknown {
  const out: Record<string, unknown> = { ...task, status: status10(task.status) };
  if (task.history) out.history = task.history.map(message10);
  return out;
}

function status10(status: TaskStatus): unknown {
  const out: Record<string, unknown> = { state: STATES_10[status.state], timestamp: status.timestamp };
  if (status.message) out.message = message10(status.message);
  return out;
}

function message10(message: AgentMessage): unknown {
  return { ...message, role: "ROLE_AGENT" };
}

function task03(task: Task): unknown {
  const out: Record<string, unknown> = { kind: "task", ...task, status: status03(task.status) };
  if (task.artifacts) out.artifacts = task.artifacts.map(artifact03);
  if (task.history) out.history = task.history.map(message03);
  return out;
}

function status03(status: TaskStatus): unknown {
  const out: Record<string, unknown> = { state: status.state, timestamp: status.timestamp };
  if (status.message) out.message = message03(status.message);
  return out;
}

function message03(message: AgentMessage): unknown {
  return { kind: "message", ...message, role: "agent", parts: message.parts.map(part03) };
}

function artifact03(artifact: Artifact): unknown {
  return { ...artifact, parts: artifact.parts.map(part03) };
}

function part03(part: Part): unknown {
  const metadata = part.metadata ? { metadata: part.metadata } : {};
  if ("text" in part) return { kind: "text", text: part.text, ...metadata };
  if ("data" in part) return { kind: "data", data: part.data, ...metadata };
  return { kind: "file", file: { bytes: part.raw, mimeType: part.mediaType, name: part.filename }, ...metadata };
}
