// A knowledge-base reference (`retrievedReferences[]`) → what a citation part says of its source:
// a URL when any is known, else an id that still names the document, a title, and the passage.
// Every location kind gives something (web, S3, Confluence, ..., CUSTOM, KENDRA, SQL), so no
// reference is dropped for want of a URL.

/** At most this many UTF-16 code units of a reference's passage travel on (a stream holds no more). */
export const CITED_TEXT_LIMIT = 1000;

export interface ReferenceSource {
  /** A web URL or document URI (s3://...), from the location or `x-amz-bedrock-kb-source-uri`. */
  url?: string;
  /** When there is no URL: a custom document's id, a Kendra document id, an SQL query, ... */
  documentId?: string;
  title: string;
  /** The retrieved passage, clipped to CITED_TEXT_LIMIT. */
  text?: string;
}

type Fields = Record<string, unknown>;

const TITLE_KEYS = ["title", "x-amz-bedrock-kb-title", "x-amz-bedrock-kb-document-title", "x-amz-kendra-document-title"];
// Ids that name a document when nothing gives a URL, best first; the chunk id is better than nothing.
const ID_KEYS = ["x-amz-bedrock-kb-document-id", "x-amz-kendra-document-id", "x-amz-bedrock-kb-chunk-id"];

export function referenceSource(reference: Fields): ReferenceSource {
  const location = fields(reference.location);
  const metadata = fields(reference.metadata);
  const url = locationField(location, "url", "uri") ?? string(metadata["x-amz-bedrock-kb-source-uri"]);
  const text = passage(fields(reference.content));
  if (url) return withText({ url, title: firstString(metadata, TITLE_KEYS) ?? lastSegment(url) }, text);
  // CUSTOM has `id`, SQL its `query`; else an id from the metadata; else at least the kind.
  const documentId = locationField(location, "id", "query") ?? firstString(metadata, ID_KEYS) ?? string(location.type) ?? "reference";
  return withText({ documentId, title: firstString(metadata, TITLE_KEYS) ?? documentId }, text);
}

function withText(source: ReferenceSource, text: string | undefined): ReferenceSource {
  if (text) source.text = clip(text);
  return source;
}

/** The first of these string fields in any of the location's members (`webLocation`, `s3Location`, ...). */
function locationField(location: Fields, ...names: string[]): string | undefined {
  for (const name of names) {
    for (const value of Object.values(location)) {
      const found = string(fields(value)[name]);
      if (found) return found;
    }
  }
  return undefined;
}

/** The retrieved content as text: its text, an SQL row as `column: value` pairs, a transcript or a summary. */
function passage(content: Fields): string | undefined {
  const text = string(content.text);
  if (text) return text;
  if (Array.isArray(content.row)) {
    const cells = content.row.map((cell) => fields(cell)).filter((cell) => string(cell.columnName));
    if (cells.length > 0) return cells.map((cell) => `${cell.columnName}: ${cell.columnValue ?? ""}`).join(", ");
  }
  return string(fields(content.audio).transcription) ?? string(fields(content.video).summary);
}

/** At most CITED_TEXT_LIMIT code units, never half a surrogate pair. */
function clip(text: string): string {
  if (text.length <= CITED_TEXT_LIMIT) return text;
  const end = CITED_TEXT_LIMIT - (isHighSurrogate(text.charCodeAt(CITED_TEXT_LIMIT - 1)) ? 1 : 0);
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function firstString(metadata: Fields, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = string(metadata[key]);
    if (value) return value;
  }
  return undefined;
}

/** A URL's last path segment, decoded: the best title when the metadata has none. */
function lastSegment(url: string): string {
  const last = url.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop() || url;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function fields(value: unknown): Fields {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Fields) : {};
}

function string(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
