// Parts → an OpenAI Response, and the events OpenAI streams while building one. One builder
// does both, so a streamed answer ends in exactly the Response a non-streamed one would be.
import type { AgentError } from "../../errors.ts";
import type { AgentAnswer, CitationPart, FunctionTool } from "../../parts.ts";
import type { UsageTally } from "../../usage.ts";
import type { Batches } from "../../batches.ts";
import { builtEvents } from "../batches.ts";
import { AnswerBuilder } from "../builder.ts";
import type { OutputItem, OutputMessage, OutputText, ResponseObject, ResponseStreamEvent, ResponsesParams, OutputTextAnnotation } from "./types.ts";

/** What is known about one call before its parts are read. */
export interface ResponseInfo {
  /** The signed response id, which carries the session. */
  id: string;
  createdAt: number;
  model: string;
  params: ResponsesParams;
  /** The function tools the request offered. */
  tools: FunctionTool[];
  includeTraces: boolean;
  includeCitations: boolean;
}

type Open =
  | { kind: "message"; index: number; item: OutputMessage; textStart: number }
  | { kind: "reasoning"; index: number; item: Extract<OutputItem, { type: "reasoning" }> }
  | { kind: "function_call"; index: number; item: Extract<OutputItem, { type: "function_call" }> };

export class ResponseBuilder extends AnswerBuilder<ResponseStreamEvent> {
  #sequence = 0;
  readonly #output: OutputItem[] = [];
  #open: Open | undefined;
  #textLength = 0; // of the answer so far: where each message's citation indices start
  readonly #citations: unknown[] = [];

  readonly #info: ResponseInfo;

  constructor(
    info: ResponseInfo,
    answer: AgentAnswer,
    tally: UsageTally,
  ) {
    super(answer, tally);
    this.#info = info;
  }

  /** The closing events: the open item done, then `response.completed` (or `.incomplete`). */
  end(): ResponseStreamEvent[] {
    this.start();
    this.#close();
    const response = this.#response(this.finish === "content-filter" || this.finish === "length" ? "incomplete" : "completed");
    this.#emit(response.status === "incomplete" ? "response.incomplete" : "response.completed", { response });
    return this.take();
  }

  /** An error mid-answer: `response.failed`, then the `error` event the openai package raises. */
  fail(error: AgentError): ResponseStreamEvent[] {
    this.start();
    this.#close("incomplete");
    const response = this.#response("failed", error);
    this.#emit("response.failed", { response });
    const body = error.toJSON().error;
    this.#emit("error", { code: body.code, message: body.message, param: body.param, error: body });
    return this.take();
  }

