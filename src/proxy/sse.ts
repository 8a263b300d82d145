import { AgentError, InternalServerError } from "../errors.ts";
import { fileToDataUrl } from "../files.ts";
import type { AgentFile, ChatCompletionChunk, ChatCompletionStream } from "../types.ts";

export interface SseOptions {
  headers: Headers;
  /** The model name the caller asked for, which the chunks carry as OpenAI's do. */
  model: string;
  /** A comment line goes out after this much silence, so proxies and clients do not time out. */
  keepAliveMs: number;
  onError?: (error: AgentError) => void;
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
  const chunks = stream[Symbol.asyncIterator]();
  let next: Promise<IteratorResult<ChatCompletionChunk>> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      next ??= chunks.next();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const silence = new Promise<"silence">((resolve) => {
        timer = setTimeout(() => resolve("silence"), options.keepAliveMs);
      });
      try {
        const result = await Promise.race([next, silence]);
        if (result === "silence") return controller.enqueue(KEEP_ALIVE);
        next = undefined;
        if (result.done) {
          controller.enqueue(DONE);
          return controller.close();
        }
        result.value.model = options.model;
        const delta = result.value.choices[0]?.delta as { files?: unknown[] } | undefined;
        if (delta?.files) delta.files = (delta.files as AgentFile[]).map(fileToDataUrl);
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(result.value)}\n\n`));
      } catch (error) {
        const failure =
          error instanceof AgentError ? error : new InternalServerError("Internal error while streaming", { cause: error });
        options.onError?.(failure);
        controller.enqueue(encoder.encode(`data: ${JSON.stringify(failure.toJSON())}\n\n`));
        controller.close();
      } finally {
        clearTimeout(timer);
      }
    },
    cancel() {
      return stream.cancel();
    },
  });
  const headers = new Headers(options.headers);
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no"); // nginx and similar proxies would otherwise buffer the stream
  return new Response(body, { status: 200, headers });
}
