// Parts → an Anthropic Message, and the events Anthropic streams while building one. One builder
// does both, so both agree; a streamed one does not keep the text its events carried.
import type { AgentError } from "../../errors.ts";
import type { AgentAnswer, AgentPart, FinishReason } from "../../parts.ts";
import { TextWindow } from "../../text-window.ts";
import type { UsageTally } from "../../usage.ts";
import type { Batches } from "../../batches.ts";
import { builtEvents } from "../batches.ts";
import { AnswerBuilder } from "../builder.ts";
import { CitationShapes } from "./citations.ts";
import type { ContentBlock, MessageObject, MessageStreamEvent, StopReason, TextBlock, ToolUseBlock } from "./types.ts";

export interface MessageInfo {
  id: string;
  model: string;
  includeTraces: boolean;
}

// How far back a streamed citation's text may start, for citations without a passage (the
// backends' own windows are as long).
const CITED_WINDOW = 4 * 1024;

const STOP: Record<FinishReason, StopReason> = {
  stop: "end_turn",
  "tool-calls": "tool_use",
  "content-filter": "refusal",
  length: "max_tokens",
};

export class MessageBuilder extends AnswerBuilder<MessageStreamEvent> {
  readonly #content: ContentBlock[] = [];
  /** The index of the block being streamed; undefined when none is open. */
  #open: number | undefined;
  readonly #toolJson = new Map<number, string>();
  /** The text citations point into: all of it for a whole Message, a window for a stream. */
  readonly #recent: TextWindow;
  readonly #shapes = new CitationShapes();
  /** Set once the answer has ended: the Message then has its stop reason. */
  #ended = false;

  readonly #info: MessageInfo;
  readonly #streaming: boolean;

  /** `streaming`: the events carry the text, so the blocks do not keep it. */
  constructor(
    info: MessageInfo,
    answer: AgentAnswer,
    tally: UsageTally,
    streaming = false,
  ) {
    super(answer, tally);
    this.#info = info;
    this.#streaming = streaming;
    this.#recent = streaming ? new TextWindow(CITED_WINDOW) : new TextWindow(Infinity, true);
  }

  override batch(parts: AgentPart[]): MessageStreamEvent[] {
    const events = super.batch(parts);
    this.#recent.settle();
    return events;
  }

  /** The closing events: the open block's stop, `message_delta` with the stop reason and usage, `message_stop`. */
  end(): MessageStreamEvent[] {
    this.start();
    this.#close();
    this.#ended = true;
    const message = this.message();
    const delta: MessageStreamEvent = {
      type: "message_delta",
      delta: { stop_reason: message.stop_reason, stop_sequence: null, stop_details: null, container: null },
      usage: { input_tokens: message.usage.input_tokens, output_tokens: message.usage.output_tokens, cache_creation_input_tokens: null, cache_read_input_tokens: null, server_tool_use: null },
    };
    // Every trace of the answer, as Responses' completed event has them: message_start had only the first.
    if (message.traces) delta.traces = message.traces;
    this.events.push(delta, { type: "message_stop" });
    return this.take();
  }

  /** An error mid-answer: the `error` event the Anthropic SDK raises. */
  fail(error: AgentError): MessageStreamEvent[] {
    this.start();
    this.events.push(anthropicError(error));
    return this.take();
  }

  /** The Message as it stands. */
  message(): MessageObject {
    const message: MessageObject = {
      id: this.#info.id,
      type: "message",
      role: "assistant",
      model: this.#info.model,
      content: this.#content,
      stop_reason: this.#ended ? STOP[this.finish] : null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: {
        input_tokens: this.tally.inputTokens,
        output_tokens: this.tally.outputTokens,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: null,
        server_tool_use: null,
        service_tier: "standard",
        inference_geo: null,
        output_tokens_details: null,
        speed: null,
      },
      session_id: this.answer.session.sessionId,
    };
    if (this.files.length > 0) message.files = this.files;
    if (this.#info.includeTraces) message.traces = this.traces;
    return message;
  }

  protected begin(): void {
    const message = this.message();
    const start = { ...message, content: [], usage: { ...message.usage } };
    // The traces so far, copied: an event already sent must not change under its reader.
    if (message.traces) start.traces = [...message.traces];
    this.events.push({ type: "message_start", message: start });
  }

