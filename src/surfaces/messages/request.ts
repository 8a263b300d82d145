// An Anthropic Messages request → an AgentRequest: `system` becomes instructions, messages
// turns, `tool_result` blocks the results of the agent's tool calls.
import { bytesToBase64 } from "../../aws/base64.ts";
import { BadRequestError } from "../../errors.ts";
import type { AgentRequest, AssistantContent, FunctionTool, InputFile, Turn, UserContent } from "../../parts.ts";
import { assembleRequest, type SurfaceRead } from "../assemble-request.ts";
import { addToolResults, functionTool, textThenFiles } from "../conversation.ts";
import { asObject, asString, contentPart, type JsonObject, optionalList, optionalObject, optionalString, wrongType } from "../fields.ts";
import { invalid } from "../options.ts";
import type { ContentBlockParam, MessageParam, MessagesParams } from "./types.ts";

// Blocks an agent session already holds when a client passes them back.
const ALREADY_HELD = new Set(["thinking", "redacted_thinking"]);

export function messagesRequest(params: MessagesParams): AgentRequest {
  return assembleRequest(params, { read: () => readMessages(params) });
}

function readMessages(params: MessagesParams): SurfaceRead {
  const metadata = optionalObject(params.metadata, "metadata", 'an object such as {"user_id": "..."}');
  const messages = params.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError("messages: a non-empty list of messages is required", { param: "messages", code: "invalid_messages" });
  }
  const turns: Turn[] = [];
  const instructions = system(params.system, "system");
  messages.forEach((message: unknown, index) => addMessage(message, index, index === messages.length - 1, turns, instructions));
  const tools = functionTools(params.tools);
  const settings = {
    user: metadata?.user_id,
    maxTokens: params.max_tokens,
    temperature: params.temperature,
    topP: params.top_p,
    names: { user: "metadata.user_id" },
  };
  return { param: "messages", turns, instructions, tools, settings };
}

/** System text (the `system` field, or a system message's content): a string or text blocks. */
function system(value: unknown, param: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value ? [value] : [];
  if (!Array.isArray(value)) throw wrongType(param, "a string or a list of text blocks", value);
  const text = value
    .map((item: unknown, i) => {
      const block = asObject(item, `${param}.${i}`, 'a text block ({"type": "text", "text": "..."})');
      if (block.type !== "text") throw invalid(`${param}.${i}.type`, '"text": system text is text blocks only');
      return asString(block.text, `${param}.${i}.text`);
    })
    .join("\n");
  return text ? [text] : [];
}

function addMessage(value: unknown, index: number, last: boolean, turns: Turn[], instructions: string[]): void {
  const param = `messages.${index}`;
  const message = asObject(value, param, "a message (an object with a role and content)") as MessageParam & JsonObject;
  if (!["user", "assistant", "system"].includes(message.role)) {
    throw new BadRequestError(`${param}.role: must be "user", "assistant" or "system"`, { param: `${param}.role`, code: "invalid_messages" });
  }
  if (message.role === "system") {
    instructions.push(...system(message.content, `${param}.content`));
    return;
  }
  if (typeof message.content !== "string" && !Array.isArray(message.content)) {
    throw wrongType(`${param}.content`, "a string or a list of content blocks", message.content);
  }
  const blocks: ContentBlockParam[] =
    typeof message.content === "string"
      ? [{ type: "text", text: message.content }]
      : message.content.map((block: unknown, i) => contentBlock(block, `${param}.content.${i}`));
  if (message.role === "assistant") {
    const content: AssistantContent[] = [];
    blocks.forEach((block, i) => {
      const at = `${param}.content.${i}`;
      if (block.type === "text") {
        const text = asString(block.text, `${at}.text`);
        if (text) content.push({ type: "text", text });
      } else if (block.type === "tool_use") {
        const id = asString(block.id, `${at}.id`, "the tool use's id");
        const name = asString(block.name, `${at}.name`, "the tool's name");
        // JSON text, as the backends take arguments; nesting was bounded when the body was parsed.
        const input = optionalObject(block.input, `${at}.input`, "an object (the tool's arguments)") ?? {};
        content.push({ type: "tool-call", id, name, arguments: JSON.stringify(input), param: `${at}.id` });
      } else if (!ALREADY_HELD.has(block.type)) {
        throw unsupported(at, block.type, "text, tool_use and thinking");
      }
    });
    turns.push({ role: "assistant", content, param });
    return;
  }
  const content: UserContent[] = [];
  const results: Array<{ callId: string; output: string; param: string }> = [];
  let files = 0;
  blocks.forEach((block, i) => {
    const at = `${param}.content.${i}`;
    switch (block.type) {
      case "text": {
        const text = asString(block.text, `${at}.text`);
        if (text) content.push({ type: "text", text });
        return;
      }
      case "image":
      case "document":
        content.push({ type: "file", file: fileOf(block, at, ++files), param: at });
        return;
      case "tool_result": {
        const callId = asString(block.tool_use_id, `${at}.tool_use_id`, "the id of the tool use it answers");
        results.push({ callId, output: resultText(block, at), param: `${at}.tool_use_id` });
        return;
      }
      default:
        throw unsupported(at, block.type, "text, image, document and tool_result");
    }
  });
  if (results.length > 0) {
    // The agent answers tool results on their own: text beside them in the last message would be lost.
    if (last && content.length > 0) {
      throw new BadRequestError(`${param}: send tool_result blocks in a message of their own, without other content`, {
        param: `${param}.content`,
        code: "invalid_messages",
      });
    }
    addToolResults(turns, ...results);
  }
  if (content.length > 0 || results.length === 0) {
    const texts = content.flatMap((c) => (c.type === "text" ? [c.text] : []));
    turns.push({ role: "user", content: textThenFiles(texts, content.filter((c) => c.type !== "text")), param });
  }
}

