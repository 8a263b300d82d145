// Responses events as OpenAI streams them: `event: <type>` and `data: {...}` per event; an
// error mid-stream is `response.failed`, then an `error` event, which the openai SDKs raise.
import type { AgentError } from "../../errors.ts";
import { fileToDataUrl } from "../../files.ts";
import { batchesOf } from "../batches.ts";
import { EventJson } from "./event-json.ts";
import type { ResponseEventStream, ResponseObject, ResponseStreamEvent } from "./types.ts";

export function responsesSse(stream: ResponseEventStream, model: string) {
  const batches = batchesOf(stream);
  const fast = new EventJson();
  const encode = (event: ResponseStreamEvent): string => {
    const written = fast.sse(event);
    if (written !== undefined) return written;
    const response = event.response as ResponseObject | undefined;
    if (response) event = { ...event, response: forJson(response, model) };
    return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  };
  let sequence = 0;
  const text = (result: IteratorResult<ResponseStreamEvent[]>): IteratorResult<string> => {
    if (result.done) return result;
    sequence = (result.value.at(-1)?.sequence_number ?? sequence - 1) + 1;
    // join() makes one flat string, which TextEncoder writes several times faster than a concatenation's tree.
    return { done: false, value: result.value.map(encode).join("") };
  };
  return {
    next: (): Promise<IteratorResult<string>> => batches.next().then(text),
    // A failure the events did not carry (the stream itself broke): the error event alone.
    error: (error: AgentError) => {
      const body = error.toJSON().error;
      return encode({ type: "error", sequence_number: sequence, code: body.code, message: body.message, param: body.param, error: body });
    },
    done: "",
    keepAlive: ": keep-alive\n\n",
    cancel: () => stream.cancel(),
  };
}

/**
 * A Response as the endpoint sends it: the caller's model name, files as data URLs, no hidden
 * params, and no `output_text`, which OpenAI does not send either: it is the SDKs' own, added
 * by them (and by the library's `responses()`) from the output items.
 */
export function forJson(response: ResponseObject, model: string): Omit<ResponseObject, "files" | "output_text"> & { files?: unknown[] } {
  const { _hidden_params: _, output_text: __, files, ...rest } = response;
  return files ? { ...rest, model, files: files.map(fileToDataUrl) } : { ...rest, model };
}
