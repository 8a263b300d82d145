// One task as the agent's parts come in: text appended to the answer artifact piece by piece,
// reasoning as `working` status messages marked as thoughts, files as artifacts of their own,
// citations on the answer, and the final status: completed, input-required with the tool calls
// the client must run (return of control), or failed with what the caller may read of the error.
import type { AgentError } from "../../errors.ts";
import { bytesToBase64 } from "../../aws/base64.ts";
import type { AgentFile, AgentPart, CitationPart, FinishReason } from "../../parts.ts";
import type { AgentMessage, Artifact, Part, Task, TaskEvent, TaskState, TaskStatus } from "./response.ts";

export const ANSWER_ARTIFACT = "answer";

/** What ends a task besides its parts: usage, cost and AWS's request id, known once the parts ended. */
export type Outcome = Record<string, unknown>;

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface TaskRunOptions {
  includeReasoning: boolean;
  /** A blocking reply: keep the whole answer for the task. */
  whole: boolean;
}

export class TaskRun {
  #answerSent = false;
  #text = "";
  #reasoning = "";
  readonly #citations: Array<Omit<CitationPart, "type">> = [];
  readonly #calls = new Map<string, ToolCall>();
  readonly #files: Artifact[] = [];
  /** A blocking reply's thoughts, for its history. */
  readonly #reasoningMessages: AgentMessage[] = [];
  #error: AgentError | undefined;
  #finish: FinishReason | undefined;

  readonly #taskId: string;
  readonly #contextId: string;
  readonly #options: TaskRunOptions;

  constructor(taskId: string, contextId: string, options: TaskRunOptions) {
    this.#taskId = taskId;
    this.#contextId = contextId;
    this.#options = options;
  }

