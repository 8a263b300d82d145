// Parts → an OpenAI ChatCompletion (its chunks: chunks.ts).
import type { AgentAnswer, AgentFile, CitationPart, FinishReason } from "../../parts.ts";
import type {
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason as ChatFinishReason,
  UrlCitation,
} from "../../types.ts";
import { hiddenParams } from "../../hidden-params.ts";
import type { UsageTally } from "../../usage.ts";

/** What is known about one call before its parts are read. */
export interface CallInfo {
  id: string;
  created: number;
  model: string;
}

export const FINISH: Record<FinishReason, ChatFinishReason> = {
  stop: "stop",
  "tool-calls": "tool_calls",
  "content-filter": "content_filter",
  length: "length",
};

type FunctionToolCall = NonNullable<AssistantMessage["tool_calls"]>[number];


export async function toCompletion(
  answer: AgentAnswer,
  info: CallInfo,
  tally: UsageTally,
  options: { includeTraces: boolean; includeCitations: boolean },
): Promise<ChatCompletion> {
  let content = "";
  let reasoning = "";
  let finish: FinishReason = "stop";
  const annotations: UrlCitation[] = [];
  const citations: unknown[] = [];
  const toolCalls: FunctionToolCall[] = [];
  const files: AgentFile[] = [];
  const traces: unknown[] = [];
  for await (const batch of answer.parts) {
    for (const part of batch) {
      switch (part.type) {
        case "text-delta":
          content += part.text;
          break;
        case "reasoning-delta":
          reasoning += part.text;
          break;
        case "tool-call-start":
          toolCalls.push({ id: part.id, type: "function", function: { name: part.name, arguments: "" } });
          break;
        case "tool-call-delta":
          toolCalls.find((call) => call.id === part.id)!.function.arguments += part.delta;
          break;
        case "citation":
          annotations.push(annotation(part));
          break;
        case "raw-citation":
          citations.push(part.citation);
          break;
        case "file":
          files.push(part.file);
          break;
        case "trace":
          traces.push(part.trace);
          break;
        case "usage":
          tally.add(part);
          break;
        case "finish":
          finish = part.reason;
          break;
        case "error":
          throw part.error;
      }
    }
  }
  const message: AssistantMessage = {
    role: "assistant",
    content: content === "" && toolCalls.length > 0 ? null : content,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (annotations.length > 0) message.annotations = annotations;
  if (options.includeCitations) message.citations = citations as AssistantMessage["citations"];
  if (reasoning) message.reasoning_content = reasoning;
  if (files.length > 0) message.files = files;
  const completion: ChatCompletion = {
    id: info.id,
    object: "chat.completion",
    created: info.created,
    model: info.model,
    choices: [{ index: 0, message, finish_reason: FINISH[finish], logprobs: null }],
    usage: usage(tally),
    session_id: answer.session.sessionId,
    _hidden_params: hiddenParams(answer, tally),
  };
  if (options.includeTraces) completion.traces = traces as ChatCompletion["traces"];
  return completion;
}

export function annotation(part: CitationPart): UrlCitation {
  const url_citation: UrlCitation["url_citation"] = { start_index: part.start, end_index: part.end, url: part.url ?? part.documentId ?? "", title: part.title };
  if (part.url === undefined && part.documentId !== undefined) url_citation.file_id = part.documentId;
  return { type: "url_citation", url_citation };
}

export function usage(tally: UsageTally) {
  return {
    prompt_tokens: tally.inputTokens,
    completion_tokens: tally.outputTokens,
    total_tokens: tally.inputTokens + tally.outputTokens,
  };
}
