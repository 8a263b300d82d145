import { BadRequestError } from "./errors.ts";
import { type InputFile, checkFiles, partToFile } from "./files.ts";
import { type AgentModel, checkSessionId, newSessionId, parseModel } from "./model.ts";
import type { ToolCallIds } from "./tool-call-id.ts";
import { toToolResults } from "./backends/agents-classic/tool-calls.ts";
import type { ChatMessage, CompletionParams } from "./types.ts";

/** The `promptSessionAttributes` key that carries system and developer messages to the agent's prompt. */
export const INSTRUCTIONS_ATTRIBUTE = "instructions";

interface HistoryMessage {
  role: "user" | "assistant";
  content: Array<{ text: string }>;
}

/** The JSON body of InvokeAgent, as far as this module fills it. */
export interface InvokeAgentBody {
  inputText?: string;
  enableTrace: boolean;
  endSession?: boolean;
  memoryId?: string;
  sessionState?: {
    sessionAttributes?: Record<string, string>;
    promptSessionAttributes?: Record<string, string>;
    conversationHistory?: { messages: HistoryMessage[] };
    files?: InputFile[];
    invocationId?: string;
    returnControlInvocationResults?: Array<Record<string, unknown>>;
    knowledgeBaseConfigurations?: Array<Record<string, unknown>>;
  };
  streamingConfigurations?: { streamFinalResponse: boolean };
}

export interface InvokeAgentRequest extends AgentModel {
  sessionId: string;
  /** True when this call starts a session. */
  newSession: boolean;
  body: InvokeAgentBody;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/**
 * OpenAI request → InvokeAgent request.
 * - Trailing `tool` messages answer a return of control: their ids name the session and invocation.
 * - Otherwise the trailing user messages become `inputText`, their image and file parts `files`.
 * - Earlier turns become `conversationHistory` when this call starts the session (an existing
 *   session already holds them); system and developer messages become a prompt session attribute.
 * Nothing is dropped silently: what cannot be carried is a 400.
 */
export async function fromOpenAI(
  params: CompletionParams,
  toolCallIds: (model: AgentModel) => ToolCallIds,
): Promise<InvokeAgentRequest> {
  const model = parseModel(params.model);
  checkFlags(params);
  const messages = checkMessages(params.messages);
  const extras = sessionExtras(params);
  const { scope } = params;
  const given = params.session_id ?? params.sessionID ?? params.sessionId;
  let sessionId = given === undefined ? undefined : checkSessionId(given, "session_id");
  if (sessionId !== undefined && scope) sessionId = await scope.claim(sessionId, "session_id");
  if (extras.body.memoryId !== undefined && scope) extras.body.memoryId = await scope.claim(extras.body.memoryId, "memory_id");

  const instructions: string[] = [];
  const turns: HistoryMessage[] = [];
  const finalTexts: string[] = [];
  const files: InputFile[] = [];
  let lastToolCallId: string | undefined;
  const finalTurnStart = lastNonUser(messages) + 1;
  messages.forEach((message, index) => {
    if (message.role === "system" || message.role === "developer") {
      const text = messageText(message, index).text;
      if (text) instructions.push(text);
      return;
    }
    if (message.role === "function") {
      throw new BadRequestError(`messages[${index}]: "function" messages are deprecated; send "tool" messages`, {
        param: `messages[${index}].role`,
        code: "unsupported_message",
      });
    }
    // Tool results answer the agent's session; they are not conversation history.
    if (message.role === "tool") return;
    lastToolCallId = message.tool_calls?.at(-1)?.id ?? lastToolCallId;
    const { text, files: attached } = messageText(message, index);
    if (index >= finalTurnStart) {
      // Files go with the turn that brings them: earlier ones reached the session with their turn.
      if (text) finalTexts.push(text);
      files.push(...attached);
      return;
    }
    if (!text) return;
    const last = turns.at(-1);
    // The service wants alternating turns: consecutive messages of one role are merged.
    if (last?.role === message.role) last.content[0]!.text += `\n\n${text}`;
    else turns.push({ role: message.role as "user" | "assistant", content: [{ text }] });
  });

  const body: InvokeAgentBody = { enableTrace: true, ...extras.body };
  const sessionState: NonNullable<InvokeAgentBody["sessionState"]> = { ...extras.sessionState };
  const lastRole = messages.at(-1)!.role;
  if (lastRole === "tool") {
    const toolResults = (await toToolResults(messages, toolCallIds(model)))!;
    if (scope) await scope.claim(toolResults.sessionId, "tool_call_id", { issued: true });
    if (sessionId !== undefined && sessionId !== toolResults.sessionId) {
      throw new BadRequestError("session_id names another session than the tool calls being answered", {
        param: "session_id",
        code: "session_mismatch",
      });
    }
    sessionId = toolResults.sessionId;
    sessionState.invocationId = toolResults.invocationId;
    sessionState.returnControlInvocationResults = toolResults.results;
  } else {
    if (lastRole !== "user") {
      throw new BadRequestError(
        "The last message must be a user message for the agent to answer, or tool results for its tool calls",
        { param: "messages", code: "invalid_messages" },
      );
    }
    if (finalTexts.length === 0 && files.length === 0) {
      const last = messages.length - 1;
      throw new BadRequestError(`messages[${last}].content is empty: the agent needs text or a file to answer`, {
        param: `messages[${last}].content`,
        code: "empty_message",
      });
    }
    body.inputText = finalTexts.join("\n\n");
    // A conversation that went through our tool calls goes on in the session they name.
    if (sessionId === undefined && lastToolCallId !== undefined) {
      sessionId = await toolCallIds(model)
        .decode(lastToolCallId, "tool_calls")
        .then((ref) => ref.sessionId, () => undefined);
      if (sessionId !== undefined && scope) await scope.claim(sessionId, "tool_calls", { issued: true });
    }
    if (sessionId === undefined && turns.length > 0) sessionState.conversationHistory = { messages: turns };
    if (files.length > 0) {
      checkFiles(files);
      sessionState.files = files;
    }
  }
  if (instructions.length > 0) {
    const attributes = { ...sessionState.promptSessionAttributes };
    const given = attributes[INSTRUCTIONS_ATTRIBUTE];
    attributes[INSTRUCTIONS_ATTRIBUTE] = [given, ...instructions].filter(Boolean).join("\n\n");
    sessionState.promptSessionAttributes = attributes;
  }
  if (Object.keys(sessionState).length > 0) body.sessionState = sessionState;
  if (params.stream) body.streamingConfigurations = { streamFinalResponse: true };

  const newSession = sessionId === undefined;
  return { ...model, sessionId: sessionId ?? (scope ? await scope.issue() : newSessionId()), newSession, body };
}

function lastNonUser(messages: ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role !== "user") return i;
  return -1;
}

