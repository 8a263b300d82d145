// The answer of a runtime that speaks A2A → parts: JSON-RPC JSON (message/send) or SSE of
// JSON-RPC responses (message/stream). Text comes from Messages, artifacts (appended pieces as
// they come) and status messages; a working message marked as a thought is reasoning; how the
// task ended is the finish, or an error.
import { base64ToBytes } from "../../aws/base64.ts";
import { jsonRpcErrorOf } from "../../aws/json-rpc-errors.ts";
import type { Batches } from "../../batches.ts";
import { DependencyFailedError, StreamError } from "../../errors.ts";
import type { AgentPart } from "../../parts.ts";
import { tokenCount } from "../../usage.ts";
import { pushTrace } from "../trace-redaction.ts";
import { type A2AArtifact, type A2AMessage, type A2APart, type A2AStatus, a2aEvent } from "./a2a-events.ts";
import { a2aError } from "./a2a-errors.ts";
import type { RuntimeAnswerOptions } from "./answer.ts";
import { type BodyReader, bodyParts } from "./sse-lines.ts";

export interface A2AAnswerOptions extends RuntimeAnswerOptions {
  /** Filled with how the task ended when it waits on the user (`input-required`, `auth-required`). */
  outcome: { stopReason?: string };
}

/** The parts of an A2A answer, a batch per network read (a JSON document's, all at the end). */
export function a2aParts(response: Response, options: A2AAnswerOptions, onRead: () => void): Batches<AgentPart> {
  return bodyParts(response, new A2AAnswerReader(options), onRead);
}

// Where agents mark a message or part as thinking: Gemini's and ADK's keys, and plain ones.
const THOUGHT_KEYS = ["thought", "adk_thought", "reasoning", "is_thought"];

class A2AAnswerReader implements BodyReader {
  /** All the answer's text so far, to tell a repeat from new text. */
  #sent = "";
  /** Per artifact id, the text sent of it: a later whole copy adds only what is past it. */
  readonly #artifacts = new Map<string, string>();
  #inputTokens = 0;
  #outputTokens = 0;

  readonly #options: A2AAnswerOptions;

  constructor(options: A2AAnswerOptions) {
    this.#options = options;
  }

  data(data: string, out: AgentPart[]): void {
    this.#response(parse(data), out);
  }

  document(text: string, _type: string, out: AgentPart[]): void {
    this.#response(parse(text), out);
  }

