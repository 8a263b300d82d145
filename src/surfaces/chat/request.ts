// An OpenAI chat-completions request → an AgentRequest: messages become turns, system and
// developer messages instructions, trailing tool messages the results of the agent's tool calls.
import { BadRequestError } from "../../errors.ts";
import { dataUrlToFile } from "../../files.ts";
import type { AgentRequest, AssistantContent, FunctionTool, Turn, UserContent } from "../../parts.ts";
import type { ChatMessage, CompletionParams, ContentPart } from "../../types.ts";
import { agentOptions, checkFlags, invalid, sessionOf, withModelSettings } from "../options.ts";

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/** Checks the request as OpenAI's API would, naming the field; nothing is dropped silently. */
export function chatRequest(params: CompletionParams): AgentRequest {
  checkChatFlags(params);
  const messages = checkMessages(params.messages);
  const instructions: string[] = [];
  const turns: Turn[] = [];
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case "system":
      case "developer": {
        const text = userContent(message, index, false)
          .map((c) => (c.type === "text" ? c.text : ""))
          .join("\n");
        if (text) instructions.push(text);
        return;
      }
      case "function":
        throw new BadRequestError(`${param}: "function" messages are deprecated; send "tool" messages`, {
          param: `${param}.role`,
          code: "unsupported_message",
        });
      case "tool": {
        const result = { callId: message.tool_call_id as string, output: toolText(message, index), param: `${param}.tool_call_id` };
        const last = turns.at(-1);
        if (last?.role === "tool") last.results.push(result);
        else turns.push({ role: "tool", results: [result] });
        return;
      }
      case "user":
        turns.push({ role: "user", content: userContent(message, index, true), param });
        return;
      case "assistant": {
        const content: AssistantContent[] = userContent(message, index, false).filter((c) => c.type === "text");
        message.tool_calls?.forEach((call, i) => {
          content.push({
            type: "tool-call",
            id: call.id,
            name: call.function?.name ?? "",
            arguments: call.function?.arguments ?? "",
            param: `${param}.tool_calls[${i}].id`,
          });
        });
        turns.push({ role: "assistant", content, param });
        return;
      }
    }
  });
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
      { user: params.user, maxTokens: params.max_completion_tokens ?? params.max_tokens, temperature: params.temperature, topP: params.top_p },
      { user: "user", maxTokens: params.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens" },
    ),
  };
}

function checkChatFlags(params: CompletionParams): void {
  checkFlags(params, ["stream"]);
  const streamOptions: unknown = params.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== "object" || Array.isArray(streamOptions))) {
    throw invalid("stream_options", 'an object such as {"include_usage": true}');
  }
}

function checkMessages(messages: unknown): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError('"messages" must be a non-empty array', { param: "messages", code: "invalid_messages" });
  }
  messages.forEach((message: unknown, index) => {
    const role = (message as ChatMessage | null)?.role;
    if (typeof message !== "object" || message === null || !ROLES.has(role as string)) {
      throw new BadRequestError(
        `messages[${index}] must be an object whose role is one of system, developer, user, assistant, tool`,
        { param: `messages[${index}]`, code: "invalid_messages" },
      );
    }
  });
  return messages as ChatMessage[];
}

/** A message's text parts, and (`files`: for user messages) its image and file parts. */
function userContent(message: ChatMessage, index: number, files: boolean): UserContent[] {
  const { content } = message;
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) {
    throw new BadRequestError(`messages[${index}].content must be a string or an array of content parts`, {
      param: `messages[${index}].content`,
      code: "invalid_messages",
    });
  }
  const texts: string[] = [];
  const out: UserContent[] = [];
  let fileCount = 0;
  content.forEach((part, partIndex) => {
    const param = `messages[${index}].content[${partIndex}]`;
    if (part?.type === "text" && typeof part.text === "string") return void texts.push(part.text);
    if (part?.type === "refusal") return;
    const file = files && part ? partToFile(part, param, fileCount) : undefined;
    if (!file) {
      throw new BadRequestError(`${param}: content parts of type "${String(part?.type).slice(0, 40)}" are not supported`, {
        param,
        code: "unsupported_content",
      });
    }
    fileCount++;
    out.push(file);
  });
  // A message's text parts are one text, joined by newlines, ahead of its files.
  const text = texts.join("\n");
  return text ? [{ type: "text", text }, ...out] : out;
}

/** An `image_url` or `file` content part → a file; other part types are not files. */
function partToFile(part: ContentPart, param: string, index: number): UserContent | undefined {
  if (part.type === "image_url") {
    const url = (part.image_url as { url?: unknown } | undefined)?.url;
    return { type: "file", file: dataUrlToFile(url, `image-${index + 1}`, param), param };
  }
  if (part.type !== "file") return undefined;
  const file = (part.file ?? {}) as { file_data?: unknown; filename?: unknown; file_id?: unknown };
  if (file.file_id !== undefined && file.file_data === undefined) {
    throw new BadRequestError(`${param}: uploaded file ids are not supported; send the file inline as file_data`, {
      param,
      code: "unsupported_content",
    });
  }
  const name = typeof file.filename === "string" && file.filename ? file.filename : `file-${index + 1}`;
  return { type: "file", file: dataUrlToFile(file.file_data, name, param), param };
}

function toolText(message: ChatMessage, index: number): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (Array.isArray(content) && content.every((part) => part.type === "text" && typeof part.text === "string")) {
    return content.map((part) => part.text).join("\n");
  }
  throw new BadRequestError(`messages[${index}].content: a tool result must be text`, {
    param: `messages[${index}].content`,
    code: "invalid_tool_result",
  });
}

/** Function tools (`{type: "function", function: {name, description, parameters}}`); others are an agent's own business. */
function functionTools(tools: unknown): FunctionTool[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalid("tools", "a list of tools");
  return tools.flatMap((tool: { type?: unknown; function?: { name?: unknown; description?: unknown; parameters?: unknown } }, index) => {
    if (tool?.type !== "function") return [];
    const fn = tool.function;
    if (typeof fn?.name !== "string" || fn.name === "") throw invalid(`tools[${index}].function.name`, "the function's name");
    const spec: FunctionTool = { name: fn.name };
    if (typeof fn.description === "string") spec.description = fn.description;
    if (fn.parameters && typeof fn.parameters === "object") spec.parameters = fn.parameters as Record<string, unknown>;
    return [spec];
  });
}
