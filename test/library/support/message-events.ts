// A client-side check of an Anthropic Messages event stream: the order Anthropic's events follow,
// whatever the answer. Returns the Message the events build; throws naming the first broken rule.
import type { MessageStreamEvent } from "../../../src/index.ts";

type Block = { type: string; [key: string]: unknown };

export function checkMessageEvents(events: MessageStreamEvent[]): { message: Record<string, unknown>; content: Block[]; failed?: unknown } {
  const fail = (i: number, rule: string): never => {
    throw new Error(`event ${i} (${events[i]?.type}): ${rule}`);
  };
  if (events[0]?.type !== "message_start") fail(0, "the first event must be message_start");
  const message = { ...(events[0]!.message as Record<string, unknown>) };
  if ((message.content as unknown[]).length !== 0) fail(0, "message_start's content must be empty");
  const content: Block[] = [];
  let open: number | undefined;
  let stopped = false;
  for (let i = 1; i < events.length; i++) {
    const event = events[i]!;
    if (stopped) fail(i, "nothing may follow message_stop");
    const index = event.index as number;
    switch (event.type) {
      case "content_block_start":
        if (open !== undefined) fail(i, `block ${open} is still open`);
        if (index !== content.length) fail(i, `index ${index}, expected ${content.length}`);
        content.push({ ...(event.content_block as Block) });
        open = index;
        break;
      case "content_block_delta": {
        if (index !== open) fail(i, `block ${index} is not open`);
        const delta = event.delta as { type: string; [key: string]: unknown };
        const block = content[index]!;
        const expected = { text_delta: "text", citations_delta: "text", thinking_delta: "thinking", input_json_delta: "tool_use" }[delta.type];
        if (expected !== block.type) fail(i, `a ${delta.type} for a ${block.type} block`);
        if (delta.type === "text_delta") block.text = `${block.text}${delta.text}`;
        if (delta.type === "thinking_delta") block.thinking = `${block.thinking}${delta.thinking}`;
        if (delta.type === "input_json_delta") block.json = `${block.json ?? ""}${delta.partial_json}`;
        if (delta.type === "citations_delta") block.citations = [...((block.citations as unknown[]) ?? []), delta.citation];
        break;
      }
      case "content_block_stop":
        if (index !== open) fail(i, `block ${index} is not open`);
        open = undefined;
        break;
      case "message_delta":
        if (open !== undefined) fail(i, `block ${open} is still open`);
        Object.assign(message, event.delta as object);
        message.usage = { ...(message.usage as object), ...(event.usage as object) };
        break;
      case "message_stop":
        if (events[i - 1]?.type !== "message_delta") fail(i, "message_stop follows message_delta");
        stopped = true;
        break;
      case "error":
        if (i !== events.length - 1) fail(i, "an error event ends the stream");
        return { message, content, failed: event.error };
      default:
        fail(i, "an event type Anthropic does not send");
    }
  }
  if (!stopped) fail(events.length - 1, "the stream must end with message_stop or an error");
  for (const block of content) if (block.type === "tool_use") block.input = JSON.parse((block.json as string) || "{}");
  return { message, content };
}
