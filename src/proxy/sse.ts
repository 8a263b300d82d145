import { AgentError, InternalServerError } from "../errors.ts";
import { fileToDataUrl } from "../files.ts";
import { chunkBatches } from "../surfaces/chat/response.ts";
import type { AgentFile, ChatCompletionChunk, ChatCompletionStream } from "../types.ts";

export interface SseOptions {
  headers: Headers;
  /** The model name the caller asked for, which the chunks carry as OpenAI's do. */
  model: string;
  /** A comment line goes out after this much silence, so proxies and clients do not time out. */
  keepAliveMs: number;
  onError?: (error: AgentError) => void;
  /** Once, when the stream is over: done, failed, or left by its consumer. */
  onEnd?: (end: StreamEnd) => void;
}

export interface StreamEnd {
  /** `performance.now()` when the first event went out; undefined when none did. */
  firstEventAt: number | undefined;
  error?: AgentError;
  /** The consumer went away before the end. */
  cancelled: boolean;
}

const encoder = new TextEncoder();
const KEEP_ALIVE = encoder.encode(": keep-alive\n\n");
const DONE = encoder.encode("data: [DONE]\n\n");

/**
 * Chunks as OpenAI streams them: `data: {...}` events, then `data: [DONE]`. Each chunk is
 * written when the consumer is ready for it (backpressure); an error mid-stream becomes a
 * `data: {"error": ...}` event (the openai SDKs raise it) and ends the stream; a consumer
 * that goes away cancels the upstream call.
 */
export function sseResponse(stream: ChatCompletionStream, options: SseOptions): Response {
  const batches = chunkBatches(stream);
  let envelope: string | undefined;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let sentSinceTick = false;
  let closed = false;
  let firstEventAt: number | undefined;
  let ended = false;
  const end = (outcome: Omit<StreamEnd, "firstEventAt">) => {
    if (ended) return;
    ended = true;
    options.onEnd?.({ firstEventAt, ...outcome });
  };
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, last: Uint8Array, error?: AgentError) => {
    clearInterval(keepAlive);
    end({ error, cancelled: false });
    if (closed) return; // the consumer went away: nobody to tell
    closed = true;
    controller.enqueue(last);
    controller.close();
  };
  // The fields every chunk of the stream shares are serialized once.
  const encode = (chunk: ChatCompletionChunk): string => {
    envelope ??= `data: {"id":${JSON.stringify(chunk.id)},"object":"chat.completion.chunk","created":${chunk.created},"model":${JSON.stringify(options.model)},`;
    const delta = chunk.choices[0]?.delta as { files?: unknown[] } | undefined;
    if (delta?.files) delta.files = (delta.files as AgentFile[]).map(fileToDataUrl);
    let json = `${envelope}"choices":${JSON.stringify(chunk.choices)}`;
    if (chunk.usage !== undefined) json += `,"usage":${JSON.stringify(chunk.usage)}`;
    if (chunk.trace !== undefined) json += `,"trace":${JSON.stringify(chunk.trace)}`;
    return `${json}}\n\n`;
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // One timer per stream: a comment goes out when a whole period passed without data.
        keepAlive = setInterval(() => {
          if (!sentSinceTick && !closed) controller.enqueue(KEEP_ALIVE);
          sentSinceTick = false;
        }, options.keepAliveMs);
      },
      // All the chunks of one network read go out in one write; reads on while the consumer has room.
      async pull(controller) {
        try {
          do {
            const result = await batches.next();
            sentSinceTick = true;
            if (result.done) return finish(controller, DONE);
            firstEventAt ??= performance.now();
            controller.enqueue(encoder.encode(result.value.map(encode).join("")));
          } while ((controller.desiredSize ?? 0) > 0);
        } catch (error) {
          const failure =
            error instanceof AgentError ? error : new InternalServerError("Internal error while streaming", { cause: error });
          options.onError?.(failure);
          finish(controller, encoder.encode(`data: ${JSON.stringify(failure.toJSON())}\n\n`), failure);
        }
      },
      cancel() {
        clearInterval(keepAlive);
        closed = true;
        end({ cancelled: true });
        return stream.cancel();
      },
    },
    { highWaterMark: 16 },
  );
  const headers = new Headers(options.headers);
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no"); // nginx and similar proxies would otherwise buffer the stream
  return new Response(body, { status: 200, headers });
}