  /** The Response as it stands; `status` completes it. */
  #response(status: ResponseObject["status"], error?: AgentError): ResponseObject {
    const { params } = this.#info;
    const response: ResponseObject = {
      id: this.#info.id,
      object: "response",
      created_at: this.#info.createdAt,
      status,
      error: error ? { code: error.status === 429 ? "rate_limit_exceeded" : "server_error", message: error.message } : null,
      incomplete_details:
        status !== "incomplete" ? null : { reason: this.finish === "content-filter" ? "content_filter" : "max_output_tokens" },
      instructions: typeof params.instructions === "string" ? params.instructions : null,
      metadata: params.metadata ?? null,
      model: this.#info.model,
      output: this.#output,
      output_text: this.#output.flatMap((item) => (item.type === "message" ? item.content.map((c) => c.text) : [])).join(""),
      parallel_tool_calls: true,
      previous_response_id: params.previous_response_id ?? null,
      max_output_tokens: params.max_output_tokens ?? null,
      temperature: null,
      top_p: null,
      tool_choice: "auto",
      tools: this.#info.tools.map((tool) => ({
        type: "function" as const,
        name: tool.name,
        description: tool.description ?? null,
        parameters: tool.parameters ?? null,
        strict: null,
      })),
      store: false,
      text: { format: { type: "text" } },
      truncation: "disabled",
      session_id: this.answer.session.sessionId,
    };
    if (status !== "in_progress") {
      response.usage = {
        input_tokens: this.tally.inputTokens,
        input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        output_tokens: this.tally.outputTokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: this.tally.inputTokens + this.tally.outputTokens,
      };
    }
    if (this.files.length > 0) response.files = this.files;
    if (this.#info.includeTraces) response.traces = this.traces;
    if (this.#info.includeCitations) response.citations = this.#citations;
    return response;
  }

  protected begin(): void {
    const response = this.#response("in_progress");
    this.#emit("response.created", { response: { ...response, output: [] } });
    this.#emit("response.in_progress", { response: { ...response, output: [] } });
  }

  protected part(part: Parameters<AnswerBuilder<ResponseStreamEvent>["part"]>[0]): void {
    switch (part.type) {
      case "text-delta": {
        const open = this.#message();
        open.item.content[0]!.text += part.text;
        this.#textLength += part.text.length;
        // The commonest event, built whole rather than spread by emit().
        const delta = { type: "response.output_text.delta", sequence_number: this.#sequence++, item_id: open.item.id, output_index: open.index, content_index: 0, delta: part.text, logprobs: [] };
        this.events.push(delta);
        return;
      }
      case "citation": {
        const open = this.#message();
        const annotations = open.item.content[0]!.annotations;
        const annotation = toAnnotation(part, open.textStart);
        annotations.push(annotation);
        this.#emit("response.output_text.annotation.added", {
          item_id: open.item.id,
          output_index: open.index,
          content_index: 0,
          annotation_index: annotations.length - 1,
          annotation,
        });
        return;
      }
      case "reasoning-delta": {
        let open = this.#open;
        if (open?.kind !== "reasoning") {
          this.#close();
          const item = { type: "reasoning" as const, id: `rs_${randomId()}`, summary: [{ type: "summary_text" as const, text: "" }] };
          open = this.#add({ kind: "reasoning", index: this.#output.length, item });
          this.#emit("response.output_item.added", { output_index: open.index, item: { ...item, summary: [] } });
          this.#emit("response.reasoning_summary_part.added", {
            item_id: item.id,
            output_index: open.index,
            summary_index: 0,
            part: { type: "summary_text", text: "" },
          });
        }
        open.item.summary[0]!.text += part.text;
        this.#emit("response.reasoning_summary_text.delta", { item_id: open.item.id, output_index: open.index, summary_index: 0, delta: part.text });
        return;
      }
      case "tool-call-start": {
        this.#close();
        const item = { type: "function_call" as const, id: `fc_${randomId()}`, call_id: part.id, name: part.name, arguments: "", status: "in_progress" as const };
        const open = this.#add({ kind: "function_call", index: this.#output.length, item });
        this.#emit("response.output_item.added", { output_index: open.index, item: { ...item } });
        return;
      }
      case "tool-call-delta": {
        const open = this.#open;
        if (open?.kind !== "function_call" || open.item.call_id !== part.id) return;
        open.item.arguments += part.delta;
        this.#emit("response.function_call_arguments.delta", { item_id: open.item.id, output_index: open.index, delta: part.delta });
        return;
      }
      case "tool-call-end":
        if (this.#open?.kind === "function_call" && this.#open.item.call_id === part.id) this.#close();
        return;
      case "raw-citation":
        this.#citations.push(part.citation);
        return;
    }
  }

  /** The open message item, opening one (after closing anything else) when needed. */
  #message(): Extract<Open, { kind: "message" }> {
    if (this.#open?.kind === "message") return this.#open;
    this.#close();
    const item: OutputMessage = {
      type: "message",
      id: `msg_${randomId()}`,
      role: "assistant",
      status: "in_progress",
      content: [{ type: "output_text", text: "", annotations: [], logprobs: [] }],
    };
    const open = this.#add({ kind: "message", index: this.#output.length, item, textStart: this.#textLength });
    this.#emit("response.output_item.added", { output_index: open.index, item: { ...item, content: [] } });
    this.#emit("response.content_part.added", {
      item_id: item.id,
      output_index: open.index,
      content_index: 0,
      part: { type: "output_text", text: "", annotations: [], logprobs: [] },
    });
    return open;
  }

  #add<T extends Open>(open: T): T {
    this.#output.push(open.item);
    this.#open = open;
    return open;
  }

  /** The open item's closing events. */
  #close(status: "completed" | "incomplete" = "completed"): void {
    const open = this.#open;
    if (!open) return;
    this.#open = undefined;
    const { item, index } = open;
    if (open.kind === "message") {
      const part = open.item.content[0]!;
      this.#emit("response.output_text.done", { item_id: item.id, output_index: index, content_index: 0, text: part.text, logprobs: [] });
      this.#emit("response.content_part.done", { item_id: item.id, output_index: index, content_index: 0, part: copyText(part) });
      open.item.status = status;
    } else if (open.kind === "reasoning") {
      const summary = open.item.summary[0]!;
      this.#emit("response.reasoning_summary_text.done", { item_id: item.id, output_index: index, summary_index: 0, text: summary.text });
      this.#emit("response.reasoning_summary_part.done", { item_id: item.id, output_index: index, summary_index: 0, part: { ...summary } });
    } else {
      this.#emit("response.function_call_arguments.done", { item_id: item.id, output_index: index, name: open.item.name, arguments: open.item.arguments });
      open.item.status = status;
    }
    this.#emit("response.output_item.done", { output_index: index, item: copyItem(item) });
  }

  #emit(type: string, fields: Record<string, unknown>): void {
    this.events.push({ type, sequence_number: this.#sequence++, ...fields });
  }
}

/** The whole answer as one Response (an error mid-answer is raised). */
export async function toResponse(answer: AgentAnswer, info: ResponseInfo, tally: UsageTally): Promise<ResponseObject> {
  const builder = new ResponseBuilder(info, answer, tally);
  for await (const parts of answer.parts) builder.batch(parts);
  return builder.end().at(-1)!.response as ResponseObject;
}

/** The answer's events, a batch per network read, ending in `response.completed` or `response.failed`. */
export function toResponseEvents(answer: AgentAnswer, info: ResponseInfo, tally: UsageTally): Batches<ResponseStreamEvent> {
  return builtEvents(answer.parts, new ResponseBuilder(info, answer, tally));
}

/** A URL's `url_citation`, else a document's `file_citation`; indices into the message's text (which may not be the answer's first). */
function toAnnotation(part: CitationPart, textStart: number): OutputTextAnnotation {
  const start = Math.max(0, part.start - textStart);
  const end = Math.max(0, part.end - textStart);
  if (part.url !== undefined) return { type: "url_citation", start_index: start, end_index: end, url: part.url, title: part.title };
  const id = part.documentId ?? "";
  return { type: "file_citation", file_id: id, filename: part.title || id, index: end };
}

// Copies for events, since the builder goes on changing its items (cheaper than structuredClone).
function copyText(part: OutputText): OutputText {
  return { ...part, annotations: part.annotations.map((a) => ({ ...a })), logprobs: [] };
}

function copyItem(item: OutputItem): OutputItem {
  if (item.type === "message") return { ...item, content: item.content.map(copyText) };
  if (item.type === "reasoning") return { ...item, summary: item.summary.map((s) => ({ ...s })) };
  return { ...item };
}

function randomId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}