  /** One JSON-RPC response: a result, or an error raised as ours. */
  #response(value: unknown, out: AgentPart[]): void {
    if (value === undefined) return;
    if (this.#options.includeTraces) pushTrace(out, value, this.#options.includeReasoning);
    const rpc = jsonRpcErrorOf(value);
    if (rpc) throw a2aError(rpc, this.#options.requestId);
    const result = (value as { result?: unknown } | null)?.result;
    const event = a2aEvent(result);
    if (!event) {
      if (result === undefined) throw new StreamError("The agent answered with something other than A2A JSON-RPC", { code: "invalid_a2a_response", requestId: this.#options.requestId });
      return; // a kind of event we do not know: skipped, as clients do
    }
    switch (event.kind) {
      case "message":
        return this.#whole(event.message.parts, undefined, out);
      case "artifact":
        return this.#artifact(event.artifact, event.append, event.lastChunk, out);
      case "task":
        for (const artifact of event.artifacts) this.#artifact(artifact, false, undefined, out);
        this.#usage(event.metadata);
        if (event.status) this.#status(event.status, out);
        return;
      case "status":
        this.#usage(event.metadata);
        return this.#status(event.status, out);
    }
  }

  end(out: AgentPart[]): void {
    out.push({ type: "usage", model: undefined, inputTokens: this.#inputTokens, outputTokens: this.#outputTokens }, { type: "finish", reason: "stop" });
  }

  #status({ state, message }: A2AStatus, out: AgentPart[]): void {
    if (state === "failed" || state === "rejected" || state === "canceled") {
      const said = message ? textOf(message.parts) : "";
      // The agent's own words: the endpoint shows them to the master key only.
      const lead = `The agent's task ${state === "failed" ? "failed" : `was ${state}`}`;
      throw new DependencyFailedError(`${lead}${said ? `: ${said.slice(0, 500)}` : ""}`, {
        code: `task_${state}`,
        requestId: this.#options.requestId,
        awsMessage: said || state,
        summaryLead: lead,
      });
    }
    if (state === "input-required" || state === "auth-required") this.#options.outcome.stopReason = state;
    if (!message) return;
    if ((state === "working" || state === "submitted") && isThought(message)) {
      if (this.#options.includeReasoning) for (const part of message.parts) if (part.text) out.push({ type: "reasoning-delta", text: part.text });
      return;
    }
    // Working messages are the answer as it streams (Strands sends its text so, then the whole of
    // it as an artifact), or notes on the way; a question back (input-required) is the answer.
    if (state === "working" || state === "submitted") this.#pieces(message.parts, false, out);
    else this.#whole(message.parts, undefined, out);
  }

  #artifact(artifact: A2AArtifact, append: boolean, lastChunk: boolean | undefined, out: AgentPart[]): void {
    const before = this.#artifacts.get(artifact.id);
    const text = textOf(artifact.parts);
    this.#artifacts.set(artifact.id, append && before !== undefined ? before + text : text);
    if (append && before !== undefined) return this.#pieces(artifact.parts, false, out);
    // The first piece of an artifact that streams: never a repeat, however short.
    if (before === undefined && lastChunk === false) return this.#pieces(artifact.parts, true, out);
    this.#whole(artifact.parts, before, out);
  }

  /** Pieces of text as they come; `apart`: the start of something new, after a blank line. */
  #pieces(parts: A2APart[], apart: boolean, out: AgentPart[]): void {
    if (apart && this.#sent !== "" && parts.some((part) => partText(part) !== "")) this.#text("\n\n", out);
    for (const part of parts) this.#part(part, out);
  }

  /**
   * A whole text: only what is past `before` (the same artifact's text sent earlier); nothing
   * when the text sent so far ends with it (Strands streams its answer as working messages,
   * then sends it whole as an artifact; a final status may repeat it); else after a blank line.
   */
  #whole(parts: A2APart[], before: string | undefined, out: AgentPart[]): void {
    const text = textOf(parts);
    if (before !== undefined && text.startsWith(before)) this.#text(text.slice(before.length), out);
    else if (text !== "" && !this.#sent.endsWith(text)) this.#text(this.#sent === "" ? text : `\n\n${text}`, out);
    for (const part of parts) if (part.bytes !== undefined) this.#part(part, out);
  }

  #part(part: A2APart, out: AgentPart[]): void {
    if (part.bytes !== undefined) {
      out.push({ type: "file", file: { name: part.name ?? "file", type: part.mediaType ?? "application/octet-stream", bytes: base64ToBytes(part.bytes) } });
    } else this.#text(partText(part), out);
  }

  #text(text: string, out: AgentPart[]): void {
    if (text === "") return;
    this.#sent += text;
    out.push({ type: "text-delta", text });
  }

  /** Usage, when an agent reports it in metadata (this endpoint's own A2A server does). */
  #usage(metadata: Record<string, unknown> | undefined): void {
    const usage = metadata?.usage as Record<string, unknown> | undefined;
    if (!usage || typeof usage !== "object") return;
    this.#inputTokens += tokenCount(usage.inputTokens ?? usage.input_tokens ?? usage.prompt_tokens);
    this.#outputTokens += tokenCount(usage.outputTokens ?? usage.output_tokens ?? usage.completion_tokens);
  }
}

function isThought(message: A2AMessage): boolean {
  const marked = (metadata: Record<string, unknown> | undefined) => metadata !== undefined && THOUGHT_KEYS.some((key) => metadata[key] === true);
  return marked(message.metadata) || (message.parts.length > 0 && message.parts.every((part) => marked(part.metadata)));
}

/** Text and data parts as text (data as its JSON); files are parts of their own. */
function textOf(parts: A2APart[]): string {
  return parts.map(partText).join("");
}

function partText(part: A2APart): string {
  if (part.text !== undefined) return part.text;
  if (part.bytes === undefined && part.data !== undefined) return JSON.stringify(part.data);
  return "";
}

function parse(data: string): unknown {
  if (data.trim() === "") return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return null; // not JSON-RPC: reported by `response`
  }
}
