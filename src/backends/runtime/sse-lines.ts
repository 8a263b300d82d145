// The `data:` payloads of a server-sent event stream, for the runtime's answers in SSE.

/** SSE `data:` payloads, across reads split anywhere (UTF-8 decoded across them too). */
export class SseLines {
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private data: string[] = [];

  push(bytes: Uint8Array): string[] {
    this.buffer += this.decoder.decode(bytes, { stream: true });
    return this.lines(false);
  }

  end(): string[] {
    this.buffer += this.decoder.decode();
    return this.lines(true);
  }

  private lines(final: boolean): string[] {
    const events: string[] = [];
    let newline: number;
    while ((newline = this.buffer.indexOf("\n")) !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, "");
      this.buffer = this.buffer.slice(newline + 1);
      if (line === "") {
        if (this.data.length > 0) events.push(this.data.join("\n"));
        this.data = [];
      } else if (line.startsWith("data:")) this.data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
    if (final) {
      if (this.buffer.startsWith("data:")) this.data.push(this.buffer.slice(this.buffer.startsWith("data: ") ? 6 : 5));
      if (this.data.length > 0) events.push(this.data.join("\n"));
      this.data = [];
      this.buffer = "";
    }
    return events;
  }
}
