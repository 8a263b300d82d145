import { CitationIndexer } from "./backends/agents-classic/citations.ts";
import { awsError } from "./errors.ts";
import type { AgentEvent, Citation, TracePart } from "./backends/agents-classic/events.ts";
import type {
  AgentFile,
  AssistantMessage,
  ChatCompletion,
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
  HiddenParams,
  ToolCall,
  UrlCitation,
} from "./types.ts";
import type { UsageMeter } from "./backends/agents-classic/usage.ts";

/** What is known about one call before its events are read. */
export interface CallInfo {
  id: string;
  created: number;
  model: string;
  sessionId: string;
  requestId?: string;
  memoryId?: string;
}

export interface AnswerOptions {
  includeReasoning: boolean;
  includeTraces: boolean;
  /** The raw citations, retrieved references included, besides the annotations. */
  includeCitations: boolean;
  /** A returnControl event → tool calls whose ids carry the session and invocation. */
  toolCalls: (returnControl: Record<string, unknown>) => Promise<ToolCall[]>;
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

type FunctionToolCall = NonNullable<AssistantMessage["tool_calls"]>[number];

/** What one event adds to the answer. */
interface Piece {
  content?: string;
  reasoning?: string;
  annotations?: UrlCitation[];
  citations?: Citation[];
  toolCalls?: FunctionToolCall[];
  files?: AgentFile[];
  trace?: TracePart;
}

/**
 * Reads the events of one answer: text is decoded as UTF-8 across chunks (a character may be
 * split between two of them), citations are placed in the text, traces feed the usage meter
 * and the reasoning, a return of control becomes tool calls.
 */
class AnswerReader {
  finishReason: FinishReason = "stop";
  private readonly decoder = new TextDecoder();
  private readonly citations = new CitationIndexer();
  private reasoningSent = false;

  constructor(
    private readonly meter: UsageMeter,
    private readonly options: AnswerOptions,
  ) {}

  /** Synchronous but for a return of control, whose tool call ids are signed: no await per chunk. */
  read(event: AgentEvent): Piece | Promise<Piece> {
    switch (event.type) {
      case "chunk": {
        const content = this.decoder.decode(event.bytes, { stream: true });
        this.citations.append(content);
        const citations = event.attribution?.citations;
        const piece: Piece = { content };
        const annotations = this.citations.annotations(citations);
        if (annotations.length > 0) piece.annotations = annotations;
        if (this.options.includeCitations && citations?.length) piece.citations = citations;
        return piece;
      }
      case "trace":
        return this.trace(event.trace);
      case "returnControl": {
        this.finishReason = "tool_calls";
        return this.options.toolCalls(event.returnControl).then((calls) => ({ toolCalls: calls as FunctionToolCall[] }));
      }
      case "files":
        return { files: event.files };
    }
  }

  /** Bytes of an unfinished character at the very end become U+FFFD, never vanish. */
  end(): string {
    const rest = this.decoder.decode();
    this.citations.append(rest);
    return rest;
  }

