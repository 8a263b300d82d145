// A client-side check of a Responses event stream: the order OpenAI's events follow, whatever the
// answer. Returns the final response; throws naming the first event that breaks a rule.
import type { ResponseObject, ResponseStreamEvent } from "../../../src/index.ts";

type Item = { id: string; type: string; [key: string]: unknown };

export function checkResponseEvents(events: ResponseStreamEvent[]): ResponseObject {
  const fail = (i: number, rule: string): never => {
    throw new Error(`event ${i} (${events[i]?.type}): ${rule}`);
  };
  events.forEach((event, i) => event.sequence_number === i || fail(i, `sequence_number ${event.sequence_number}, expected ${i}`));
  if (events[0]?.type !== "response.created") fail(0, "the first event must be response.created");
  if (events[1]?.type !== "response.in_progress") fail(1, "the second event must be response.in_progress");
  const items: Item[] = [];
  const open = new Set<number>();
  const parts = new Set<string>();
  let ended: ResponseObject | undefined;
  for (let i = 2; i < events.length; i++) {
    const event = events[i]!;
    if (ended && event.type !== "error") fail(i, "nothing but an error event may follow the end");
    const index = event.output_index as number;
    const needOpen = () => (open.has(index) && items[index]?.id === event.item_id) || fail(i, `item ${index} is not open`);
    switch (event.type) {
      case "response.output_item.added":
        if (index !== items.length) fail(i, `output_index ${index}, expected ${items.length}`);
        for (const other of open) if (other !== index) fail(i, `item ${other} is still open`);
        items.push(event.item as Item);
        open.add(index);
        break;
      case "response.content_part.added":
      case "response.reasoning_summary_part.added":
        needOpen();
        parts.add(`${index}`);
        break;
      case "response.output_text.delta":
      case "response.output_text.annotation.added":
      case "response.reasoning_summary_text.delta":
        needOpen();
        if (!parts.has(`${index}`)) fail(i, "a delta before its content part was added");
        break;
      case "response.output_text.done":
      case "response.content_part.done":
      case "response.reasoning_summary_text.done":
      case "response.reasoning_summary_part.done":
        needOpen();
        break;
      case "response.function_call_arguments.delta":
      case "response.function_call_arguments.done":
        needOpen();
        if (items[index]?.type !== "function_call") fail(i, "arguments of an item that is not a function call");
        break;
      case "response.output_item.done":
        if (!open.delete(index)) fail(i, `item ${index} was not open`);
        items[index] = event.item as Item;
        break;
      case "response.completed":
      case "response.incomplete":
      case "response.failed":
        if (event.type !== "response.failed" && open.size > 0) fail(i, `items ${[...open]} are still open`);
        ended = event.response as ResponseObject;
        if (event.type !== "response.failed") {
          const output = ended.output.map((item) => item.id);
          if (JSON.stringify(output) !== JSON.stringify(items.map((item) => item.id))) fail(i, "the response's output is not the items streamed");
        }
        break;
      case "error":
        if (events[i - 1]?.type !== "response.failed") fail(i, "an error event follows response.failed");
        break;
      default:
        fail(i, "an event type OpenAI does not send");
    }
  }
  if (!ended) fail(events.length - 1, "the stream must end with response.completed, .incomplete or .failed");
  return ended!;
}
