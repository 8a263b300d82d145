// An AgentCore runtime deployed with server protocol A2A: the container answers JSON-RPC as the
// Python A2A SDK serves it (0.3 unless the call carries `A2A-Version: 1.0`), and AgentCore's own
// failures come as JSON-RPC errors on real HTTP statuses with its codes (-32051 to -32055).
// Pure (Web APIs only): tests inside workerd import the expectation constants.
import { utf8 } from "./frames.ts";
import { wordPieces } from "./scenarios.ts";
import type { Step } from "./scenarios.ts";

/** The `a2a` answer: the user's text quoted, and how many messages its context has heard. */
export function a2aAnswer(text: string, heard: number): string {
  return `A2A agent here. You said: "${text}". This context has heard ${heard} messages.`;
}
/** The working message the streamed answer starts with, marked as a thought. */
export const A2A_THOUGHT = "Thinking it over: the user wants an echo.";
export const A2A_THOUGHT_METADATA = { thought: true };
/** The question of `a2a:input-required`. */
export const A2A_QUESTION = "Which city do you mean: Lisbon or Porto?";
/** What `a2a:failed` says before it fails, and why it fails. */
export const A2A_PARTIAL_TEXT = "Starting on it, ";
export const A2A_FAILURE = "The weather service is down.";
/** `a2a:conflict-once`: AgentCore's answer while the session is being provisioned. */
export const A2A_SESSION_BUSY = "Session operation in progress, please retry";
/** AgentCore's HTTP status for each of its JSON-RPC codes. */
export const AGENTCORE_RPC_STATUS: Record<number, number> = { [-32051]: 404, [-32052]: 400, [-32053]: 429, [-32054]: 409, [-32055]: 424, [-32603]: 500 };

export interface A2ARuntimeRequest {
  args: string[];
  payload: unknown;
  headers: Record<string, string>;
  sessionId: string;
}

export type A2ARuntimePlan = { contentType: string; steps: Step[]; httpStatus?: number };

// What the container remembers: the messages each context heard, and the sessions already refused once.
const heardByContext = new Map<string, number>();
const refusedSessions = new Set<string>();

type Json = Record<string, unknown>;

export function planA2ARuntime(req: A2ARuntimeRequest): A2ARuntimePlan {
  const [variant = "task", arg] = req.args;
  const rpc = (req.payload ?? {}) as Json;
  const id = (rpc.id ?? null) as string | number | null;
  if (variant === "rpc-error") return agentCoreError(id, Number(arg ?? -32055), "Emulated AgentCore error.");
  if (variant === "conflict-once" && !refusedSessions.has(req.sessionId)) {
    refusedSessions.add(req.sessionId);
    return agentCoreError(id, -32054, A2A_SESSION_BUSY);
  }
  // The container: the Python A2A SDK routes on the header alone, a missing one meaning 0.3.
  const v1 = req.headers["a2a-version"] === "1.0";
  const stream = rpc.method === (v1 ? "SendStreamingMessage" : "message/stream");
  if (rpc.jsonrpc !== "2.0" || !("id" in rpc)) return reply(rpcError(id, -32600, "Invalid Request"));
  if (!stream && rpc.method !== (v1 ? "SendMessage" : "message/send")) return reply(rpcError(id, -32601, "Method not found"));
  const message = (rpc.params as Json | undefined)?.message as Json | undefined;
  const invalid = invalidMessage(message, v1);
  if (invalid) return reply(rpcError(id, -32602, invalid));
  const text = (message!.parts as Json[]).flatMap((part) => (typeof part.text === "string" ? [part.text] : [])).join("\n");
  const contextId = typeof message!.contextId === "string" ? message!.contextId : crypto.randomUUID();
  const heard = (heardByContext.get(contextId) ?? 0) + 1;
  heardByContext.set(contextId, heard);
  const a2a = new A2AShapes(v1, id, contextId);
  const answer = variant === "input-required" ? A2A_QUESTION : variant === "failed" ? A2A_PARTIAL_TEXT : a2aAnswer(text, heard);
  if (!stream) return reply(a2a.blockingResult(variant, answer, message!));
  return { contentType: "text/event-stream", steps: a2a.streamSteps(variant, answer) };
}

function invalidMessage(message: Json | undefined, v1: boolean): string | undefined {
  if (!message || typeof message.messageId !== "string") return "params.message.messageId is required";
  if (message.role !== (v1 ? "ROLE_USER" : "user")) return `params.message.role must be ${v1 ? "ROLE_USER" : "user"}`;
  if (!v1 && message.kind !== "message") return 'params.message.kind must be "message"';
  if (!Array.isArray(message.parts) || message.parts.length === 0) return "params.message.parts must not be empty";
  for (const part of message.parts as Json[]) {
    if (!v1 && !["text", "file", "data"].includes(part.kind as string)) return 'each part needs a kind: "text", "file" or "data"';
    if (v1 && "kind" in part) return "A2A 1.0 parts have no kind";
  }
  return undefined;
}

/** The objects of one answer, in the version it was asked in. */
class A2AShapes {
  private readonly taskId = crypto.randomUUID();
  private readonly artifactId = crypto.randomUUID();

