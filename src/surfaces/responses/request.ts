// An OpenAI Responses request → an AgentRequest: `input` items become turns, `instructions` and
// system or developer messages instructions, `function_call_output` items tool results.
import { BadRequestError } from "../../errors.ts";
import { dataUrlToFile } from "../../files.ts";
import type { AgentRequest, AssistantContent, FunctionTool, Turn, UserContent } from "../../parts.ts";
import { assembleRequest, type SurfaceRead } from "../assemble-request.ts";
import { addToolResults, functionTool, textOf, textThenFiles } from "../conversation.ts";
import { asObject, asString, contentPart, type JsonObject, optionalList, optionalString, stringValues, wrongType } from "../fields.ts";
import type { ResponseInputItem, ResponsesParams } from "./types.ts";

// Items a client may pass back from an earlier response that an agent session already holds.
const ALREADY_HELD = new Set(["reasoning"]);

export function responsesRequest(params: ResponsesParams): AgentRequest {
  return assembleRequest(params, { flags: ["store"], read: () => readResponses(params) });
}

function readResponses(params: ResponsesParams): SurfaceRead {
  const instructions: string[] = [];
  const instructionText = optionalString(params.instructions, "instructions");
  if (instructionText) instructions.push(instructionText);
  // Echoed in the response. (previous_response_id is checked, its type too, where it is opened.)
  if (params.metadata !== undefined && params.metadata !== null) stringValues(params.metadata, "metadata");
  const turns: Turn[] = [];
  const input = params.input;
  if (typeof input === "string") {
    turns.push({ role: "user", content: input ? [{ type: "text", text: input }] : [], param: "input" });
  } else if (Array.isArray(input) && input.length > 0) {
    input.forEach((item: unknown, index) => addItem(item, `input[${index}]`, turns, instructions));
  } else {
    throw new BadRequestError('"input" is required: a string, or a non-empty list of input items', { param: "input", code: "invalid_input" });
  }
  const tools = functionTools(params.tools);
  const settings = {
    user: params.user,
    maxTokens: params.max_output_tokens,
    temperature: params.temperature,
    topP: params.top_p,
    names: { maxTokens: "max_output_tokens" },
  };
  return { param: "input", turns, instructions, tools, settings };
}

function addItem(value: unknown, param: string, turns: Turn[], instructions: string[]): void {
  const item = asObject(value, param, "an input item (an object)") as ResponseInputItem & JsonObject;
  // A message may leave out its type.
  const type = optionalString(item.type, `${param}.type`) ?? (item.role !== undefined ? "message" : undefined);
  switch (type) {
    case "message":
      return addMessage(item, param, turns, instructions);
    case "function_call": {
      const call: AssistantContent = {
        type: "tool-call",
        id: asString(item.call_id, `${param}.call_id`, "the call_id of the function call"),
        name: asString(item.name, `${param}.name`, "the function's name"),
        arguments: asString(item.arguments, `${param}.arguments`, "a string (the arguments as JSON text)"),
        param: `${param}.call_id`,
      };
      const last = turns.at(-1);
      if (last?.role === "assistant") last.content.push(call);
      else turns.push({ role: "assistant", content: [call], param });
      return;
    }
    case "function_call_output": {
      const callId = asString(item.call_id, `${param}.call_id`, "the call_id of the function call it answers");
      addToolResults(turns, { callId, output: outputText(item.output, `${param}.output`), param: `${param}.call_id` });
      return;
    }
    default:
      if (ALREADY_HELD.has(type as string)) return;
      throw new BadRequestError(
        `${param}: input items of type "${String(type).slice(0, 40)}" are not supported (message, function_call, function_call_output, reasoning are)`,
        { param: `${param}.type`, code: "unsupported_input" },
      );
  }
}

function addMessage(item: ResponseInputItem, param: string, turns: Turn[], instructions: string[]): void {
  const role = item.role;
  if (role === "system" || role === "developer") {
    const text = textOf(content(item, param, false));
    if (text) instructions.push(text);
    return;
  }
  if (role === "user") {
    turns.push({ role: "user", content: content(item, param, true), param });
    return;
  }
  if (role === "assistant") {
    const text = content(item, param, false).filter((c) => c.type === "text");
    const last = turns.at(-1);
    if (last?.role === "assistant") last.content.push(...text);
    else turns.push({ role: "assistant", content: text, param });
    return;
  }
  throw new BadRequestError(`${param}.role must be one of user, assistant, system, developer`, { param: `${param}.role`, code: "invalid_input" });
}

/** A message's text (its text parts joined by newlines), and (`files`: user messages) its images and files. */
function content(item: ResponseInputItem, param: string, files: boolean): UserContent[] {
  const value = item.content;
  if (typeof value === "string") return value ? [{ type: "text", text: value }] : [];
  if (!Array.isArray(value)) throw wrongType(`${param}.content`, "a string or a list of content parts", value);
  const texts: string[] = [];
  const out: UserContent[] = [];
  value.forEach((item: unknown, index) => {
    const at = `${param}.content[${index}]`;
    const part = contentPart(item, at);
    const { type } = part;
    if (type === "input_text" || type === "output_text") return void texts.push(asString(part.text, `${at}.text`));
    if (type === "refusal") return;
    if (files && type === "input_image") {
      const url = optionalString(part.image_url, `${at}.image_url`, "a data URL");
      if (url === undefined) throw unsupported(at, "images must be inline data URLs in image_url; file ids are not supported");
      out.push({ type: "file", file: dataUrlToFile(url, `image-${out.length + 1}`, at), param: at });
      return;
    }
    if (files && type === "input_file") {
      const data = optionalString(part.file_data, `${at}.file_data`, "a data URL");
      const filename = optionalString(part.filename, `${at}.filename`);
      if (data === undefined) throw unsupported(at, "files must be inline as file_data (a data URL); file ids and URLs are not supported");
      out.push({ type: "file", file: dataUrlToFile(data, filename || `file-${out.length + 1}`, at), param: at });
      return;
    }
    throw unsupported(at, `content parts of type "${type.slice(0, 40)}" are not supported here`);
  });
  return textThenFiles(texts, out);
}

function outputText(output: unknown, param: string): string {
  if (typeof output === "string") return output;
  const notText = () => new BadRequestError(`${param}: a function call's output must be text`, { param, code: "invalid_tool_result" });
  if (!Array.isArray(output)) throw notText();
  return output
    .map((item: unknown, index) => {
      const part = contentPart(item, `${param}[${index}]`);
      if (part.type !== "input_text" && part.type !== "output_text") throw notText();
      return asString(part.text, `${param}[${index}].text`);
    })
    .join("\n");
}

function functionTools(tools: unknown): FunctionTool[] {
  const out: FunctionTool[] = [];
  (optionalList(tools, "tools", "a list of tools") ?? []).forEach((value, index) => {
    const param = `tools[${index}]`;
    const tool = asObject(value, param, "a tool (an object with a type)");
    if (asString(tool.type, `${param}.type`) !== "function") return; // hosted tools: an agent's tools are its own
    out.push(functionTool(tool, param, "parameters", "the function's name"));
  });
  return out;
}

function unsupported(param: string, message: string): BadRequestError {
  return new BadRequestError(`${param}: ${message}`, { param, code: "unsupported_content" });
}
