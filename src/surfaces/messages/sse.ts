// Messages events as Anthropic streams them: `event: <type>` and `data: {...}` per event, `ping`
// while the agent is silent; an error mid-stream is an `error` event, which Anthropic's SDKs raise.
import type { AgentError } from "../../errors.ts";
import { fileToDataUrl } from "../../files.ts";
import { batchesOf } from "../batches.ts";
import { anthropicError } from "./response.ts";
import type { MessageEventStream, MessageObject, MessageStreamEvent } from "./types.ts";

export function messagesSse(stream: MessageEventStream, model: string) {
  const batches = batchesOf(stream);
  const encode = (event: MessageStreamEvent): string => {
    const message = event.message as MessageObject | undefined;
    if (message) event = { ...event, message: forJson(message, model) };
    return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  };
  return {
    next: (): Promise<IteratorResult<string>> =>
      batches.next().then((result) => (result.done ? result : { done: false, value: result.value.map(encode).join("") })),
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
