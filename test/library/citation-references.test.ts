// A knowledge-base reference → what its citation says of the source: a URL when any is known,
// else an id; a title; the passage, clipped. Runs under Node and inside workerd.
import { describe, expect, it } from "vitest";
import { CitationIndexer } from "../../src/backends/agents-classic/citations.ts";
import { CITED_TEXT_LIMIT, referenceSource } from "../../src/backends/agents-classic/references.ts";

describe("a retrieved reference's source", () => {
  it("takes a URL from any location kind, else from x-amz-bedrock-kb-source-uri", () => {
    expect(referenceSource({ location: { type: "SHAREPOINT", sharePointLocation: { url: "https://corp.sharepoint.com/a/Plan%20B.docx" } } })).toEqual({
      url: "https://corp.sharepoint.com/a/Plan%20B.docx",
      title: "Plan B.docx",
    });
    expect(referenceSource({ location: { type: "S3" }, metadata: { "x-amz-bedrock-kb-source-uri": "s3://b/k.md", title: "K" } })).toEqual({ url: "s3://b/k.md", title: "K" });
  });

  it("names a source without a URL by its id, its SQL query, a metadata id, or at least its kind", () => {
    expect(referenceSource({ location: { type: "CUSTOM", customDocumentLocation: { id: "doc-1" } } })).toEqual({ documentId: "doc-1", title: "doc-1" });
    expect(referenceSource({ location: { type: "SQL", sqlLocation: { query: "SELECT 1" } } })).toMatchObject({ documentId: "SELECT 1" });
    expect(referenceSource({ location: { type: "KENDRA" }, metadata: { "x-amz-kendra-document-id": "k-1", "x-amz-kendra-document-title": "Kay" } })).toEqual({
      documentId: "k-1",
      title: "Kay",
    });
    expect(referenceSource({ location: { type: "KENDRA" } })).toEqual({ documentId: "KENDRA", title: "KENDRA" });
    expect(referenceSource({})).toEqual({ documentId: "reference", title: "reference" });
  });

  it("gives the passage: text, an SQL row, a transcript; clipped without splitting a character", () => {
    const row = [{ columnName: "city", columnValue: "Lisbon" }, { columnName: "rank", columnValue: 1 }];
    expect(referenceSource({ content: { row } }).text).toBe("city: Lisbon, rank: 1");
    expect(referenceSource({ content: { audio: { transcription: "Said so." } } }).text).toBe("Said so.");
    const long = `${"a".repeat(CITED_TEXT_LIMIT - 1)}😀 and more`;
    expect(referenceSource({ content: { text: long } }).text).toBe("a".repeat(CITED_TEXT_LIMIT - 1));
    expect(referenceSource({ content: { text: "x".repeat(5000) } }).text).toHaveLength(CITED_TEXT_LIMIT);
  });
});

describe("citations of one source and span", () => {
  it("are one part, however many references repeat them, within a chunk and across chunks", () => {
    const indexer = new CitationIndexer();
    const reference = (id: string, text: string) => ({ content: { text }, location: { type: "CUSTOM", customDocumentLocation: { id } } });
    const cites = (text: string, ...references: Array<Record<string, unknown>>) => ({
      generatedResponsePart: { textResponsePart: { text, span: { start: 0, end: text.length } } },
      retrievedReferences: references,
    });
    indexer.append("Cited. ");
    const first = indexer.parts([cites("Cited.", reference("a", "one"), reference("a", "two"), reference("b", "three")), cites("Cited.", reference("a", "four"))]);
    expect(first).toEqual([
      { type: "citation", documentId: "a", title: "a", text: "one", start: 0, end: 6 },
      { type: "citation", documentId: "b", title: "b", text: "three", start: 0, end: 6 },
    ]);
    indexer.done();
    expect(indexer.parts([cites("Cited.", reference("a", "again"))])).toEqual([]);
    // A URL and an id that read alike are different sources.
    const url = { location: { webLocation: { url: "a" } } };
    expect(indexer.parts([cites("Cited.", url)])).toHaveLength(1);
  });
});
