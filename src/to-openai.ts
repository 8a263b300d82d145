import type { AgentEvent } from "./event-stream.ts";
import type { ChatCompletion, ChatCompletionChunk, HiddenParams } from "./types.ts";
import type { UsageMeter } from "./usage.ts";

/** What is known about one call before its events are read. */
export interface CallInfo {
  id: string;
  created: number;
  model: string;
  sessionId: string;
  requestId?: string;
  memoryId?: string;
}

export function hiddenParams(info: CallInfo, meter: UsageMeter): HiddenParams {
  const params: HiddenParams = {
    response_cost: meter.responseCost(),
    session_id: info.sessionId,
    foundation_models: meter.models,
  };
  if (info.memoryId) params.memory_id = info.memoryId;
  if (info.requestId) params.aws_request_id = info.requestId;
  return params;
}

/**
 * Reads the events of one answer: text is decoded as UTF-8 across chunks (a character
 * may be split between two of them), traces feed the usage meter.
 */
class AnswerReader {
  private readonly decoder = new TextDecoder();
  constructor(private readonly meter: UsageMeter) {}

  /** The text this event adds, possibly empty. */
  read(event: AgentEvent): string {
    if (event.type === "chunk") return this.decoder.decode(event.bytes, { stream: true });
    if (event.type === "trace") this.meter.add(event.trace);
    return "";
  }

  /** Bytes of an unfinished character at the very end become U+FFFD, never vanish. */
  end(): string {
    return this.decoder.decode();
  }
}

export async function toCompletion(
  events: AsyncIterable<AgentEvent>,
  info: CallInfo,
  meter: UsageMeter,
): Promise<ChatCompletion> {
  const reader = new AnswerReader(meter);
  let content = "";
  for await (const event of events) content += reader.read(event);
  content += reader.end();
  return {
    id: info.id,
    object: "chat.completion",
    created: info.created,
    model: info.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content, refusal: null },
        finish_reason: "stop",
        logprobs: null,
      },
    ],
    usage: meter.usage(),
    session_id: info.sessionId,
    _hidden_params: hiddenParams(info, meter),
  };
}

/**
 * Chunks in OpenAI's order: the role first (when the agent's first event arrives), each
 * piece of text the moment it arrives, `finish_reason` last, then usage when asked for.
 */
export async function* toChunks(
  events: AsyncIterable<AgentEvent>,
  info: CallInfo,
  meter: UsageMeter,
  includeUsage: boolean,
): AsyncGenerator<ChatCompletionChunk> {
  const reader = new AnswerReader(meter);
  const chunk = (delta: ChatCompletionChunk["choices"][0]["delta"], finish: "stop" | null = null) => {
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
  for await (const event of events) {
    const text = reader.read(event);
    if (!started) {
      started = true;
      yield chunk({ role: "assistant", content: "" });
    }
    if (text) yield chunk({ content: text });
  }
  const rest = reader.end();
  if (!started) yield chunk({ role: "assistant", content: "" });
  if (rest) yield chunk({ content: rest });
  yield chunk({}, "stop");
  if (includeUsage) {
    yield {
      id: info.id,
      object: "chat.completion.chunk",
      created: info.created,
      model: info.model,
      choices: [],
      usage: meter.usage(),
    };
  }
}
