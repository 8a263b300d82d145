// Mutations of valid requests: every field replaced by a value of every JSON type, or removed. Each
// surface names its fields its own way, so a mutation's path is written the way its errors name it.

import type { Json, Surface } from "./request-shapes.ts";

export type Path = Array<string | number>;

/** Removes the field instead of replacing it. */
export const REMOVE = Symbol("remove");
export type Replacement = Json | typeof REMOVE;

const LONG = "a".repeat(100_000);
const NESTED_ARRAY: Json = [[[[[[[[[["deep"]]]]]]]]]];
const NESTED_OBJECT: Json = { a: { b: { c: { d: { e: { f: { g: { h: "deep" } } } } } } } };

/** What every field is replaced with: each JSON type, empty and not, and the field's removal. */
export const REPLACEMENTS: Replacement[] = [
  REMOVE,
  null,
  true,
  false,
  0,
  1,
  -1,
  1.5,
  1e300,
  "x",
  "",
  LONG,
  [],
  [null],
  [1],
  ["x"],
  [[]],
  [{}],
  {},
  { x: 1 },
  { type: "text" },
  NESTED_ARRAY,
  NESTED_OBJECT,
];

/** A `type` or `role` also gets the names the three APIs give them, so a part of one kind is read as another. */
const KIND_NAMES: Replacement[] = [
  "text",
  "image_url",
  "file",
  "refusal",
  "input_text",
  "output_text",
  "input_image",
  "input_file",
  "message",
  "function_call",
  "function_call_output",
  "reasoning",
  "function",
  "custom",
  "image",
  "document",
  "tool_use",
  "tool_result",
  "thinking",
  "base64",
  "url",
  "system",
  "developer",
  "user",
  "assistant",
  "tool",
];

export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";

export function jsonType(value: Json): JsonType {
  return value === null ? "null" : Array.isArray(value) ? "array" : (typeof value as "boolean" | "number" | "string" | "object");
}

const ANY = "any";
const STRING_OR_LIST: JsonType[] = ["string", "array"];

/**
 * The JSON types a field may hold where its value in the shapes does not tell: content that is a
 * string or a list, ids left null in a shape, and values the surfaces pass on as they are or do
 * not read (JSON Schemas, a tool's arguments, what an agent session already holds).
 */
const FIELD_TYPES: Record<Surface, Array<[RegExp, JsonType[] | typeof ANY]>> = {
  chat: [
    [/\.parameters[.[]/, ANY],
    [/^knowledge_base_configurations\[\d+\]\.retrievalConfiguration/, ANY],
    [/^messages\[\d+\]\.content$/, STRING_OR_LIST],
    [/\.tool_calls\[\d+\]\.type$/, ANY],
    [/\.image_url\.detail$/, ANY],
    [/\.content\[\d+\]\.refusal$/, ANY],
    [/^(sessionID|memory_id)$/, ["string"]],
  ],
  responses: [
    [/\.parameters[.[]/, ANY],
    [/^input$/, STRING_OR_LIST],
    [/^input\[\d+\]\.(content|output)$/, STRING_OR_LIST],
    [/^input\[\d+\]\.(id|summary)/, ANY],
    [/\.(annotations|detail)(\.|\[|$)/, ANY],
    [/^(session_id|previous_response_id)$/, ["string"]],
  ],
  messages: [
    [/\.input_schema\./, ANY],
    [/^tools\.1\.name$/, ANY],
    [/^system$/, STRING_OR_LIST],
    [/^messages\.\d+\.content$/, STRING_OR_LIST],
    [/^messages\.\d+\.content\.\d+\.content$/, STRING_OR_LIST],
    [/^messages\.\d+\.content\.\d+\.input\./, ANY],
    [/\.(thinking|signature|is_error)$/, ANY],
    [/^session_id$/, ["string"]],
  ],
};

/**
 * Whether replacing the field at `path` (holding `original`) with `replacement` puts a value of
 * the wrong type there, which the surface must refuse with a 400 naming the field. Null and
 * removal are left out: optional fields take both.
 */
export function isWrongType(surface: Surface, path: Path, original: Json, replacement: Replacement): boolean {
  if (replacement === REMOVE || replacement === null) return false;
  const name = pathName(surface, path);
  const rule = FIELD_TYPES[surface].find(([pattern]) => pattern.test(name));
  const accepted = rule ? rule[1] : original === null ? ANY : [jsonType(original)];
  return accepted !== ANY && !accepted.includes(jsonType(replacement));
}

/** The value at `path`. */
export function valueAt(body: Json, path: Path): Json {
  return path.reduce<Json>((value, key) => (value as Record<string | number, Json>)[key]!, body);
}

/** Every path into a JSON value (not the value itself), parents before children. */
export function pathsOf(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== "object") return [];
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => {
    const path = [...prefix, key];
    return [path, ...pathsOf((value as Record<string | number, Json>)[key]!, path)];
  });
}

/** The values a path's field is replaced with: every JSON type, and kind names for `type` and `role`. */
export function replacementsFor(path: Path): Replacement[] {
  const key = path.at(-1);
  return key === "type" || key === "role" ? [...REPLACEMENTS, ...KIND_NAMES] : REPLACEMENTS;
}

/** `body` with the field at `path` replaced (or removed); undefined when the path no longer leads anywhere. */
export function mutate(body: Json, path: Path, replacement: Replacement): Json | undefined {
  const copy = structuredClone(body);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) {
    if (parent === null || typeof parent !== "object") return undefined;
    parent = (parent as Record<string | number, Json>)[key]!;
  }
  const key = path.at(-1)!;
  if (parent === null || typeof parent !== "object" || !(key in parent)) return undefined;
  if (replacement === REMOVE) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else {
    (parent as Record<string | number, Json>)[key] = replacement;
  }
  return copy;
}

/** A path as the surface's errors name it: `messages[2].content[0]` (OpenAI), `messages.2.content.0` (Anthropic). */
export function pathName(surface: Surface, path: Path): string {
  return path
    .map((key, i) => (typeof key === "number" ? (surface === "messages" ? `.${key}` : `[${key}]`) : i === 0 ? key : `.${key}`))
    .join("");
}

export function describeReplacement(replacement: Replacement): string {
  if (replacement === REMOVE) return "(removed)";
  const text = JSON.stringify(replacement);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