  private trace(part: TracePart): Piece {
    this.meter.add(part);
    const piece: Piece = this.options.includeTraces ? { trace: part } : {};
    const steps = part.trace ?? {};
    const failure = steps.failureTrace as { failureReason?: string; failureCode?: number } | undefined;
    if (failure) {
      const code = failure.failureCode;
      const status = typeof code === "number" && code >= 400 && code < 600 ? code : 500;
      throw awsError(undefined, status, `The agent failed: ${failure.failureReason ?? "no reason given"}`);
    }
    if ((steps.guardrailTrace as { action?: string } | undefined)?.action === "INTERVENED") {
      this.finishReason = "content_filter";
    }
    if (this.options.includeReasoning) {
      const texts: string[] = [];
      for (const step of Object.values(steps)) {
        const reasoning = (step?.modelInvocationOutput?.reasoningContent as { reasoningText?: { text?: unknown } } | undefined)
          ?.reasoningText?.text;
        const rationale = (step?.rationale as { text?: unknown } | undefined)?.text;
        for (const text of [reasoning, rationale]) if (typeof text === "string" && text) texts.push(text);
      }
      if (texts.length > 0) {
        // Pieces are separated as paragraphs, also when a client concatenates the deltas.
        piece.reasoning = (this.reasoningSent ? "\n\n" : "") + texts.join("\n\n");
        this.reasoningSent = true;
      }
    }
    return piece;
  }
}

export async function toCompletion(
  batches: AsyncIterable<AgentEvent[]>,
  info: CallInfo,
  meter: UsageMeter,
  options: AnswerOptions,
): Promise<ChatCompletion> {
  const reader = new AnswerReader(meter, options);
  let content = "";
  let reasoning = "";
  const annotations: UrlCitation[] = [];
  const citations: Citation[] = [];
  const toolCalls: FunctionToolCall[] = [];
  const files: AgentFile[] = [];
  const traces: TracePart[] = [];
  for await (const batch of batches) {
    for (const event of batch) {
      const read = reader.read(event);
      const piece = read instanceof Promise ? await read : read;
      content += piece.content ?? "";
      reasoning += piece.reasoning ?? "";
      annotations.push(...(piece.annotations ?? []));
      citations.push(...(piece.citations ?? []));
      toolCalls.push(...(piece.toolCalls ?? []));
      files.push(...(piece.files ?? []));
      if (piece.trace) traces.push(piece.trace);
    }
  }
  content += reader.end();
  const message: AssistantMessage = {
    role: "assistant",
    content: content === "" && toolCalls.length > 0 ? null : content,
    refusal: null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (annotations.length > 0) message.annotations = annotations;
  if (options.includeCitations) message.citations = citations;
  if (reasoning) message.reasoning_content = reasoning;
  if (files.length > 0) message.files = files;
  const completion: ChatCompletion = {
    id: info.id,
    object: "chat.completion",
    created: info.created,
    model: info.model,
    choices: [{ index: 0, message, finish_reason: reader.finishReason, logprobs: null }],
    usage: meter.usage(),
    session_id: info.sessionId,
    _hidden_params: hiddenParams(info, meter),
  };
  if (options.includeTraces) completion.traces = traces;
  return completion;
}

/**
 * Chunks in OpenAI's order: the role first (when the agent's first event arrives), then each
 * piece the moment it arrives (text, reasoning, citations, tool calls, files), `finish_reason`
 * last, then usage when asked for. A batch per network read: a server can write all of a
 * read's chunks at once (`chunkBatches`); `toChunks` gives them one by one.
 */
export async function* toChunkBatches(
  batches: AsyncIterable<AgentEvent[]>,
  info: CallInfo,
  meter: UsageMeter,
  options: AnswerOptions & { includeUsage: boolean },
): AsyncGenerator<ChatCompletionChunk[]> {
  const reader = new AnswerReader(meter, options);
  const chunk = (delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk => {
    const out: ChatCompletionChunk = {
      id: info.id,
      object: "chat.completion.chunk",
      created: info.created,
      model: info.model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    };
    if (options.includeUsage) out.usage = null;
    return out;
  };
  let started = false;
  let toolIndex = 0;
  for await (const batch of batches) {
    const out: ChatCompletionChunk[] = [];
    try {
      for (const event of batch) {
        const read = reader.read(event);
        const piece = read instanceof Promise ? await read : read;
        if (!started) {
          started = true;
          out.push(chunk({ role: "assistant", content: "" }));
        }
        if (piece.trace) out.push({ ...chunk({}), trace: piece.trace });
        const delta: ChunkDelta = {};
        if (piece.reasoning) delta.reasoning_content = piece.reasoning;
        if (piece.content) delta.content = piece.content;
        if (piece.annotations) delta.annotations = piece.annotations;
        if (piece.citations) delta.citations = piece.citations;
        if (piece.toolCalls?.length) delta.tool_calls = piece.toolCalls.map((call) => ({ index: toolIndex++, ...call }));
        if (piece.files?.length) delta.files = piece.files;
        if (Object.keys(delta).length > 0) out.push(chunk(delta));
      }
    } catch (error) {
      // What the agent said before the failure still reaches the caller, then the error.
      if (out.length > 0) yield out;
      throw error;
    }
    if (out.length > 0) yield out;
  }
  const out: ChatCompletionChunk[] = [];
  const rest = reader.end();
  if (!started) out.push(chunk({ role: "assistant", content: "" }));
  if (rest) out.push(chunk({ content: rest }));
  out.push(chunk({}, reader.finishReason));
  if (options.includeUsage) {
    out.push({
      id: info.id,
      object: "chat.completion.chunk",
      created: info.created,
      model: info.model,
      choices: [],
      usage: meter.usage(),
    });
  }
  yield out;
}

export async function* toChunks(batches: AsyncIterable<ChatCompletionChunk[]>): AsyncGenerator<ChatCompletionChunk> {
  for await (const batch of batches) yield* batch;
}

const CHUNK_BATCHES = Symbol("chunk batches");

/** Gives a stream the batches behind its chunks, for `chunkBatches`. */
export function withChunkBatches<T extends object>(stream: T, batches: AsyncIterator<ChatCompletionChunk[]>): T {
  return Object.defineProperty(stream, CHUNK_BATCHES, { value: batches });
}

/** A stream's chunks a network read at a time; any other async iterable of chunks, one by one. */
export function chunkBatches(stream: AsyncIterable<ChatCompletionChunk>): AsyncIterator<ChatCompletionChunk[]> {
  const own = (stream as { [CHUNK_BATCHES]?: AsyncIterator<ChatCompletionChunk[]> })[CHUNK_BATCHES];
  if (own) return own;
  const chunks = stream[Symbol.asyncIterator]();
  return {
    next: async () => {
      const result = await chunks.next();
      return result.done ? result : { done: false, value: [result.value] };
    },
  };
}
