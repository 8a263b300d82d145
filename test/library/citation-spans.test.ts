// Where a citation lands in the answer (issue 21.3): by its text when the answer has it, else by
// its span as AWS counts it: from the answer's first word, `end` the last character's index.
import { describe, expect, it } from "vitest";
import { CitationIndexer } from "../../src/backends/agents-classic/citations.ts";
import type { AgentPart } from "../../src/parts.ts";

const reference = { location: { type: "S3", s3Location: { uri: "s3://kb/doc.pdf" } }, content: { text: "passage", type: "TEXT" } };
const cite = (text: string, start: number, end: number) => [{ generatedResponsePart: { textResponsePart: { text, span: { start, end } } }, retrievedReferences: [reference] }];
const spans = (parts: AgentPart[]) => parts.map((p) => (p.type === "citation" ? [p.start, p.end] : undefined));

describe("CitationIndexer", () => {
  it("places a span counted from the first word, its end inclusive, when the text is not in the answer", () => {
    const indexer = new CitationIndexer();
    const answer = "\n\nReturns are free. Refunds take 5 days.";
    indexer.append(answer);
    // The cited text was reworded after the citation was made: only the span is left.
    expect(spans(indexer.parts(cite("Returns cost nothing.", 0, 17)))).toEqual([[2, 20]]);
    expect(answer.slice(2, 20)).toBe("Returns are free. ");
  });

  it("finds cited text read in earlier chunks once a knowledge base was consulted", () => {
    const indexer = new CitationIndexer();
    indexer.expect();
    for (const piece of ["\n\nReturns ", "are free. ", "Refunds take ", "5 days."]) {
      indexer.append(piece);
      if (piece !== "5 days.") indexer.done();
    }
    // A span that is off (post-processing reworded what came before): the text still places it.
    expect(spans(indexer.parts(cite("Refunds take 5 days.", 0, 5)))).toEqual([[20, 40]]);
  });

  it("without a lookup keeps no text between reads, and falls back to the span", () => {
    const indexer = new CitationIndexer();
    for (const piece of ["\n\nReturns ", "are free. ", "Refunds take ", "5 days."]) {
      indexer.append(piece);
      if (piece !== "5 days.") indexer.done();
    }
    expect(spans(indexer.parts(cite("Refunds take 5 days.", 18, 37)))).toEqual([[20, 40]]);
  });
});
