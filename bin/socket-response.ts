// An AWS response as the library reads one (status, headers, a body reader, text()), with its body
// read straight from the socket. A web ReadableStream would cost more: in Node 20 each is several
// objects with hidden classes of their own, kept as long as an answer streams.
import type { IncomingMessage } from "node:http";

type Read = ReadableStreamReadResult<Uint8Array>;

/** The body: read() takes the socket's next chunk; the socket is paused until it is asked for (backpressure down to TCP). */
export class SocketBody {
  private chunks: Uint8Array[] = [];
  private ended = false;
  private failure: unknown;
  private waiting: { resolve(result: Read): void; reject(error: unknown): void } | undefined;
  private locked = false;

  constructor(private readonly incoming: IncomingMessage) {
    incoming.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) return waiting.resolve({ done: false, value: bytes });
      this.chunks.push(bytes);
      incoming.pause();
    });
    incoming.once("end", () => this.settle());
    incoming.once("error", (error) => this.settle(error));
    // A connection lost mid-body may close without an error: never a silent, truncated end.
    incoming.once("close", () => this.settle(new Error("the connection closed before the response ended")));
    incoming.pause();
  }

  /** The reader: this body itself, once, as a web stream allows one reader. */
  getReader(): this {
    if (this.locked) throw new TypeError("The body is locked to a reader");
    this.locked = true;
    return this;
  }

  /** The next chunk; chunks that came before a failure are read before it. */
  read(): Promise<Read> {
    const chunk = this.chunks.shift();
    if (chunk) return Promise.resolve({ done: false, value: chunk });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.incoming.resume();
    });
  }

  /** The reader is done with it: the connection is closed, a pending read ends. */
  cancel(): Promise<void> {
    this.chunks = [];
    this.settle();
    this.incoming.destroy();
    return Promise.resolve();
  }

  releaseLock(): void {}

  async text(): Promise<string> {
    const decoder = new TextDecoder();
    let text = "";
    for (let result = await this.read(); !result.done; result = await this.read()) text += decoder.decode(result.value, { stream: true });
    return text + decoder.decode();
  }

  private settle(error?: unknown): void {
    if (this.ended || this.failure !== undefined) return;
    if (error === undefined) this.ended = true;
    else this.failure = error;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (error === undefined) waiting?.resolve({ done: true, value: undefined });
    else waiting?.reject(error);
  }
}

/** The response: what the library reads of a fetch Response, no more. */
export class SocketResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers = new Headers();
  readonly body: SocketBody | null;

  constructor(incoming: IncomingMessage) {
    this.status = incoming.statusCode ?? 502;
    this.statusText = incoming.statusMessage ?? "";
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined) this.headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
    const empty = this.status === 204 || this.status === 304;
    this.body = empty ? null : new SocketBody(incoming);
    if (empty) incoming.resume(); // nothing to read: the socket goes back to the pool
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  text(): Promise<string> {
    return this.body ? this.body.text() : Promise.resolve("");
  }
}
