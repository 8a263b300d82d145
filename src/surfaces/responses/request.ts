// An OpenAI Responses request → an AgentRequest: `input` items become turns, `instructions` and
// system or developer messages instructions, `function_call_output` items tool results.
import { BadRequestError } from "../../errors.ts";
import { dataUrlToFile } from "../../files.ts";
import type { AgentRequest, AssistantContent, FunctionTool, Turn, UserContent } from "../../parts.ts";
import { agentOptions, checkFlags, invalid, sessionOf, withModelSettings } from "../options.ts";
import type { ResponseInputItem, ResponsesParams } from "./types.ts";

// Items a client may pass back from an earlier response that an agent session already holds.
const ALREADY_HELD = new Set(["reasoning"]);

export function responsesRequest(params: ResponsesParams): AgentRequest {
  checkFlags(params, ["stream"]);
  const instructions: string[] = [];
  if (params.instructions !== undefined && params.instructions !== null) {
    if (typeof params.instructions !== "string") throw invalid("instructions", "a string");
    if (params.instructions) instructions.push(params.instructions);
  }
  const metadata: unknown = params.metadata;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata))) {
    throw invalid("metadata", "an object of string values");
  }
  const turns: Turn[] = [];
  const input = params.input;
  if (typeof input === "string") {
    turns.push({ role: "user", content: input ? [{ type: "text", text: input }] : [], param: "input" });
  } else if (Array.isArray(input) && input.length > 0) {
    input.forEach((item, index) => addItem(item as ResponseInputItem, `input[${index}]`, turns, instructions));
  } else {
    throw new BadRequestError('"input" is required: a string, or a non-empty list of input items', { param: "input", code: "invalid_input" });
  }
  return {
    model: params.model,
    turns,
    instructions,
    tools: functionTools(params.tools),
    sessionId: sessionOf(params),
    stream: params.stream === true,
    param: "input",
    options: withModelSettings(
      agentOptions(params),
      { user: params.user, maxTokens: params.max_output_tokens, temperature: params.temperature, topP: params.top_p },
      { user: "user", maxTokens: "max_output_tokens" },
    ),
  };
}

function addItem(item: ResponseInputItem, param: string, turns: Turn[], instructions: string[]): void {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new BadRequestError(`${param} must be an input item (an object)`, { param, code: "invalid_input" });
  }
  const type = item.type ?? (item.role !== undefined ? "message" : undefined);
  switch (type) {
    case "message":
      return addMessage(item, param, turns, instructions);
    case "function_call": {
      if (typeof item.call_id !== "string") throw invalid(`${param}.call_id`, "the call_id of the function call");
      const call: AssistantContent = {
        type: "tool-call",
        id: item.call_id,
        name: typeof item.name === "string" ? item.name : "",
        arguments: typeof item.arguments === "string" ? item.arguments : "",
        param: `${param}.call_id`,
      };
      const last = turns.at(-1);
      if (last?.role === "assistant") last.content.push(call);
      else turns.push({ role: "assistant", content: [call], param });
      return;
    }
    case "function_call_output": {
      if (typeof item.call_id !== "string") throw invalid(`${param}.call_id`, "the call_id of the function call it answers");
      const result = { callId: item.call_id, output: outputText(item.output, `${param}.output`), param: `${param}.call_id` };
      const last = turns.at(-1);
      if (last?.role === "tool") last.results.push(result);
      else turns.push({ role: "tool", results: [result] });
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
    const text = content(item, param, false)
      .map((c) => (c.type === "text" ? c.text : ""))
      .join("\n");
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
  if (!Array.isArray(value)) throw invalid(`${param}.content`, "a string or a list of content parts");
  const texts: string[] = [];
  const out: UserContent[] = [];
  value.forEach((part, index) => {
    const at = `${param}.content[${index}]`;
    const type = part?.type;
    if ((type === "input_text" || type === "output_text") && typeof part.text === "string") return void texts.push(part.text);
    if (type === "refusal") return;
    if (files && type === "input_image") {
      if (typeof part.image_url !== "string") throw unsupported(at, "images must be inline data URLs in image_url; file ids are not supported");
      out.push({ type: "file", file: dataUrlToFile(part.image_url, `image-${out.length + 1}`, at), param: at });
      return;
    }
    if (files && type === "input_file") {
      if (typeof part.file_data !== "string") throw unsupported(at, "files must be inline as file_data (a data URL); file ids and URLs are not supported");
      const name = typeof part.filename === "string" && part.filename ? part.filename : `file-${out.length + 1}`;
      out.push({ type: "file", file: dataUrlToFile(part.file_data, name, at), param: at });
      return;
    }
    throw unsupported(at, `content parts of type "${String(type).slice(0, 40)}" are not supported here`);
  });
  const text = texts.join("\n");
  return text ? [{ type: "text", text }, ...out] : out;
}

function outputText(output: ResponseInputItem["output"], param: string): string {
  if (typeof output === "string") return output;
  if (Array.isArray(output) && output.every((part) => (part?.type === "input_text" || part?.type === "output_text") && typeof part.text === "string")) {
    return output.map((part) => part.text).join("\n");
  }
  throw new BadRequestError(`${param}: a function call's output must be text`, { param, code: "invalid_tool_result" });
}

function functionTools(tools: ResponsesParams["tools"]): FunctionTool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalid("tools", "a list of tools");
  const out: FunctionTool[] = [];
  tools.forEach((tool, index) => {
    if (tool?.type !== "function") return; // hosted tools: an agent's tools are its own
    if (typeof tool.name !== "string" || tool.name === "") throw invalid(`tools[${index}].name`, "the function's name");
    const spec: FunctionTool = { name: tool.name };
    if (typeof tool.description === "string") spec.description = tool.description;
    if (tool.parameters && typeof tool.parameters === "object") spec.parameters = tool.parameters as Record<string, unknown>;
    out.push(spec);
  });
  return out;
}

function unsupported(param: string, message: string): BadRequestError {
  return new BadRequestError(`${param}: ${message}`, { param, code: "unsupported_content" });
}
