import { AgentError, InternalServerError } from "../errors.ts";

/** What a surface streams: its events as SSE text, a network read at a time. */
export interface SseSource {
  /** The SSE text of the next batch of events; done at the end. */
  next(): Promise<IteratorResult<string>>;
  /** The SSE text of an error in the middle of the stream, as the surface's clients raise it. */
  error(error: AgentError): string;
  /** What goes out after the last event (`data: [DONE]` for chat completions). */
  done: string;
  /** What goes out while the agent is silent. */
  keepAlive: string;
  /** Stops the upstream call. */
  cancel(): Promise<void>;
}

export interface SseOptions {
  headers: Headers;
  /** The keep-alive goes out after this much silence, so proxies and clients do not time out. */
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

/**
 * A surface's events as server-sent events. Each batch is written when the consumer is ready
 * for it (backpressure); an error mid-stream becomes the surface's error event and ends the
 * stream; a consumer that goes away cancels the upstream call.
 */
export function sseResponse(source: SseSource, options: SseOptions): Response {
  const keepAliveBytes = encoder.encode(source.keepAlive);
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
  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, last: string, error?: AgentError) => {
    clearInterval(keepAlive);
    end({ error, cancelled: false });
    if (closed) return; // the consumer went away: nobody to tell
    closed = true;
    if (last) controller.enqueue(encoder.encode(last));
    controller.close();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // One timer per stream: a keep-alive goes out when a whole period passed without data.
        keepAlive = setInterval(() => {
          if (!sentSinceTick && !closed) controller.enqueue(keepAliveBytes);
          sentSinceTick = false;
        }, options.keepAliveMs);
      },
      // All the events of one network read go out in one write; reads on while the consumer has room.
      async pull(controller) {
        try {
          do {
            const result = await source.next();
            sentSinceTick = true;
            if (result.done) return finish(controller, source.done);
            if (!result.value) continue;
            firstEventAt ??= performance.now();
            controller.enqueue(encoder.encode(result.value));
          } while ((controller.desiredSize ?? 0) > 0);
        } catch (error) {
          const failure =
            error instanceof AgentError ? error : new InternalServerError("Internal error while streaming", { cause: error });
          options.onError?.(failure);
          finish(controller, source.error(failure), failure);
        }
      },
      cancel() {
        clearInterval(keepAlive);
        closed = true;
        end({ cancelled: true });
        return source.cancel();
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
