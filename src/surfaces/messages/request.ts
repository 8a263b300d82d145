// An Anthropic Messages request → an AgentRequest: `system` becomes instructions, messages
// turns, `tool_result` blocks the results of the agent's tool calls.
import { BadRequestError } from "../../errors.ts";
import type { AgentRequest, AssistantContent, FunctionTool, InputFile, Turn, UserContent } from "../../parts.ts";
import { agentOptions, checkFlags, invalid, sessionOf, withModelSettings } from "../options.ts";
import type { ContentBlockParam, MessageParam, MessagesParams } from "./types.ts";

// Blocks an agent session already holds when a client passes them back.
const ALREADY_HELD = new Set(["thinking", "redacted_thinking"]);

export function messagesRequest(params: MessagesParams): AgentRequest {
  checkFlags(params, ["stream"]);
  const metadata: unknown = params.metadata;
  if (metadata !== undefined && metadata !== null && (typeof metadata !== "object" || Array.isArray(metadata))) {
    throw invalid("metadata", "an object");
  }
  const messages = params.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError("messages: a non-empty list of messages is required", { param: "messages", code: "invalid_messages" });
  }
  const turns: Turn[] = [];
  const instructions = system(params.system, "system");
  messages.forEach((message, index) => addMessage(message, index, index === messages.length - 1, turns, instructions));
  return {
    model: params.model,
    turns,
    instructions,
    tools: functionTools(params.tools),
    sessionId: sessionOf(params),
    stream: params.stream === true,
    param: "messages",
    options: withModelSettings(
      agentOptions(params),
      { user: params.metadata?.user_id, maxTokens: params.max_tokens, temperature: params.temperature, topP: params.top_p },
      { user: "metadata.user_id", maxTokens: "max_tokens" },
    ),
  };
}

/** System text (the `system` field, or a system message's content): a string or text blocks. */
function system(value: MessagesParams["system"], param: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value ? [value] : [];
  if (!Array.isArray(value) || !value.every((block) => block?.type === "text" && typeof block.text === "string")) {
    throw invalid(param, "a string or a list of text blocks");
  }
  const text = value.map((block) => block.text).join("\n");
  return text ? [text] : [];
}

function addMessage(message: MessageParam, index: number, last: boolean, turns: Turn[], instructions: string[]): void {
  const param = `messages.${index}`;
  if (typeof message !== "object" || message === null || !["user", "assistant", "system"].includes(message.role)) {
    throw new BadRequestError(`${param}.role: must be "user", "assistant" or "system"`, { param: `${param}.role`, code: "invalid_messages" });
  }
  if (message.role === "system") {
    instructions.push(...system(message.content as MessagesParams["system"], `${param}.content`));
    return;
  }
  const blocks: ContentBlockParam[] =
    typeof message.content === "string"
      ? [{ type: "text", text: message.content }]
      : Array.isArray(message.content)
        ? (message.content as ContentBlockParam[])
        : [];
  if (typeof message.content !== "string" && !Array.isArray(message.content)) {
    throw invalid(`${param}.content`, "a string or a list of content blocks");
  }
  if (message.role === "assistant") {
    const content: AssistantContent[] = [];
    blocks.forEach((block, i) => {
      const at = `${param}.content.${i}`;
      if (block?.type === "text" && typeof block.text === "string") {
        if (block.text) content.push({ type: "text", text: block.text });
      } else if (block?.type === "tool_use") {
        if (typeof block.id !== "string") throw invalid(`${at}.id`, "the tool use's id");
        content.push({ type: "tool-call", id: block.id, name: String(block.name ?? ""), arguments: JSON.stringify(block.input ?? {}), param: `${at}.id` });
      } else if (!ALREADY_HELD.has(block?.type)) {
        throw unsupported(at, block?.type, "text, tool_use and thinking");
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
    switch (block?.type) {
      case "text":
        if (typeof block.text !== "string") throw invalid(`${at}.text`, "a string");
        if (block.text) content.push({ type: "text", text: block.text });
        return;
      case "image":
      case "document":
        content.push({ type: "file", file: fileOf(block, at, ++files), param: at });
        return;
      case "tool_result":
        if (typeof block.tool_use_id !== "string") throw invalid(`${at}.tool_use_id`, "the id of the tool use it answers");
        results.push({ callId: block.tool_use_id, output: resultText(block, at), param: `${at}.tool_use_id` });
        return;
      default:
        throw unsupported(at, block?.type, "text, image, document and tool_result");
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
    const previous = turns.at(-1);
    if (previous?.role === "tool") previous.results.push(...results);
    else turns.push({ role: "tool", results });
  }
  if (content.length > 0 || results.length === 0) {
    // A message's text blocks are one text, joined by newlines, ahead of its files.
    const text = content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n");
    const rest = content.filter((c) => c.type !== "text");
    turns.push({ role: "user", content: text ? [{ type: "text", text }, ...rest] : rest, param });
  }
}

/** An image or document block with its bytes inline (base64, or a document's plain text). */
function fileOf(block: ContentBlockParam, param: string, n: number): InputFile {
  const source = block.source as { type?: unknown; media_type?: unknown; data?: unknown } | undefined;
  const kind = block.type === "image" ? "image" : "document";
  if (source?.type === "base64" && typeof source.media_type === "string" && typeof source.data === "string") {
    const extension = source.media_type.split("/")[1]?.replace(/[^a-z0-9]/gi, "") ?? "";
    const title = typeof block.title === "string" && block.title ? block.title : `${kind}-${n}`;
    return { name: title.includes(".") || !extension ? title : `${title}.${extension}`, mediaType: source.media_type, data: source.data.replace(/\s+/g, "") };
  }
  if (kind === "document" && source?.type === "text" && typeof source.data === "string") {
    const bytes = new TextEncoder().encode(source.data);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    const title = typeof block.title === "string" && block.title ? block.title : `document-${n}.txt`;
    return { name: title, mediaType: "text/plain", data: btoa(binary) };
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
  if (Array.isArray(content) && content.every((part) => part?.type === "text" && typeof part.text === "string")) {
    return content.map((part) => part.text).join("\n");
  }
  throw new BadRequestError(`${param}.content: a tool result must be text`, { param: `${param}.content`, code: "invalid_tool_result" });
}

function functionTools(tools: MessagesParams["tools"]): FunctionTool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalid("tools", "a list of tools");
  return tools.flatMap((tool, index): FunctionTool[] => {
    if (tool?.type !== undefined && tool.type !== "custom") return []; // server tools: an agent's tools are its own
    if (typeof tool?.name !== "string" || tool.name === "") throw invalid(`tools.${index}.name`, "the tool's name");
    const spec: FunctionTool = { name: tool.name };
    if (typeof tool.description === "string") spec.description = tool.description;
    if (tool.input_schema && typeof tool.input_schema === "object") spec.parameters = tool.input_schema as Record<string, unknown>;
    return [spec];
  });
}

function unsupported(param: string, type: unknown, supported: string): BadRequestError {
  return new BadRequestError(`${param}: content blocks of type "${String(type).slice(0, 40)}" are not supported here (${supported} are)`, {
    param: `${param}.type`,
    code: "unsupported_content",
  });
}