/** Session settings, in our snake_case or InvokeAgent's own names; validated, nothing else passes. */
function sessionExtras(params: CompletionParams): { body: Partial<InvokeAgentBody>; sessionState: NonNullable<InvokeAgentBody["sessionState"]> } {
  const body: Partial<InvokeAgentBody> = {};
  const sessionState: NonNullable<InvokeAgentBody["sessionState"]> = {};
  const memoryId = params.memory_id ?? params.memoryId;
  if (memoryId !== undefined) body.memoryId = checkSessionId(memoryId, "memory_id");
  const endSession = params.end_session ?? params.endSession;
  if (endSession !== undefined) {
    if (typeof endSession !== "boolean") throw invalid("end_session", "true or false");
    body.endSession = endSession;
  }
  const sessionAttributes = params.session_attributes ?? params.sessionAttributes;
  if (sessionAttributes !== undefined) sessionState.sessionAttributes = stringMap(sessionAttributes, "session_attributes");
  const promptAttributes = params.prompt_session_attributes ?? params.promptSessionAttributes;
  if (promptAttributes !== undefined) {
    sessionState.promptSessionAttributes = stringMap(promptAttributes, "prompt_session_attributes");
  }
  const knowledgeBases = params.knowledge_base_configurations ?? params.knowledgeBaseConfigurations;
  if (knowledgeBases !== undefined) {
    const valid =
      Array.isArray(knowledgeBases) &&
      knowledgeBases.every((kb) => kb && typeof kb === "object" && typeof (kb as { knowledgeBaseId?: unknown }).knowledgeBaseId === "string");
    if (!valid) throw invalid("knowledge_base_configurations", "a list of objects, each with a knowledgeBaseId");
    sessionState.knowledgeBaseConfigurations = knowledgeBases as Array<Record<string, unknown>>;
  }
  return { body, sessionState };
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

/** Flags must be booleans: `"stream": "yes"` is a mistake to name, not a truthy value to stream on. */
function checkFlags(params: CompletionParams): void {
  for (const flag of ["stream", "include_reasoning", "include_traces", "include_citations"] as const) {
    const value: unknown = params[flag];
    if (value !== undefined && value !== null && typeof value !== "boolean") throw invalid(flag, "true or false");
  }
  const options: unknown = params.stream_options;
  if (options !== undefined && options !== null && (typeof options !== "object" || Array.isArray(options))) {
    throw invalid("stream_options", "an object such as {\"include_usage\": true}");
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

/** A message's text (its text parts joined by newlines) and its image and file parts. */
function messageText(message: ChatMessage, index: number): { text: string; files: InputFile[] } {
  const { content } = message;
  if (content === undefined || content === null) return { text: "", files: [] };
  if (typeof content === "string") return { text: content, files: [] };
  if (!Array.isArray(content)) {
    throw new BadRequestError(`messages[${index}].content must be a string or an array of content parts`, {
      param: `messages[${index}].content`,
      code: "invalid_messages",
    });
  }
  const texts: string[] = [];
  const files: InputFile[] = [];
  content.forEach((part, partIndex) => {
    const param = `messages[${index}].content[${partIndex}]`;
    if (part?.type === "text" && typeof part.text === "string") return void texts.push(part.text);
    if (part?.type === "refusal") return;
    const file = message.role === "user" && part ? partToFile(part, param, files.length) : undefined;
    if (!file) {
      throw new BadRequestError(`${param}: content parts of type "${String(part?.type).slice(0, 40)}" are not supported`, {
        param,
        code: "unsupported_content",
      });
    }
    files.push(file);
  });
  return { text: texts.join("\n"), files };
}
