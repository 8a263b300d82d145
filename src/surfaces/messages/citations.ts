// Citation parts → Anthropic's text citations: a web URL as `web_search_result_location`, any
// other source (an S3 URI, a document without a URL) as `search_result_location`, each source
// numbered in the order the answer first cites it, as search results are.
import type { CitationPart } from "../../parts.ts";
import type { TextCitation } from "./types.ts";

const WEB_URL = /^https?:\/\//i;

export class CitationShapes {
  /** Each non-web source's `search_result_index`, made when the first one comes. */
  #indexes: Map<string, number> | undefined;

  /** `citedText`: the retrieved passage, or the answer's text when the backend gave none. */
  citation(part: CitationPart, citedText: string): TextCitation {
    if (part.url !== undefined && WEB_URL.test(part.url)) {
      return { type: "web_search_result_location", url: part.url, title: part.title, cited_text: citedText, encrypted_index: "" };
    }
    const source = part.url ?? part.documentId ?? "";
    const indexes = (this.#indexes ??= new Map());
    let index = indexes.get(source);
    if (index === undefined) indexes.set(source, (index = indexes.size));
    return {
      type: "search_result_location",
      source,
      title: part.title,
      cited_text: citedText,
      search_result_index: index,
      start_block_index: 0,
      end_block_index: 1,
    };
  }
}
