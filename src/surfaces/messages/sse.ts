// Messages events as Anthropic streams them: `event: <type>` and `data: {...}` per event, `ping`
// while the agent is silent; an error mid-stream is an `error` event, which Anthropic's SDKs raise.
import type { AgentError } from "../../errors.ts";
import { fileToDataUrl } from "../../files.ts";
import { batchesOf } from "../batches.ts";
import { jsonString } from "../json-string.ts";
import { anthropicError } from "./response.ts";
import type { MessageEventStream, MessageObject, MessageStreamEvent } from "./types.ts";

export function messagesSse(stream: MessageEventStream, model: string) {
  const batches = batchesOf(stream);
  const encode = (event: MessageStreamEvent): string => {
    const delta = event.delta as { type?: string; text?: unknown } | undefined;
    // The commonest event, a piece of text, without JSON.stringify's generic walk.
    if (event.type === "content_block_delta" && delta?.type === "text_delta" && typeof delta.text === "string") {
      return `event: content_block_delta\ndata: {"type":"content_block_delta","index":${event.index as number},"delta":{"type":"text_delta","text":${jsonString(delta.text)}}}\n\n`;
    }
    const message = event.message as MessageObject | undefined;
    if (message) event = { ...event, message: forJson(message, model) };
    return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  };
  const text = (result: IteratorResult<MessageStreamEvent[]>): IteratorResult<string> =>
    result.done ? result : { done: false, value: result.value.map(encode).join("") };
  return {
    next: (): Promise<IteratorResult<string>> => batches.next().then(text),
    error: (error: AgentError) => encode(anthropicError(error)),
    done: "",
    keepAlive: 'event: ping\ndata: {"type":"ping"}\n\n',
    cancel: () => stream.cancel(),
  };
}

/** A Message as the endpoint sends it: the caller's model name, files as data URLs, no hidden params. */
export function forJson(message: MessageObject, model: string): Omit<MessageObject, "files"> & { files?: unknown[] } {
  const { _hidden_params: _, files, ...rest } = message;
  return files ? { ...rest, model, files: files.map(fileToDataUrl) } : { ...rest, model };
}
