// An OpenAI chat-completions request → an AgentRequest: messages become turns, system and
// developer messages instructions, trailing tool messages the results of the agent's tool calls.
import { BadRequestError } from "../../errors.ts";
import { dataUrlToFile } from "../../files.ts";
import type { AgentRequest, AssistantContent, FunctionTool, Turn, UserContent } from "../../parts.ts";
import type { ChatMessage, CompletionParams, ContentPart } from "../../types.ts";
import { assembleRequest, type SurfaceRead } from "../assemble-request.ts";
import { addToolResults, functionTool, textOf, textThenFiles } from "../conversation.ts";
import { asObject, asString, contentPart, type JsonObject, optionalBoolean, optionalList, optionalObject, optionalString, wrongType } from "../fields.ts";

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/** Checks the request as OpenAI's API would, naming the field; nothing is dropped silently. */
export function chatRequest(params: CompletionParams): AgentRequest {
  return assembleRequest(params, { read: () => readChat(params) });
}

function readChat(params: CompletionParams): SurfaceRead {
  checkStreamOptions(params);
  const messages = checkMessages(params.messages);
  const instructions: string[] = [];
  const turns: Turn[] = [];
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case "system":
      case "developer": {
        const text = textOf(userContent(message, index, false));
        if (text) instructions.push(text);
        return;
      }
      case "function":
        throw new BadRequestError(`${param}: "function" messages are deprecated; send "tool" messages`, {
          param: `${param}.role`,
          code: "unsupported_message",
        });
      case "tool": {
        const callId = asString(message.tool_call_id, `${param}.tool_call_id`, "the id of the tool call it answers");
        addToolResults(turns, { callId, output: toolText(message, index), param: `${param}.tool_call_id` });
        return;
      }
      case "user":
        turns.push({ role: "user", content: userContent(message, index, true), param });
        return;
      case "assistant": {
        const content: AssistantContent[] = userContent(message, index, false).filter((c) => c.type === "text");
        content.push(...toolCalls(message.tool_calls, `${param}.tool_calls`));
        turns.push({ role: "assistant", content, param });
        return;
      }
    }
  });
  const tools = functionTools(params.tools);
  // The one read is the one named: max_completion_tokens, unless it is absent or null.
  const completionTokens = params.max_completion_tokens !== undefined && params.max_completion_tokens !== null;
  const settings = {
    user: params.user,
    maxTokens: completionTokens ? params.max_completion_tokens : params.max_tokens,
    temperature: params.temperature,
    topP: params.top_p,
    names: { maxTokens: completionTokens ? "max_completion_tokens" : "max_tokens" },
  };
  return { param: "messages", turns, instructions, tools, settings };
}

function checkStreamOptions(params: CompletionParams): void {
  const streamOptions = optionalObject(params.stream_options, "stream_options", 'an object such as {"include_usage": true}');
  optionalBoolean(streamOptions?.include_usage, "stream_options.include_usage");
}

function checkMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError('"messages" must be a non-empty array', { param: "messages", code: "invalid_messages" });
  }
  messages.forEach((value: unknown, index) => {
    const message = asObject(value, `messages[${index}]`, "a message (an object with a role)");
    if (!ROLES.has(message.role as string)) {
      throw new BadRequestError(`messages[${index}].role must be one of system, developer, user, assistant, tool`, {
        param: `messages[${index}].role`,
        code: "invalid_messages",
      });
    }
  });
  return messages as ChatMessage[];
}

/** A message's text parts, and (`files`: for user messages) its image and file parts. */
function userContent(message: ChatMessage, index: number, files: boolean): UserContent[] {
  const { content } = message;
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) throw wrongType(`messages[${index}].content`, "a string or a list of content parts", content);
  const texts: string[] = [];
  const out: UserContent[] = [];
  let fileCount = 0;
  content.forEach((value: unknown, partIndex) => {
    const param = `messages[${index}].content[${partIndex}]`;
    const part = contentPart(value, param);
    if (part.type === "text") return void texts.push(asString(part.text, `${param}.text`));
    if (part.type === "refusal") return;
    const file = files ? partToFile(part, param, fileCount) : undefined;
    if (!file) {
      throw new BadRequestError(`${param}: content parts of type "${part.type.slice(0, 40)}" are not supported`, {
        param,
        code: "unsupported_content",
      });
    }
    fileCount++;
    out.push(file);
  });
  return textThenFiles(texts, out);
}

/** An `image_url` or `file` content part → a file; other part types are not files. */
function partToFile(part: ContentPart, param: string, index: number): UserContent | undefined {
  if (part.type === "image_url") {
    const image = asObject(part.image_url, `${param}.image_url`, 'an object such as {"url": "data:image/png;base64,..."}');
    const url = asString(image.url, `${param}.image_url.url`, "a data URL");
    return { type: "file", file: dataUrlToFile(url, `image-${index + 1}`, param), param };
  }
  if (part.type !== "file") return undefined;
  const file = asObject(part.file, `${param}.file`, 'an object such as {"file_data": "data:...", "filename": "notes.pdf"}');
  const fileId = optionalString(file.file_id, `${param}.file.file_id`);
  const data = optionalString(file.file_data, `${param}.file.file_data`, "a data URL");
  const filename = optionalString(file.filename, `${param}.file.filename`);
  if (fileId !== undefined && data === undefined) {
    throw new BadRequestError(`${param}: uploaded file ids are not supported; send the file inline as file_data`, {
      param,
      code: "unsupported_content",
    });
  }
  return { type: "file", file: dataUrlToFile(data, filename || `file-${index + 1}`, param), param };
}

/** An assistant message's `tool_calls`: each an object with a string id and, for function calls, a name and arguments. */
function toolCalls(value: unknown, param: string): AssistantContent[] {
  const calls = optionalList(value, param, "a list of tool calls") ?? [];
  return calls.map((item, i) => {
    const at = `${param}[${i}]`;
    const call = asObject(item, at, "a tool call (an object with an id)");
    const id = asString(call.id, `${at}.id`);
    // Custom tool calls have no `function`; an agent's own calls always do.
    const fn = optionalObject(call.function, `${at}.function`, "an object with a name and arguments");
    const name = fn === undefined ? "" : asString(fn.name, `${at}.function.name`);
    const args = fn === undefined ? "" : asString(fn.arguments, `${at}.function.arguments`, "a string (the arguments as JSON text)");
    return { type: "tool-call", id, name, arguments: args, param: `${at}.id` };
  });
}

function toolText(message: ChatMessage, index: number): string {
  const { content } = message;
  const param = `messages[${index}].content`;
  if (typeof content === "string") return content;
  const notText = () => new BadRequestError(`${param}: a tool result must be text`, { param, code: "invalid_tool_result" });
  if (!Array.isArray(content)) throw notText();
  return content
    .map((value: unknown, i) => {
      const part = contentPart(value, `${param}[${i}]`);
      if (part.type !== "text") throw notText();
      return asString(part.text, `${param}[${i}].text`);
    })
    .join("\n");
}

/** Function tools (`{type: "function", function: {name, description, parameters}}`); others are an agent's own business. */
function functionTools(tools: unknown): FunctionTool[] {
  const list = optionalList(tools, "tools", "a list of tools") ?? [];
  return list.flatMap((value, index) => {
    const param = `tools[${index}]`;
    const tool = asObject(value, param, "a tool (an object with a type)");
    if (asString(tool.type, `${param}.type`) !== "function") return [];
    const fn = asObject(tool.function, `${param}.function`, "an object with the function's name");
    return [functionTool(fn, `${param}.function`, "parameters", "the function's name")];
  });
}
