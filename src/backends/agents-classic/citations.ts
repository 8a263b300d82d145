import type { Citation } from "../../raw-types.ts";
import type { AgentPart } from "../../parts.ts";
import { TextWindow } from "../../text-window.ts";
import { referenceSource } from "./references.ts";

// The cited text is looked up in the recent part of the answer only (TextWindow), so memory stays
// flat however long the answer grows; a chunk's citations come with it.
const WINDOW = 4 * 1024;

/**
 * `chunk.attribution` → citation parts, one per cited source and span (references repeating one
 * are one part), with start and end indices (UTF-16, end exclusive) into the whole answer, also
 * when it streams in many chunks.
 */
export class CitationIndexer {
  readonly #window = new TextWindow(WINDOW);
  /** Source and span of each citation given, made when the first one comes. */
  #seen: Set<string> | undefined;
  /** Where the answer's first word starts: AWS counts spans from there (answers often open with "\n\n"). */
  #firstWord: number | undefined;
  #read = 0;

  /** Feeds the answer's text, in order, before the citations that arrive with it. */
  append(text: string): void {
    if (this.#firstWord === undefined) {
      const at = text.search(/\S/);
      if (at !== -1) this.#firstWord = this.#read + at;
      this.#read += text.length;
    }
    this.#window.append(text);
  }

  /**
   * A knowledge base was consulted (the trace said so): citations may come, and cite text of
   * chunks read before theirs, so the recent text is kept from now on.
   */
  expect(): void {
    this.#window.hold();
  }

  /** A chunk was read. */
  done(): void {
    this.#window.settle();
  }

  parts(citations: Citation[]): AgentPart[] {
    const recent = this.#window.text();
    const out: AgentPart[] = [];
    for (const citation of citations) {
      const part = citation.generatedResponsePart?.textResponsePart;
      const [start, end] = this.#locate(recent, part?.text ?? "", part?.span?.start, part?.span?.end);
      for (const reference of citation.retrievedReferences ?? []) {
        const source = referenceSource(reference);
        // Two chunks of one document backing one sentence are one citation of it.
        const key = `${source.url === undefined ? "id" : "url"}\u0000${source.url ?? source.documentId}\u0000${start}\u0000${end}`;
        if ((this.#seen ??= new Set()).has(key)) continue;
        this.#seen.add(key);
        out.push({ type: "citation", ...source, start, end });
      }
    }
    return out;
  }

  /**
   * Where the cited text stands: found in the answer near the span AWS gave, else the span itself.
   * AWS counts a span from the answer's first word, and its `end` is the last character's index.
   */
  #locate(recent: string, text: string, spanStart = 0, spanEnd = spanStart - 1): [number, number] {
    const length = this.#window.start + recent.length;
    const offset = this.#firstWord ?? 0;
    spanStart += offset;
    spanEnd += offset + 1;
    let best = -1;
    if (text !== "") {
      for (let at = recent.indexOf(text); at !== -1; at = recent.indexOf(text, at + 1)) {
        const absolute = this.#window.start + at;
        if (best === -1 || Math.abs(absolute - spanStart) < Math.abs(best - spanStart)) best = absolute;
      }
    }
    if (best !== -1) return [best, best + text.length];
    const start = Math.min(Math.max(0, spanStart), length);
    return [start, Math.min(Math.max(start, spanEnd), length)];
  }
}
