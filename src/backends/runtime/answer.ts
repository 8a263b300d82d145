// An InvokeAgentRuntime answer → parts. The agent's author chose the shapes: SSE events (Strands'
// `{"event": ...}` with `{"data": ...}` twins of each text delta, JSON strings, OpenAI chunks) or
// one JSON document. Text comes from the first shape that carries it, so a twin never doubles it.
import type { Batches } from "../../batches.ts";
import { DependencyFailedError } from "../../errors.ts";
import type { AgentPart, FinishReason } from "../../parts.ts";
import { tokenCount } from "../../usage.ts";
import { pushTrace } from "../trace-redaction.ts";
import { type BodyReader, bodyParts } from "./sse-lines.ts";

type Shape = "event" | "data" | "string" | "openai";

export interface RuntimeAnswerOptions {
  includeReasoning: boolean;
  includeTraces: boolean;
  requestId: string | undefined;
}

/** The parts of a runtime's answer, a batch per network read (a JSON document's, all at the end). */
export function runtimeParts(response: Response, options: RuntimeAnswerOptions, onRead: () => void): Batches<AgentPart> {
  return bodyParts(response, new AnswerReader(options), onRead);
}

class AnswerReader implements BodyReader {
  #shape: Shape | undefined;
  #finish: FinishReason = "stop";
  #inputTokens = 0;
  #outputTokens = 0;
  #sentText = false;

  readonly #options: RuntimeAnswerOptions;

  constructor(options: RuntimeAnswerOptions) {
    this.#options = options;
  }

  data(data: string, out: AgentPart[]): void {
    this.#event(parse(data), out);
  }

  #event(value: unknown, out: AgentPart[]): void {
    if (this.#options.includeTraces) pushTrace(out, value, this.#options.includeReasoning);
    if (typeof value === "string") return this.#text("string", value, out);
    if (!value || typeof value !== "object") return;
    const event = value as Record<string, unknown>;
    if (event.error !== undefined || event.error_type !== undefined) {
      const message = String(event.message ?? event.error ?? "the agent reported an error");
      // The agent's own words (a stack trace, at worst): the endpoint shows them to the master key only.
      throw new DependencyFailedError(`The agent failed: ${message.slice(0, 500)}`, {
        code: String(event.error_type ?? "agent_error"),
        requestId: this.#options.requestId,
        awsMessage: message,
        summaryLead: "The agent failed",
      });
    }
    const inner = event.event as Record<string, Record<string, unknown> | undefined> | undefined;
    if (inner && typeof inner === "object") {
      const delta = inner.contentBlockDelta?.delta as { text?: unknown; reasoningContent?: { text?: unknown } } | undefined;
      if (typeof delta?.text === "string") this.#text("event", delta.text, out);
      if (typeof delta?.reasoningContent?.text === "string" && this.#options.includeReasoning) out.push({ type: "reasoning-delta", text: delta.reasoningContent.text });
      const usage = inner.metadata?.usage as { inputTokens?: unknown; outputTokens?: unknown } | undefined;
      if (usage) this.#usage(usage.inputTokens, usage.outputTokens);
      const stop = inner.messageStop?.stopReason;
      if (typeof stop === "string") this.#stop(stop);
      return;
    }
    if (typeof event.data === "string") return this.#text("data", event.data, out);
    const choice = (event.choices as Array<{ delta?: { content?: unknown }; finish_reason?: unknown }> | undefined)?.[0];
    if (choice) {
      if (typeof choice.delta?.content === "string") this.#text("openai", choice.delta.content, out);
      if (choice.finish_reason === "length") this.#finish = "length";
    }
    const usage = event.usage as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
    if (usage && typeof usage === "object") this.#usage(usage.prompt_tokens, usage.completion_tokens);
    // A final `{"message": ...}` repeats what streamed; it counts only when nothing did.
    if (event.message !== undefined && !this.#sentText) {
      const text = textOf(event.message);
      if (text) out.push({ type: "text-delta", text });
      this.#sentText = this.#sentText || text !== "";
    }
  }

  /** A whole JSON (or other) document: its text, as an agent's entrypoint returned it. */
  document(text: string, type: string, out: AgentPart[]): void {
    if (type !== "application/json") {
      if (text) out.push({ type: "text-delta", text });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      if (text) out.push({ type: "text-delta", text });
      return;
    }
    if (this.#options.includeTraces) pushTrace(out, value, this.#options.includeReasoning);
    const object = value as Record<string, unknown> | null;
    if (object && typeof object === "object" && (object.error !== undefined || object.error_type !== undefined) && object.result === undefined) {
      this.#event(value, out);
    }
    const usage = (object?.usage ?? undefined) as Record<string, unknown> | undefined;
    if (usage && typeof usage === "object") this.#usage(usage.prompt_tokens ?? usage.inputTokens ?? usage.input_tokens, usage.completion_tokens ?? usage.outputTokens ?? usage.output_tokens);
    const answer = textOf(value);
    if (answer) out.push({ type: "text-delta", text: answer });
  }

  end(out: AgentPart[]): void {
    out.push({ type: "usage", model: undefined, inputTokens: this.#inputTokens, outputTokens: this.#outputTokens }, { type: "finish", reason: this.#finish });
  }

  #text(shape: Shape, text: string, out: AgentPart[]): void {
    this.#shape ??= shape;
    if (shape !== this.#shape || !text) return;
    this.#sentText = true;
    out.push({ type: "text-delta", text });
  }

  #usage(input: unknown, output: unknown): void {
    this.#inputTokens += tokenCount(input);
    this.#outputTokens += tokenCount(output);
  }

  #stop(reason: string): void {
    if (reason === "max_tokens") this.#finish = "length";
    else if (reason === "content_filtered" || reason === "guardrail_intervened") this.#finish = "content-filter";
    else if (reason === "end_turn") this.#finish = "stop";
  }
}

/**
 * The text of an agent's JSON answer, in the shapes agents on AgentCore return: a string,
 * `{"result"}`, `{"response"}`, `{"output"}`, a message with content blocks, an OpenAI
 * completion; anything else as its JSON text.
 */
export function textOf(value: unknown, depth = 0): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined || depth > 4) return "";
  if (Array.isArray(value)) return value.map((item) => textOf(item, depth + 1)).join("");
  if (typeof value !== "object") return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  if (typeof object.text === "string") return object.text;
  for (const key of ["result", "response", "output", "content", "message"]) {
    if (object[key] !== undefined) return textOf(object[key], depth + 1);
  }
  const choice = (object.choices as Array<{ message?: { content?: unknown } }> | undefined)?.[0];
  if (choice?.message) return textOf(choice.message.content, depth + 1);
  return depth === 0 ? JSON.stringify(value) : "";
}

function parse(data: string): unknown {
  if (data === "[DONE]") return undefined; // OpenAI-shaped agents end so
  try {
    return JSON.parse(data);
  } catch {
    return data; // plain text events
  }
}