  /** The task as a stream starts it. */
  submitted(): TaskEvent[] {
    return [{ task: { id: this.#taskId, contextId: this.#contextId, status: this.#status("submitted") } }, this.#statusUpdate(this.#status("working"))];
  }

  /** Reads a batch of parts; the events it makes, in order (none for a blocking reply). */
  read(batch: AgentPart[]): TaskEvent[] {
    const events: TaskEvent[] = [];
    let text = "";
    let reasoning = "";
    // Pieces of one kind in a row go out as one event; a change of kind sends what came before.
    const flush = () => {
      if (text) events.push(this.#answerPiece(text));
      if (reasoning) events.push(this.#statusUpdate(this.#status("working", this.#message([{ text: reasoning }], { thought: true }))));
      text = reasoning = "";
    };
    for (const part of batch) {
      switch (part.type) {
        case "text-delta":
          if (reasoning) flush();
          text += part.text;
          break;
        case "reasoning-delta":
          if (!this.#options.includeReasoning) break;
          if (text) flush();
          reasoning += part.text;
          break;
        case "tool-call-start":
          this.#calls.set(part.id, { id: part.id, name: part.name, arguments: "" });
          break;
        case "tool-call-delta": {
          const call = this.#calls.get(part.id);
          if (call) call.arguments += part.delta;
          break;
        }
        case "citation": {
          const { type: _, ...citation } = part;
          this.#citations.push(citation);
          break;
        }
        case "file":
          flush();
          events.push(this.#fileArtifact(part.file));
          break;
        case "finish":
          this.#finish = part.reason;
          break;
        case "error":
          this.#error = part.error;
          break;
      }
    }
    flush();
    if (this.#options.whole) {
      for (const event of events) {
        if ("artifactUpdate" in event && event.artifactUpdate.artifact.artifactId !== ANSWER_ARTIFACT) this.#files.push(event.artifactUpdate.artifact);
      }
      return [];
    }
    return events;
  }

  /** A failure the parts did not report (the stream broke): the task fails with it. */
  fail(error: AgentError): void {
    this.#error ??= error;
  }

  /** The events that end the stream: the answer's last chunk (with its citations), then the final status. */
  end(outcome: Outcome): TaskEvent[] {
    const events: TaskEvent[] = [];
    if (this.#answerSent) {
      const artifact = this.#answerArtifact("");
      events.push({ artifactUpdate: { taskId: this.#taskId, contextId: this.#contextId, artifact, append: true, lastChunk: true } });
    }
    const [status, metadata] = this.#final(outcome);
    events.push(this.#statusUpdate(status, metadata));
    return events;
  }

  /** The finished task, for a blocking reply. */
  task(outcome: Outcome): Task {
    const [status, metadata] = this.#final(outcome);
    const artifacts = this.#text ? [this.#answerArtifact(this.#text), ...this.#files] : this.#files;
    const task: Task = { id: this.#taskId, contextId: this.#contextId, status };
    if (artifacts.length > 0) task.artifacts = artifacts;
    if (this.#reasoningMessages.length > 0) task.history = this.#reasoningMessages;
    task.metadata = metadata;
    return task;
  }

  #final(outcome: Outcome): [TaskStatus, Outcome] {
    const metadata: Outcome = { ...outcome };
    if (this.#finish && this.#finish !== "stop") metadata.finishReason = this.#finish;
    if (this.#error) {
      metadata.error = { type: this.#error.type, code: this.#error.code };
      return [this.#status("failed", this.#message([{ text: this.#error.message }])), metadata];
    }
    if (this.#calls.size > 0) {
      const toolCalls = [...this.#calls.values()].map((call) => ({ id: call.id, name: call.name, arguments: argumentsOf(call.arguments) }));
      return [this.#status("input-required", this.#message([{ data: { tool_calls: toolCalls }, mediaType: "application/json" }])), metadata];
    }
    return [this.#status("completed"), metadata];
  }

  /** A piece of the answer: the artifact's first, or one appended to it; a blocking reply keeps it instead. */
  #answerPiece(text: string): TaskEvent {
    if (this.#options.whole) this.#text += text;
    const append = this.#answerSent;
    this.#answerSent = true;
    const artifact: Artifact = append ? { artifactId: ANSWER_ARTIFACT, parts: [{ text }] } : { artifactId: ANSWER_ARTIFACT, name: ANSWER_ARTIFACT, parts: [{ text }] };
    return { artifactUpdate: append ? { taskId: this.#taskId, contextId: this.#contextId, artifact, append } : { taskId: this.#taskId, contextId: this.#contextId, artifact } };
  }

  #answerArtifact(text: string): Artifact {
    const artifact: Artifact = { artifactId: ANSWER_ARTIFACT, name: ANSWER_ARTIFACT, parts: [{ text }] };
    if (this.#citations.length > 0) artifact.metadata = { citations: this.#citations };
    return artifact;
  }

  #fileArtifact(file: AgentFile): TaskEvent {
    const part: Part = { raw: bytesToBase64(file.bytes), mediaType: file.type, filename: file.name };
    const artifact: Artifact = { artifactId: `file-${this.#files.length + 1}-${crypto.randomUUID().slice(0, 8)}`, name: file.name, parts: [part] };
    return { artifactUpdate: { taskId: this.#taskId, contextId: this.#contextId, artifact } };
  }

  #statusUpdate(status: TaskStatus, metadata?: Outcome): TaskEvent {
    if (this.#options.whole && status.message?.metadata?.thought) this.#reasoningMessages.push(status.message);
    const update = { taskId: this.#taskId, contextId: this.#contextId, status };
    return { statusUpdate: metadata ? { ...update, metadata } : update };
  }

  #status(state: TaskState, message?: AgentMessage): TaskStatus {
    return message ? { state, message, timestamp: new Date().toISOString() } : { state, timestamp: new Date().toISOString() };
  }

  #message(parts: Part[], metadata?: Record<string, unknown>): AgentMessage {
    const message: AgentMessage = { messageId: crypto.randomUUID(), contextId: this.#contextId, taskId: this.#taskId, parts };
    if (metadata) message.metadata = metadata;
    return message;
  }
}

/** A tool call's arguments as JSON, as A2A data carries it; the text itself when it is not JSON. */
function argumentsOf(text: string): unknown {
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
