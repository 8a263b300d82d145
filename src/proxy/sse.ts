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
  /** The response's headers, to which the SSE ones are added. */
  headers: Headers;
  /** The request answered: when its server writes SSE itself (`writesSseItself`), no web stream is made. */
  request?: Request;
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

/** Where an SSE stream's text goes: a web stream's controller, or a server's own response. */
export interface SseSink {
  /** Writes; false when the consumer has no room for more until `room()` resolves. */
  write(text: string): boolean;
  room(): Promise<void>;
  close(): void;
}

/** An SSE answer not yet started, for a server that writes it to its own response. */
export interface PendingSse {
  start(sink: SseSink): void;
  /** The consumer went away: stops the upstream call. */
  cancel(): Promise<void>;
}

// Requests whose server writes their SSE answers itself (the Node server), and those answers, not
// yet started, by request: a web stream per answer that nobody reads would cost every open stream.
const direct = new WeakSet<object>();
const pending = new WeakMap<object, PendingSse>();

/** Marks a request whose server will write its SSE answer itself, taken by `takeSse` once the app has answered. */
export function writesSseItself(request: Request): void {
  direct.add(request);
}

/** The SSE answer made for a request `writesSseItself` marked; once. */
export function takeSse(request: Request): PendingSse | undefined {
  const sse = pending.get(request);
  pending.delete(request);
  return sse;
}

const encoder = new TextEncoder();
// One scratch buffer for every stream, as encoding is synchronous: encodeInto it, then a copy of
// what it wrote, measured 1.5 to 1.8 times as fast as TextEncoder.encode for a batch's text (Node 20).
const scratch = new Uint8Array(128 * 1024);

/** A batch's SSE text as UTF-8 bytes. */
function utf8(text: string): Uint8Array {
  if (text.length * 3 > scratch.length) return encoder.encode(text); // a UTF-16 unit is at most 3 bytes
  return scratch.slice(0, encoder.encodeInto(text, scratch).written);
}

/**
 * A surface's events as server-sent events. Each batch is written as one piece when the consumer
 * has room for it (backpressure); an error mid-stream becomes the surface's error event and ends
 * the stream; a consumer that goes away cancels the upstream call. Nothing starts until the body
 * is read, or, for a server that writes SSE itself, until it takes the answer (`takeSse`): then the
 * response has no body.
 */
export function sseResponse(source: SseSource, options: SseOptions): Response {
  const sse = pumpOf(source, options);
  const { headers } = options;
  headers.set("content-type", "text/event-stream; charset=utf-8");
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no"); // nginx and similar proxies would otherwise buffer the stream
  if (options.request && direct.has(options.request)) {
    pending.set(options.request, sse);
    return new Response(null, { status: 200, headers });
  }
  let room: (() => void) | undefined;
  let started = false;
  // highWaterMark 0: pull() runs only when the consumer reads, so an unread body starts nothing.
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (started) return room?.();
        started = true;
        sse.start({
          write: (text) => {
            try {
              controller.enqueue(utf8(text));
            } catch {
              return true; // closed by its consumer: cancel() tells the pump
            }
            return (controller.desiredSize ?? 0) > 0;
          },
          room: () => new Promise((resolve) => (room = resolve)),
          close: () => controller.close(),
        });
      },
      cancel() {
        const cancelled = sse.cancel();
        room?.(); // a write waiting for room finds the stream closed
        return cancelled;
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: 200, headers });
}

/** The loop of one SSE answer: a batch of events at a time into its sink, a keep-alive while silent. */
function pumpOf(source: SseSource, options: SseOptions): PendingSse {
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let sentSinceTick = false;
  let closed = false;
  let firstEventAt: number | undefined;
  let ended = false;
  let cancelling = false;
  const end = (outcome: Omit<StreamEnd, "firstEventAt">) => {
    // Once cancelled, the stream ends when the upstream has closed, not before (see cancel()).
    if (ended || (cancelling && !outcome.cancelled)) return;
    ended = true;
    clearInterval(keepAlive);
    options.onEnd?.({ firstEventAt, ...outcome });
  };
  const finish = (sink: SseSink, last: string, error?: AgentError) => {
    end({ error, cancelled: false });
    if (closed) return; // the consumer went away: nobody to tell
    closed = true;
    if (last) sink.write(last);
    sink.close();
  };
  // Promise callbacks, not an async loop: a stream waiting for its next batch holds no frame (see ../batches.ts).
  const run = (sink: SseSink) => {
    // A sink that throws (its consumer gone meanwhile) ends the stream as a failure would.
    const next = (): void => void source.next().then(written, failed).catch(failed);
    const written = (result: IteratorResult<string>): void => {
      if (closed) return;
      sentSinceTick = true;
      if (result.done) return finish(sink, source.done);
      if (result.value) {
        firstEventAt ??= performance.now();
        if (!sink.write(result.value)) return void sink.room().then(() => closed || next());
      }
      next();
    };
    const failed = (error: unknown): void => {
      if (closed) return;
      const failure = error instanceof AgentError ? error : new InternalServerError("Internal error while streaming", { cause: error });
      options.onError?.(failure);
      finish(sink, source.error(failure), failure);
    };
    next();
  };
  return {
    start(sink) {
      // One timer per stream: a keep-alive goes out when a whole period passed without data.
      keepAlive = setInterval(() => {
        if (!sentSinceTick && !closed) sink.write(source.keepAlive);
        sentSinceTick = false;
      }, options.keepAliveMs);
      run(sink);
    },
    cancel() {
      if (ended) return Promise.resolve();
      closed = true;
      cancelling = true;
      clearInterval(keepAlive);
      // The upstream closes first, so what the answer spent so far is counted when the record closes.
      // Bounded, so that a close that hangs never keeps the request open (nor its parallel slot taken).
      const closing = Promise.race([source.cancel(), new Promise((resolve) => setTimeout(resolve, 2000))]);
      return closing.finally(() => end({ cancelled: true })) as Promise<void>;
    },
  };
}
