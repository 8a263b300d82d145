// messages(): Anthropic's Messages API.
import type { Invoker } from "../invoker.ts";
import { hiddenParams } from "../hidden-params.ts";
import { messagesRequest } from "../surfaces/messages/request.ts";
import { type MessageInfo, toMessage, toMessageEvents } from "../surfaces/messages/response.ts";
import type { MessageEventStream, MessageObject, MessagesParams } from "../surfaces/messages/types.ts";
import { UsageTally } from "../usage.ts";
import { AnswerStream } from "./stream.ts";

export async function messagesCall(invoker: Invoker, params: MessagesParams): Promise<MessageObject | MessageEventStream> {
  const call = invoker.withDefaults(params);
  const request = messagesRequest(call);
  const answer = await invoker.prepare(call).invoke(request);
  const info: MessageInfo = { id: `msg_${crypto.randomUUID().replace(/-/g, "")}`, model: call.model, includeTraces: request.options.includeTraces };
  const tally = new UsageTally(call, answer.leftover);
  if (!call.stream) return { ...(await toMessage(answer, info, tally)), _hidden_params: hiddenParams(answer, tally) };

  const usage = () => ({ input_tokens: tally.inputTokens, output_tokens: tally.outputTokens });
  return new AnswerStream(answer, tally, toMessageEvents(answer, info, tally), usage);
}