  protected part(part: Parameters<AnswerBuilder<MessageStreamEvent>["part"]>[0]): void {
    switch (part.type) {
      case "text-delta": {
        const index = this.#block("text");
        if (!this.#streaming) (this.#content[index] as TextBlock).text += part.text;
        this.#recent.append(part.text);
        this.events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: part.text } });
        return;
      }
      case "citation": {
        const index = this.#block("text");
        const block = this.#content[index] as TextBlock;
        const citation = this.#shapes.citation(part, part.text ?? this.#answerText(part.start, part.end));
        (block.citations ??= []).push(citation);
        this.events.push({ type: "content_block_delta", index, delta: { type: "citations_delta", citation } });
        return;
      }
      case "reasoning-delta": {
        const index = this.#block("thinking");
        const block = this.#content[index] as Extract<ContentBlock, { type: "thinking" }>;
        block.thinking += part.text;
        this.events.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: part.text } });
        return;
      }
      case "tool-call-start": {
        this.#close();
        const block: ToolUseBlock = { type: "tool_use", id: part.id, name: part.name, input: {}, caller: { type: "direct" } };
        this.#open = this.#content.push(block) - 1;
        this.#toolJson.set(this.#open, "");
        this.events.push({ type: "content_block_start", index: this.#open, content_block: { ...block } });
        return;
      }
      case "tool-call-delta": {
        const index = this.#open;
        if (index === undefined || (this.#content[index] as ToolUseBlock).id !== part.id) return;
        this.#toolJson.set(index, this.#toolJson.get(index)! + part.delta);
        this.events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: part.delta } });
        return;
      }
      case "tool-call-end":
        this.#close();
        return;
      case "raw-citation":
        return; // Anthropic's citations carry the source already
    }
  }

  /** The answer's text from start to end, when still at hand: what a citation without a passage cites. */
  #answerText(start: number, end: number): string {
    const from = this.#recent.start;
    return start >= from ? this.#recent.text().slice(start - from, end - from) : "";
  }

  /** The open block of this type, opening one (after closing any other) when needed. */
  #block(type: "text" | "thinking"): number {
    if (this.#open !== undefined && this.#content[this.#open]!.type === type) return this.#open;
    this.#close();
    const block: ContentBlock = type === "text" ? { type: "text", text: "", citations: null } : { type: "thinking", thinking: "", signature: "" };
    this.#open = this.#content.push(block) - 1;
    this.events.push({ type: "content_block_start", index: this.#open, content_block: { ...block } });
    return this.#open;
  }

  #close(): void {
    const index = this.#open;
    if (index === undefined) return;
    this.#open = undefined;
    const block = this.#content[index]!;
    if (block.type === "tool_use") block.input = parseInput(this.#toolJson.get(index) ?? "");
    this.events.push({ type: "content_block_stop", index });
  }
}

/** Anthropic's error body, by status: the `type` its SDKs map to their error classes. */
export function anthropicError(error: AgentError): { type: "error"; error: { type: string; message: string } } {
  const type =
    error.status === 400 ? "invalid_request_error"
    : error.status === 401 ? "authentication_error"
    : error.status === 403 ? "permission_error"
    : error.status === 404 ? "not_found_error"
    : error.status === 413 ? "request_too_large"
    : error.status === 429 ? "rate_limit_error"
    : error.status === 503 || error.status === 529 ? "overloaded_error"
    : "api_error";
  return { type: "error", error: { type, message: error.message } };
}

/** Tool arguments are a JSON object; anything else is kept as the text it was. */
function parseInput(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json || "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : { value };
  } catch {
    return { arguments: json };
  }
}

export async function toMessage(answer: AgentAnswer, info: MessageInfo, tally: UsageTally): Promise<MessageObject> {
  const builder = new MessageBuilder(info, answer, tally);
  for await (const parts of answer.parts) builder.batch(parts);
  builder.end();
  return builder.message();
}

export function toMessageEvents(answer: AgentAnswer, info: MessageInfo, tally: UsageTally): Batches<MessageStreamEvent> {
  return builtEvents(answer.parts, new MessageBuilder(info, answer, tally, true));
}