/** A content block: an object with a `type`. */
function contentBlock(value: unknown, param: string): ContentBlockParam {
  return contentPart(value, param, "a content block (an object with a type)") as JsonObject & ContentBlockParam;
}

/** An image or document block with its bytes inline (base64, or a document's plain text). */
function fileOf(block: ContentBlockParam, param: string, n: number): InputFile {
  const source = asObject(block.source, `${param}.source`, 'an object such as {"type": "base64", "media_type": "image/png", "data": "..."}');
  const sourceType = asString(source.type, `${param}.source.type`);
  const kind = block.type === "image" ? "image" : "document";
  const title = optionalString(block.title, `${param}.title`);
  if (sourceType === "base64") {
    const mediaType = asString(source.media_type, `${param}.source.media_type`, "a media type such as image/png");
    const data = asString(source.data, `${param}.source.data`, "the file's bytes in base64");
    const extension = mediaType.split("/")[1]?.replace(/[^a-z0-9]/gi, "") ?? "";
    const name = title || `${kind}-${n}`;
    return { name: name.includes(".") || !extension ? name : `${name}.${extension}`, mediaType, data: data.replace(/\s+/g, "") };
  }
  if (kind === "document" && sourceType === "text") {
    optionalString(source.media_type, `${param}.source.media_type`, '"text/plain"');
    const bytes = new TextEncoder().encode(asString(source.data, `${param}.source.data`, "the document's text"));
    return { name: title || `document-${n}.txt`, mediaType: "text/plain", data: bytesToBase64(bytes) };
  }
  throw new BadRequestError(`${param}.source: ${kind}s must be inline (base64${kind === "document" ? " or text" : ""}): the agent runtime takes the bytes, not a link`, {
    param: `${param}.source`,
    code: "unsupported_content",
  });
}

function resultText(block: ContentBlockParam, param: string): string {
  const { content } = block;
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  const notText = () => new BadRequestError(`${param}.content: a tool result must be text`, { param: `${param}.content`, code: "invalid_tool_result" });
  if (!Array.isArray(content)) throw notText();
  return content
    .map((item: unknown, i) => {
      const part = contentBlock(item, `${param}.content.${i}`);
      if (part.type !== "text") throw notText();
      return asString(part.text, `${param}.content.${i}.text`);
    })
    .join("\n");
}

function functionTools(tools: unknown): FunctionTool[] {
  return (optionalList(tools, "tools", "a list of tools") ?? []).flatMap((value, index): FunctionTool[] => {
    const param = `tools.${index}`;
    const tool = asObject(value, param, "a tool (an object with a name)");
    const type = optionalString(tool.type, `${param}.type`);
    if (type !== undefined && type !== "custom") return []; // server tools: an agent's tools are its own
    return [functionTool(tool, param, "input_schema", "the tool's name")];
  });
}

function unsupported(param: string, type: unknown, supported: string): BadRequestError {
  return new BadRequestError(`${param}: content blocks of type "${String(type).slice(0, 40)}" are not supported here (${supported} are)`, {
    param: `${param}.type`,
    code: "unsupported_content",
  });
}
