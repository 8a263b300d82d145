// completion(): OpenAI chat completions, through the chat surface to whichever backend the model names.
import type { Invoker } from "../invoker.ts";
import { chatRequest } from "../surfaces/chat/request.ts";
import { toChunkBatches } from "../surfaces/chat/chunks.ts";
import { type CallInfo, toCompletion } from "../surfaces/chat/response.ts";
import type { ChatCompletion, ChatCompletionStream, CompletionParams } from "../types.ts";
import { UsageTally } from "../usage.ts";
import { AnswerStream } from "./stream.ts";

export async function completionCall(invoker: Invoker, params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
  const call = invoker.withDefaults(params);
  const request = chatRequest(call);
  const answer = await invoker.prepare(call).invoke(request);
  const info: CallInfo = { id: `chatcmpl-${crypto.randomUUID()}`, created: Math.floor(Date.now() / 1000), model: call.model };
  const tally = new UsageTally(call, answer.leftover);
  if (!call.stream) return toCompletion(answer, info, tally, request.options);

  const usage = () => ({ prompt_tokens: tally.inputTokens, completion_tokens: tally.outputTokens, total_tokens: tally.inputTokens + tally.outputTokens });
  return new AnswerStream(answer, tally, toChunkBatches(answer, info, tally, call.stream_options?.include_usage === true), usage);
}
