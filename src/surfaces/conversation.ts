// Pieces of a conversation every surface builds alike from its own shapes: tool results gathered
// into one turn, a message's text ahead of its files, a function tool the client offers.
import type { FunctionTool, ToolResult, Turn, UserContent } from "../parts.ts";
import { asObject, asString, type JsonObject, optionalList, optionalObject, optionalString } from "./fields.ts";
import { invalid } from "./options.ts";

/** Results answer the calls of one answer together: they join the tool turn just before them. */
export function addToolResults(turns: Turn[], ...results: ToolResult[]): void {
  const last = turns.at(-1);
  if (last?.role === "tool") last.results.push(...results);
  else turns.push({ role: "tool", results });
}

/** A message's text pieces as one text, joined by newlines, ahead of its files. */
export function textThenFiles(texts: string[], files: UserContent[]): UserContent[] {
  const text = texts.join("\n");
  return text ? [{ type: "text", text }, ...files] : files;
}

/** The text of content read as a message's (system and developer text), files left out. */
export function textOf(content: UserContent[]): string {
  return content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

/**
 * A function tool from the object at `param` that holds its `name`, `description` and JSON
 * Schema (under `schemaField`: `parameters`, or Anthropic's `input_schema`); `nameIs` says what
 * the name must be, for the 400.
 */
export function functionTool(fields: JsonObject, param: string, schemaField: string, nameIs: string): FunctionTool {
  const name = asString(fields.name, `${param}.name`, nameIs);
  if (name === "") throw invalid(`${param}.name`, nameIs);
  const tool: FunctionTool = { name };
  const description = optionalString(fields.description, `${param}.description`);
  if (description !== undefined) tool.description = description;
  const schema = optionalObject(fields[schemaField], `${param}.${schemaField}`, "a JSON Schema (an object)");
  if (schema !== undefined) tool.parameters = schema;
  return tool;
}

/** Function tools in the neutral shape `[{name, description?, parameters?}]`: A2A's metadata, MCP's arguments. */
export function functionTools(value: unknown, param: string): FunctionTool[] {
  return (optionalList(value, param, "a list of tools ({name, description?, parameters?})") ?? []).map((item, i) =>
    functionTool(asObject(item, `${param}[${i}]`, "a tool ({name, description?, parameters?})"), `${param}[${i}]`, "parameters", "the function's name"),
  );
}
