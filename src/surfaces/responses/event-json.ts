// The SSE text of the events the Responses builder makes for text and reasoning, written as
// JSON.stringify writes them but without its generic walk: a piece of text, the events that open
// a message or a reasoning item, and the closing events that all repeat an item's text (escaped
// here once). Any other event, or one of another shape, is undefined: JSON.stringify writes it.
// A test holds every event the builder makes to JSON.stringify's text.
import { jsonString } from "../json-string.ts";
import type { OutputItem, OutputText, ResponseStreamEvent } from "./types.ts";

type ItemEvent = ResponseStreamEvent & { item_id: string; output_index: number };
type TextEvent = ItemEvent & { content_index: number; logprobs: unknown[] };
type SummaryEvent = ItemEvent & { summary_index: number };
type Summary = { type: string; text: unknown };

const str = JSON.stringify;

export class EventJson {
  #delta: { id: string; output: number; content: number; json: string } | undefined;
  #text = "";
  #textJson = '""';

  /** The event's SSE text, or undefined when it is not one of these. */
  sse(event: ResponseStreamEvent): string | undefined {
    if (event.type === "response.output_text.delta") return this.#textDelta(event as TextEvent & { delta: unknown });
    const data = this.#json(event);
    return data === undefined ? undefined : `event: ${event.type}\ndata: ${data}\n\n`;
  }

  /** The commonest event by far: one template, with what repeats between a message's pieces written once. */
  #textDelta(event: TextEvent & { delta: unknown }): string | undefined {
    const { item_id, output_index, content_index, delta, logprobs } = event;
    if (typeof delta !== "string" || logprobs.length !== 0) return undefined;
    let known = this.#delta;
    if (known?.id !== item_id || known.output !== output_index || known.content !== content_index) {
      known = this.#delta = { id: item_id, output: output_index, content: content_index, json: this.#at(event) };
    }
    return `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${event.sequence_number}${known.json},"delta":${jsonString(delta)},"logprobs":[]}\n\n`;
  }

  #json(event: ResponseStreamEvent): string | undefined {
    const head = `{"type":"${event.type}","sequence_number":${event.sequence_number}`;
    switch (event.type) {
      case "response.output_text.done": {
        const { text, logprobs } = event as TextEvent & { text: unknown };
        if (typeof text !== "string" || logprobs.length !== 0) return undefined;
        return `${head}${this.#at(event as TextEvent)},"text":${this.#escaped(text)},"logprobs":[]}`;
      }
      case "response.content_part.added":
      case "response.content_part.done": {
        const part = this.#part((event as TextEvent & { part: OutputText }).part);
        return part && `${head}${this.#at(event as TextEvent)},"part":${part}}`;
      }
      case "response.output_item.added":
      case "response.output_item.done": {
        const { output_index, item } = event as ResponseStreamEvent & { output_index: number; item: OutputItem };
        const json = this.#item(item);
        return json && `${head},"output_index":${output_index},"item":${json}}`;
      }
      case "response.reasoning_summary_part.added":
      case "response.reasoning_summary_part.done": {
        const part = this.#summary((event as SummaryEvent & { part: Summary }).part);
        return part && `${head}${this.#inSummary(event as SummaryEvent)},"part":${part}}`;
      }
      case "response.reasoning_summary_text.delta": {
        const { delta } = event as SummaryEvent & { delta: unknown };
        return typeof delta === "string" ? `${head}${this.#inSummary(event as SummaryEvent)},"delta":${jsonString(delta)}}` : undefined;
      }
      case "response.reasoning_summary_text.done": {
        const { text } = event as SummaryEvent & { text: unknown };
        return typeof text === "string" ? `${head}${this.#inSummary(event as SummaryEvent)},"text":${this.#escaped(text)}}` : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A message with at most one part, or a reasoning item with at most one summary, as the builder makes them. */
  #item(item: OutputItem): string | undefined {
    if (item.type === "message" && item.content.length <= 1) {
      const part = item.content.length === 0 ? "" : this.#part(item.content[0]!);
      if (part === undefined) return undefined;
      return `{"type":"message","id":${str(item.id)},"role":${str(item.role)},"status":${str(item.status)},"content":[${part}]}`;
    }
    if (item.type === "reasoning" && item.summary.length <= 1 && item.status === undefined) {
      const summary = item.summary.length === 0 ? "" : this.#summary(item.summary[0]!);
      return summary === undefined ? undefined : `{"type":"reasoning","id":${str(item.id)},"summary":[${summary}]}`;
    }
    return undefined;
  }

  #at({ item_id, output_index, content_index }: TextEvent): string {
    return `,"item_id":${str(item_id)},"output_index":${output_index},"content_index":${content_index}`;
  }

  #inSummary({ item_id, output_index, summary_index }: SummaryEvent): string {
    return `,"item_id":${str(item_id)},"output_index":${output_index},"summary_index":${summary_index}`;
  }

  #part(part: OutputText): string | undefined {
    if (part.type !== "output_text" || typeof part.text !== "string" || part.logprobs.length !== 0) return undefined;
    return `{"type":"output_text","text":${this.#escaped(part.text)},"annotations":${str(part.annotations)},"logprobs":[]}`;
  }

  #summary(part: Summary): string | undefined {
    if (part.type !== "summary_text" || typeof part.text !== "string") return undefined;
    return `{"type":"summary_text","text":${this.#escaped(part.text)}}`;
  }

  /** An item's text as JSON, escaped once for the closing events that follow one another. */
  #escaped(text: string): string {
    if (text !== this.#text) {
      this.#text = text;
      this.#textJson = jsonString(text);
    }
    return this.#textJson;
  }
}
