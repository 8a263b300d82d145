// An OpenAI chat-completions request → an AgentRequest: messages become turns, system and
// developer messages instructions, trailing tool messages the results of the agent's tool calls.
import { BadRequestError } from "../../errors.ts";
import { dataUrlToFile } from "../../files.ts";
import type { AgentOptions, AgentRequest, AssistantContent, Turn, UserContent } from "../../parts.ts";
import type { ChatMessage, CompletionParams, ContentPart } from "../../types.ts";

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/** Checks the request as OpenAI's API would, naming the field; nothing is dropped silently. */
export function chatRequest(params: CompletionParams): AgentRequest {
  checkFlags(params);
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
    tools: [],
    sessionId: params.session_id ?? params.sessionID ?? params.sessionId,
    stream: params.stream === true,
    param: "messages",
    options: options(params),
  };
}

/** Flags must be booleans: `"stream": "yes"` is a mistake to name, not a truthy value to stream on. */
function checkFlags(params: CompletionParams): void {
  for (const flag of ["stream", "include_reasoning", "include_traces", "include_citations"] as const) {
    const value: unknown = params[flag];
    if (value !== undefined && value !== null && typeof value !== "boolean") throw invalid(flag, "true or false");
  }
  const streamOptions: unknown = params.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && (typeof streamOptions !== "object" || Array.isArray(streamOptions))) {
    throw invalid("stream_options", 'an object such as {"include_usage": true}');
  }
}

/** Session settings, in our snake_case or InvokeAgent's own names; validated, nothing else passes. */
function options(params: CompletionParams): AgentOptions {
  const out: AgentOptions = {
    includeReasoning: params.include_reasoning !== false,
    includeTraces: params.include_traces === true,
    includeCitations: params.include_citations === true,
  };
  const memoryId = params.memory_id ?? params.memoryId;
  if (memoryId !== undefined) out.memoryId = memoryId;
  const endSession = params.end_session ?? params.endSession;
  if (endSession !== undefined) {
    if (typeof endSession !== "boolean") throw invalid("end_session", "true or false");
    out.endSession = endSession;
  }
  const sessionAttributes = params.session_attributes ?? params.sessionAttributes;
  if (sessionAttributes !== undefined) out.sessionAttributes = stringMap(sessionAttributes, "session_attributes");
  const promptAttributes = params.prompt_session_attributes ?? params.promptSessionAttributes;
  if (promptAttributes !== undefined) out.promptSessionAttributes = stringMap(promptAttributes, "prompt_session_attributes");
  const knowledgeBases = params.knowledge_base_configurations ?? params.knowledgeBaseConfigurations;
  if (knowledgeBases !== undefined) {
    const valid =
      Array.isArray(knowledgeBases) &&
      knowledgeBases.every((kb) => kb && typeof kb === "object" && typeof (kb as { knowledgeBaseId?: unknown }).knowledgeBaseId === "string");
    if (!valid) throw invalid("knowledge_base_configurations", "a list of objects, each with a knowledgeBaseId");
    out.knowledgeBaseConfigurations = knowledgeBases as Array<Record<string, unknown>>;
  }
  return out;
}

function stringMap(value: unknown, param: string): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw invalid(param, "an object whose values are strings");
  }
  return value as Record<string, string>;
}

function invalid(param: string, expected: string): BadRequestError {
  return new BadRequestError(`${param} must be ${expected}`, { param, code: "invalid_value" });
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
