// Chat-completion chunks as OpenAI streams them: `data: {...}` events, then `data: [DONE]`; an
// error mid-stream is a `data: {"error": ...}` event, which the openai SDKs raise.
import { fileToDataUrl } from "../../files.ts";
import type { AgentFile, ChatCompletionChunk, ChatCompletionStream } from "../../types.ts";
import { batchesOf } from "../batches.ts";
import { jsonString } from "../json-string.ts";

/** A stream's chunks as SSE text, a network read at a time; `model`: the name the caller asked for. */
export function chatSse(stream: ChatCompletionStream, model: string) {
  const batches = batchesOf(stream);
  let envelope: string | undefined;
  // The fields every chunk of the stream shares are serialized once.
  const encode = (chunk: ChatCompletionChunk): string => {
    envelope ??= `data: {"id":${JSON.stringify(chunk.id)},"object":"chat.completion.chunk","created":${chunk.created},"model":${JSON.stringify(model)},`;
    const delta = chunk.choices[0]?.delta as { files?: unknown[] } | undefined;
    // Bytes do not go in JSON: files go as data URLs.
    if (delta?.files) delta.files = (delta.files as AgentFile[]).map(fileToDataUrl);
    let json = `${envelope}"choices":${choicesJson(chunk.choices)}`;
    // The final usage chunk also carries the answer's cost (LiteLLM's `usage.cost`): a stream has no cost header.
    const usage = chunk.usage && chunk.choices.length === 0 ? { ...chunk.usage, cost: stream._hidden_params.response_cost } : chunk.usage;
    if (usage !== undefined) json += `,"usage":${JSON.stringify(usage)}`;
    if (chunk.trace !== undefined) json += `,"trace":${JSON.stringify(chunk.trace)}`;
    return `${json}}\n\n`;
  };
  const text = (result: IteratorResult<ChatCompletionChunk[]>): IteratorResult<string> =>
    result.done ? result : { done: false, value: result.value.map(encode).join("") };
  return {
    next: (): Promise<IteratorResult<string>> => batches.next().then(text),
    error: (error: { toJSON(): unknown }) => `data: ${JSON.stringify(error.toJSON())}\n\n`,
    done: "data: [DONE]\n\n",
    keepAlive: ": keep-alive\n\n",
    cancel: () => stream.cancel(),
  };
}

/** The choices of a chunk as JSON; the commonest (a piece of text alone) without a generic walk. */
function choicesJson(choices: ChatCompletionChunk["choices"]): string {
  const choice = choices[0];
  if (choices.length === 1 && choice!.index === 0 && choice!.finish_reason === null && choice!.logprobs === null) {
    const delta = choice!.delta;
    let only: string | undefined;
    for (const key in delta) {
      if (only !== undefined || key !== "content") return JSON.stringify(choices);
      only = key;
    }
    if (typeof delta.content === "string") return `[{"index":0,"delta":{"content":${jsonString(delta.content)}},"finish_reason":null,"logprobs":null}]`;
  }
  return JSON.stringify(choices);
}
