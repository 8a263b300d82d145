// Type checks of the fields a surface reads from a request, before any code relies on a type: a
// value of the wrong type is a 400 whose message and `param` name the field by its path
// (`messages[2].tool_calls[0].function.arguments`), never a TypeError deeper down. Flat checks of
// one value each: nothing here walks client data.
import { BadRequestError } from "../errors.ts";

export type JsonObject = Record<string, unknown>;

/** A 400 for a field that holds something other than `expected` (or nothing, when it is required). */
export function wrongType(param: string, expected: string, value: unknown): BadRequestError {
  const found = value === undefined ? "it is missing" : `not ${kindOf(value)}`;
  return new BadRequestError(`${param} must be ${expected}, ${found}`, { param, code: "invalid_type" });
}

/** A value's JSON type, as an error message names it. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return typeof value;
  }
}

/** A JSON object: not null, not a list. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Undefined and null both mean "not given" for an optional field. */
function absent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function asObject(value: unknown, param: string, expected = "an object"): JsonObject {
  if (!isObject(value)) throw wrongType(param, expected, value);
  return value;
}

export function asList(value: unknown, param: string, expected = "a list"): unknown[] {
  if (!Array.isArray(value)) throw wrongType(param, expected, value);
  return value;
}

export function asString(value: unknown, param: string, expected = "a string"): string {
  if (typeof value !== "string") throw wrongType(param, expected, value);
  return value;
}

/** A content part (or block): an object with a string `type`. */
export function contentPart(value: unknown, param: string, expected = "a content part (an object with a type)"): JsonObject & { type: string } {
  const part = asObject(value, param, expected);
  asString(part.type, `${param}.type`);
  return part as JsonObject & { type: string };
}

export function optionalObject(value: unknown, param: string, expected = "an object"): JsonObject | undefined {
  return absent(value) ? undefined : asObject(value, param, expected);
}

export function optionalList(value: unknown, param: string, expected = "a list"): unknown[] | undefined {
  return absent(value) ? undefined : asList(value, param, expected);
}

export function optionalString(value: unknown, param: string, expected = "a string"): string | undefined {
  return absent(value) ? undefined : asString(value, param, expected);
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (absent(value)) return undefined;
  if (typeof value !== "boolean") throw wrongType(param, "true or false", value);
  return value;
}

/** An object whose values are strings (metadata, session attributes); a value of another type is named by its key. */
export function stringValues(value: unknown, param: string): Record<string, string> {
  const object = asObject(value, param, "an object whose values are strings");
  for (const [key, item] of Object.entries(object)) {
    if (typeof item !== "string") throw wrongType(keyParam(param, key), "a string", item);
  }
  return object as Record<string, string>;
}

/** `param.key`, the key clipped: it is the client's text, and it goes into the message. */
function keyParam(param: string, key: string): string {
  return `${param}.${key.length > 64 ? `${key.slice(0, 61)}...` : key}`;
}