  constructor(
    private readonly v1: boolean,
    private readonly id: string | number | null,
    private readonly contextId: string,
  ) {}

  blockingResult(variant: string, answer: string, asked: Json): Json {
    const history = [asked];
    if (variant === "message") return this.wrap("message", this.message(answer));
    if (variant === "input-required") return this.wrap("task", this.task("input-required", history, [], this.message(answer)));
    if (variant === "failed") return this.wrap("task", this.task("failed", history, [this.artifact(answer)], this.message(A2A_FAILURE)));
    // Strands keeps each streamed token as a working message in the history; the answer is the artifact.
    if (variant === "strands") history.push(...wordPieces(answer).map((piece) => this.message(piece)));
    return this.wrap("task", this.task("completed", history, [this.artifact(answer)]));
  }

  streamSteps(variant: string, answer: string): Step[] {
    if (variant === "message") return [this.event("message", this.message(answer))];
    const steps: Step[] = [this.event("task", this.task("submitted", [], []))];
    const pieces = wordPieces(answer);
    if (variant === "strands") {
      // Strands' default: each token as a working status message, then the whole as an artifact.
      for (const piece of pieces) steps.push({ delayMs: 2 }, this.event("status", this.status("working", this.message(piece))));
      steps.push(this.event("artifact", { artifact: this.artifact(answer) }));
      return [...steps, this.event("status", this.status("completed"))];
    }
    steps.push(this.event("status", this.status("working", this.message(A2A_THOUGHT, A2A_THOUGHT_METADATA))));
    if (variant === "input-required") return [...steps, this.event("status", this.status("input-required", this.message(answer)))];
    pieces.forEach((piece, i) => {
      const last = i === pieces.length - 1 && variant !== "failed";
      steps.push({ delayMs: 2 }, this.event("artifact", { artifact: this.artifact(piece), append: i > 0, lastChunk: last }));
    });
    return [...steps, this.event("status", variant === "failed" ? this.status("failed", this.message(A2A_FAILURE)) : this.status("completed"))];
  }

  private message(text: string, metadata?: Json): Json {
    const part = this.v1 ? { text } : { kind: "text", text };
    const message: Json = this.v1
      ? { messageId: crypto.randomUUID(), role: "ROLE_AGENT", parts: [part], contextId: this.contextId, taskId: this.taskId }
      : { kind: "message", messageId: crypto.randomUUID(), role: "agent", parts: [part], contextId: this.contextId, taskId: this.taskId };
    if (metadata) message.metadata = metadata;
    return message;
  }

  private artifact(text: string): Json {
    return { artifactId: this.artifactId, name: "agent_response", parts: [this.v1 ? { text } : { kind: "text", text }] };
  }

  private state(state: string): string {
    return this.v1 ? `TASK_STATE_${state.toUpperCase().replace(/-/g, "_")}` : state;
  }

  private task(state: string, history: Json[], artifacts: Json[], message?: Json): Json {
    const status: Json = { state: this.state(state), timestamp: new Date().toISOString() };
    if (message) status.message = message;
    const task: Json = { id: this.taskId, contextId: this.contextId, status, history };
    if (artifacts.length > 0) task.artifacts = artifacts;
    return this.v1 ? task : { kind: "task", ...task };
  }

  private status(state: string, message?: Json): Json {
    const status: Json = { state: this.state(state) };
    if (message) status.message = message;
    const final = ["completed", "failed", "canceled", "rejected", "input-required"].includes(state);
    return this.v1 ? { status } : { status, final };
  }

  /** A stream event: 1.0 wraps it (`statusUpdate`), 0.3 tags it (`status-update`). */
  private event(kind: "task" | "message" | "status" | "artifact", body: Json): Step {
    const ids = kind === "status" || kind === "artifact" ? { taskId: this.taskId, contextId: this.contextId } : {};
    const v1Key = { task: "task", message: "message", status: "statusUpdate", artifact: "artifactUpdate" }[kind];
    const v03Kind = { task: "task", message: "message", status: "status-update", artifact: "artifact-update" }[kind];
    const result = this.v1 ? { [v1Key]: kind === "task" || kind === "message" ? body : { ...ids, ...body } } : { ...(kind === "task" || kind === "message" ? body : { ...ids, ...body }), kind: v03Kind };
    return { raw: utf8(`data: ${JSON.stringify({ jsonrpc: "2.0", id: this.id, result })}\n\n`) };
  }

  private wrap(key: "task" | "message", value: Json): Json {
    return { jsonrpc: "2.0", id: this.id, result: this.v1 ? { [key]: value } : value };
  }
}

function rpcError(id: unknown, code: number, message: string): Json {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

/** AgentCore's own failure: its code, on the HTTP status it stands for, without `x-amzn-errortype`. */
function agentCoreError(id: unknown, code: number, message: string): A2ARuntimePlan {
  return { ...reply(rpcError(id, code, message)), httpStatus: AGENTCORE_RPC_STATUS[code] ?? 500 };
}

function reply(body: Json): A2ARuntimePlan {
  return { contentType: "application/json", steps: [{ raw: utf8(JSON.stringify(body)) }] };
}
