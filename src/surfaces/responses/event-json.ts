// The SSE text of the commonest Responses events, written as JSON.stringify writes them but
// without its generic walk: a piece of text, and a message's three closing events, which all
// repeat its text (escaped here once). Any other event, or one of another shape, is undefined:
// JSON.stringify writes it. A test holds every event the builder makes to JSON.stringify's text.
import type { OutputMessage, OutputText, ResponseStreamEvent } from "./types.ts";

type TextEvent = ResponseStreamEvent & { item_id: string; output_index: number; content_index: number; logprobs: unknown[] };

export class EventJson {
  private delta: { id: string; output: number; content: number; json: string } | undefined;
  private text = "";
  private textJson = '""';

  /** The event's SSE text, or undefined when it is not one of these. */
  sse(event: ResponseStreamEvent): string | undefined {
    if (event.type === "response.output_text.delta") return this.textDelta(event as TextEvent & { delta: unknown });
    const data = this.json(event);
    return data === undefined ? undefined : `event: ${event.type}\ndata: ${data}\n\n`;
  }

  /** The commonest event by far: one template, with what repeats between a message's pieces written once. */
  private textDelta(event: TextEvent & { delta: unknown }): string | undefined {
    const { item_id, output_index, content_index, delta, logprobs } = event;
    if (typeof delta !== "string" || logprobs.length !== 0) return undefined;
    let known = this.delta;
    if (known?.id !== item_id || known.output !== output_index || known.content !== content_index) {
      known = this.delta = { id: item_id, output: output_index, content: content_index, json: this.at(event) };
    }
    return `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${event.sequence_number}${known.json},"delta":${JSON.stringify(delta)},"logprobs":[]}\n\n`;
  }

  private json(event: ResponseStreamEvent): string | undefined {
    const head = `{"type":"${event.type}","sequence_number":${event.sequence_number}`;
    switch (event.type) {
      case "response.output_text.done": {
        const { text, logprobs } = event as TextEvent & { text: unknown };
        if (typeof text !== "string" || logprobs.length !== 0) return undefined;
        return `${head}${this.at(event as TextEvent)},"text":${this.escaped(text)},"logprobs":[]}`;
      }
      case "response.content_part.done": {
        const part = this.part((event as TextEvent & { part: OutputText }).part);
        return part && `${head}${this.at(event as TextEvent)},"part":${part}}`;
      }
      case "response.output_item.done": {
        const { output_index, item } = event as ResponseStreamEvent & { output_index: number; item: OutputMessage };
        if (item.type !== "message" || item.content.length !== 1) return undefined;
        const part = this.part(item.content[0]!);
        return (
          part &&
          `${head},"output_index":${output_index},"item":{"type":"message","id":${JSON.stringify(item.id)},"role":${JSON.stringify(item.role)},"status":${JSON.stringify(item.status)},"content":[${part}]}}`
        );
      }
      default:
        return undefined;
    }
  }

  private at({ item_id, output_index, content_index }: TextEvent): string {
    return `,"item_id":${JSON.stringify(item_id)},"output_index":${output_index},"content_index":${content_index}`;
  }

  private part(part: OutputText): string | undefined {
    if (part.type !== "output_text" || typeof part.text !== "string" || part.logprobs.length !== 0) return undefined;
    return `{"type":"output_text","text":${this.escaped(part.text)},"annotations":${JSON.stringify(part.annotations)},"logprobs":[]}`;
  }

  /** A message's text as JSON, escaped once for the closing events that follow one another. */
  private escaped(text: string): string {
    if (text !== this.text) {
      this.text = text;
      this.textJson = JSON.stringify(text);
    }
    return this.textJson;
  }
}
