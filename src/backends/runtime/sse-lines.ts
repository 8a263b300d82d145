// A runtime's answer read as it comes: the `data:` payloads of a server-sent event stream, or
// (any other content type) one document at the end.
import { reads } from "../../aws/event-stream.ts";
import type { Batches } from "../../batches.ts";
import type { AgentPart } from "../../parts.ts";
import { partsFrom } from "../parts-from.ts";

/** What reads an answer's body: its SSE events' data one by one, or its whole document. */
export interface BodyReader {
  data(data: string, out: AgentPart[]): void;
  /** `type`: the body's media type, lower case, without parameters. */
  document(text: string, type: string, out: AgentPart[]): void;
  /** The closing parts (usage, finish). */
  end(out: AgentPart[]): void;
}

/** The parts of an answer's body, a batch per network read (a document's, all at the end). */
export function bodyParts(response: Response, reader: BodyReader, onRead: () => void): Batches<AgentPart> {
  const type = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  const sse = type === "text/event-stream";
  const lines = new SseLines();
  const decoder = new TextDecoder();
  let document = "";
  return partsFrom(reads(response.body!, onRead), {
    read([bytes], out) {
      if (sse) for (const data of lines.push(bytes!)) reader.data(data, out);
      else document += decoder.decode(bytes, { stream: true });
    },
    end(out) {
      if (sse) for (const data of lines.end()) reader.data(data, out);
      else reader.document(document + decoder.decode(), type, out);
      reader.end(out);
    },
  });
}

/** SSE `data:` payloads, across reads split anywhere (UTF-8 decoded across them too). */
export class SseLines {
  readonly #decoder = new TextDecoder();
  #buffer = "";
  #data: string[] = [];

  push(bytes: Uint8Array): string[] {
    this.#buffer += this.#decoder.decode(bytes, { stream: true });
    return this.#lines(false);
  }

  end(): string[] {
    this.#buffer += this.#decoder.decode();
    return this.#lines(true);
  }

  #lines(final: boolean): string[] {
    const events: string[] = [];
    let newline: number;
    while ((newline = this.#buffer.indexOf("\n")) !== -1) {
      const line = this.#buffer.slice(0, newline).replace(/\r$/, "");
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line === "") {
        if (this.#data.length > 0) events.push(this.#data.join("\n"));
        this.#data = [];
      } else if (line.startsWith("data:")) this.#data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
    }
    if (final) {
      if (this.#buffer.startsWith("data:")) this.#data.push(this.#buffer.slice(this.#buffer.startsWith("data: ") ? 6 : 5));
      if (this.#data.length > 0) events.push(this.#data.join("\n"));
      this.#data = [];
      this.#buffer = "";
    }
    return events;
  }
}
