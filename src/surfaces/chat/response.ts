// Parts → an OpenAI ChatCompletion, or its chunks a network read at a time.
import type { AgentAnswer, AgentFile, AgentPart, FinishReason } from "../../parts.ts";
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

const FINISH: Record<FinishReason, ChatFinishReason> = {
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

/**
 * Chunks in OpenAI's order: the role first (when the agent's first event arrives), then each
 * piece the moment it arrives (text, reasoning, citations, tool calls, files), `finish_reason`
 * last, then usage when asked for. A batch per network read: a server can write all of a
 * read's chunks at once (`batchesOf`); `flatten` gives them one by one.
 */
export async function* toChunkBatches(
  answer: AgentAnswer,
  info: CallInfo,
  tally: UsageTally,
  includeUsage: boolean,
): AsyncGenerator<ChatCompletionChunk[]> {
  const chunk = (delta: ChunkDelta, finish: ChatFinishReason | null = null): ChatCompletionChunk => {
    const out: ChatCompletionChunk = {
      id: info.id,
      object: "chat.completion.chunk",
      created: info.created,
      model: info.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    if (includeUsage) out.usage = null;
    return out;
  };
  let started = false;
  let toolIndex = 0;
  const toolIndexes = new Map<string, number>();
  let finish: FinishReason = "stop";
  for await (const batch of answer.parts) {
    const out: ChatCompletionChunk[] = [];
    if (!started) {
      started = true;
      out.push(chunk({ role: "assistant", content: "" }));
    }
    // The parts of one event share a delta: text with its citations, a call with its arguments.
    let delta: ChunkDelta | undefined;
    const open = (fresh: boolean): ChunkDelta => {
      if (fresh || !delta) {
        delta = {};
        out.push(chunk(delta));
      }
      return delta;
    };
    for (const part of batch) {
      switch (part.type) {
        case "text-delta":
          open(true).content = part.text;
          break;
        case "reasoning-delta":
          open(true).reasoning_content = part.text;
          break;
        case "citation":
          (open(false).annotations ??= []).push(annotation(part));
          break;
        case "raw-citation":
          (open(false).citations ??= []).push(part.citation as NonNullable<ChunkDelta["citations"]>[number]);
          break;
        case "tool-call-start": {
          const target = delta?.tool_calls ? delta : open(true);
          toolIndexes.set(part.id, toolIndex);
          (target.tool_calls ??= []).push({ index: toolIndex++, id: part.id, type: "function", function: { name: part.name, arguments: "" } });
          break;
        }
        case "tool-call-delta": {
          // In the chunk that started the call when it is this read's; else a chunk of its own.
          const index = toolIndexes.get(part.id)!;
          const call = delta?.tool_calls?.find((c) => c.index === index);
          if (call) call.function.arguments += part.delta;
          else ((delta?.tool_calls ? delta : open(true)).tool_calls ??= []).push({ index, function: { arguments: part.delta } });
          break;
        }
        case "file": {
          const target = delta?.files ? delta : open(true);
          (target.files ??= []).push(part.file);
          break;
        }
        case "trace":
          delta = undefined;
          out.push({ ...chunk({}), trace: part.trace as ChatCompletionChunk["trace"] });
          break;
        case "usage":
          tally.add(part);
          break;
        case "finish":
          finish = part.reason;
          break;
        case "error":
          // What the agent said before the failure still reaches the caller, then the error.
          if (out.length > 0) yield out;
          throw part.error;
      }
    }
    if (out.length > 0) yield out;
  }
  const out: ChatCompletionChunk[] = [];
  if (!started) out.push(chunk({ role: "assistant", content: "" }));
  out.push(chunk({}, FINISH[finish]));
  if (includeUsage) {
    out.push({ id: info.id, object: "chat.completion.chunk", created: info.created, model: info.model, choices: [], usage: usage(tally) });
  }
  yield out;
}

function annotation(part: Extract<AgentPart, { type: "citation" }>): UrlCitation {
  return { type: "url_citation", url_citation: { start_index: part.start, end_index: part.end, url: part.url, title: part.title } };
}

function usage(tally: UsageTally) {
  return {
    prompt_tokens: tally.inputTokens,
    completion_tokens: tally.outputTokens,
    total_tokens: tally.inputTokens + tally.outputTokens,
  };
}
