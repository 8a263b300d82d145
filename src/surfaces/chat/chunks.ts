// Parts → OpenAI chat completion chunks, a network read at a time.
import type { AgentError } from "../../errors.ts";
import type { AgentAnswer, AgentPart, FinishReason } from "../../parts.ts";
import type { ChatCompletionChunk, ChunkDelta, FinishReason as ChatFinishReason } from "../../types.ts";
import type { UsageTally } from "../../usage.ts";
import type { Batches } from "../../batches.ts";
import { type EventBuilder, builtEvents } from "../batches.ts";
import { FINISH, type CallInfo, annotation, usage } from "./response.ts";

/**
 * Chunks in OpenAI's order: the role first (when the agent's first event arrives), then each
 * piece the moment it arrives (text, reasoning, citations, tool calls, files), `finish_reason`
 * last, then usage when asked for. A batch per network read: a server can write all of a
 * read's chunks at once (`batchesOf`); `flatten` gives them one by one. An error is raised, as
 * the openai SDKs raise one, after the chunks before it.
 */
export function toChunkBatches(answer: AgentAnswer, info: CallInfo, tally: UsageTally, includeUsage: boolean): Batches<ChatCompletionChunk> {
  return builtEvents(answer.parts, new ChunkBuilder(info, tally, includeUsage));
}

class ChunkBuilder implements EventBuilder<ChatCompletionChunk> {
  #started = false;
  #toolIndex = 0;
  readonly #toolIndexes = new Map<string, number>();
  #finish: FinishReason = "stop";
  #failure: AgentError | undefined;

  readonly #info: CallInfo;
  readonly #tally: UsageTally;
  readonly #includeUsage: boolean;

  constructor(
    info: CallInfo,
    tally: UsageTally,
    includeUsage: boolean,
  ) {
    this.#info = info;
    this.#tally = tally;
    this.#includeUsage = includeUsage;
  }

  batch(parts: AgentPart[]): ChatCompletionChunk[] {
    if (this.#failure) throw this.#failure;
    const out: ChatCompletionChunk[] = [];
    if (!this.#started) {
      this.#started = true;
      out.push(this.#chunk({ role: "assistant", content: "" }));
    }
    // The parts of one event share a delta: text with its citations, a call with its arguments.
    let delta: ChunkDelta | undefined;
    const open = (fresh: boolean): ChunkDelta => {
      if (fresh || !delta) {
        delta = {};
        out.push(this.#chunk(delta));
      }
      return delta;
    };
    for (const part of parts) {
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
          this.#toolIndexes.set(part.id, this.#toolIndex);
          (target.tool_calls ??= []).push({ index: this.#toolIndex++, id: part.id, type: "function", function: { name: part.name, arguments: "" } });
          break;
        }
        case "tool-call-delta": {
          // In the chunk that started the call when it is this read's; else a chunk of its own.
          const index = this.#toolIndexes.get(part.id)!;
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
          out.push({ ...this.#chunk({}), trace: part.trace as ChatCompletionChunk["trace"] });
          break;
        case "usage":
          this.#tally.add(part);
          break;
        case "finish":
          this.#finish = part.reason;
          break;
        case "error":
          // What the agent said before the failure still reaches the caller, then the error.
          this.#failure = part.error;
          return out;
      }
    }
    return out;
  }

  end(): ChatCompletionChunk[] {
    if (this.#failure) throw this.#failure;
    const out: ChatCompletionChunk[] = [];
    if (!this.#started) out.push(this.#chunk({ role: "assistant", content: "" }));
    out.push(this.#chunk({}, FINISH[this.#finish]));
    if (this.#includeUsage) {
      const { id, created, model } = this.#info;
      out.push({ id, object: "chat.completion.chunk", created, model, choices: [], usage: usage(this.#tally) });
    }
    return out;
  }

  fail(error: AgentError): never {
    throw error;
  }

  #chunk(delta: ChunkDelta, finish: ChatFinishReason | null = null): ChatCompletionChunk {
    const { id, created, model } = this.#info;
    const out: ChatCompletionChunk = { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
    if (this.#includeUsage) out.usage = null;
    return out;
  }
}
