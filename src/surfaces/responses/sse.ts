// Responses events as OpenAI streams them: `event: <type>` and `data: {...}` per event; an
// error mid-stream is `response.failed`, then an `error` event, which the openai SDKs raise.
import type { AgentError } from "../../errors.ts";
import { fileToDataUrl } from "../../files.ts";
import { batchesOf } from "../batches.ts";
import type { ResponseEventStream, ResponseObject, ResponseStreamEvent } from "./types.ts";

export function responsesSse(stream: ResponseEventStream, model: string) {
  const batches = batchesOf(stream);
  const encode = (event: ResponseStreamEvent): string => {
    if (event.type === "response.output_text.delta") return textDelta(event);
    const response = event.response as ResponseObject | undefined;
    if (response) event = { ...event, response: forJson(response, model) };
    return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  };
  let sequence = 0;
  const text = (result: IteratorResult<ResponseStreamEvent[]>): IteratorResult<string> => {
    if (result.done) return result;
    sequence = (result.value.at(-1)?.sequence_number ?? sequence - 1) + 1;
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

/** A Response as the endpoint sends it: the caller's model name, files as data URLs, no hidden params. */
export function forJson(response: ResponseObject, model: string): Omit<ResponseObject, "files"> & { files?: unknown[] } {
  const { _hidden_params: _, files, ...rest } = response;
  return files ? { ...rest, model, files: files.map(fileToDataUrl) } : { ...rest, model };
}

/** The commonest event, a piece of text, written as JSON.stringify would write it, without its generic walk. */
function textDelta(event: ResponseStreamEvent): string {
  const { sequence_number, item_id, output_index, content_index, delta, logprobs } = event as ResponseStreamEvent & {
    item_id: string;
    output_index: number;
    content_index: number;
    delta: string;
    logprobs: unknown[];
  };
  if (typeof delta !== "string" || logprobs.length !== 0) return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  return `event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":${sequence_number},"item_id":${JSON.stringify(item_id)},"output_index":${output_index},"content_index":${content_index},"delta":${JSON.stringify(delta)},"logprobs":[]}\n\n`;
}
