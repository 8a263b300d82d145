import { BadRequestError } from "./errors.ts";
import { type AgentModel, checkSessionId, newSessionId, parseModel } from "./model.ts";
import type { ChatMessage, CompletionParams } from "./types.ts";

/** The `promptSessionAttributes` key that carries system and developer messages to the agent's prompt. */
export const INSTRUCTIONS_ATTRIBUTE = "instructions";

interface HistoryMessage {
  role: "user" | "assistant";
  content: Array<{ text: string }>;
}

/** The JSON body of InvokeAgent, as far as this module fills it. */
export interface InvokeAgentBody {
  inputText: string;
  enableTrace: boolean;
  sessionState?: {
    promptSessionAttributes?: Record<string, string>;
    conversationHistory?: { messages: HistoryMessage[] };
  };
  streamingConfigurations?: { streamFinalResponse: boolean };
}

export interface InvokeAgentRequest extends AgentModel {
  sessionId: string;
  /** True when the caller named no session, so this call starts one. */
  newSession: boolean;
  body: InvokeAgentBody;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool", "function"]);

/**
 * OpenAI request → InvokeAgent request. The trailing user messages become `inputText`;
 * earlier turns become `conversationHistory` when this call starts the session (an existing
 * session already holds them); system and developer messages become a prompt session
 * attribute. Nothing is dropped silently: what cannot be carried is a 400.
 */
export function fromOpenAI(params: CompletionParams): InvokeAgentRequest {
  const model = parseModel(params.model);
  const messages = checkMessages(params.messages);
  const givenSession = params.session_id ?? params.sessionID ?? params.sessionId;
  const sessionId = givenSession === undefined ? newSessionId() : checkSessionId(givenSession, "session_id");

  const instructions: string[] = [];
  const turns: HistoryMessage[] = [];
  messages.forEach((message, index) => {
    const text = messageText(message, index);
    if (message.role === "system" || message.role === "developer") {
      if (text) instructions.push(text);
      return;
    }
    if (message.role === "tool" || message.role === "function") {
      throw new BadRequestError(
        `messages[${index}]: "${message.role}" messages are not supported by this version: an agent's actions answer through return of control`,
        { param: `messages[${index}].role`, code: "unsupported_message" },
      );
    }
    if (!text) return; // an empty turn carries nothing
    const last = turns.at(-1);
    // The service wants alternating turns: consecutive messages of one role are merged.
    if (last?.role === message.role) last.content[0]!.text += `\n\n${text}`;
    else turns.push({ role: message.role as "user" | "assistant", content: [{ text }] });
  });

  const finalTurn = turns.pop();
  if (!finalTurn || finalTurn.role !== "user" || messages.at(-1)!.role !== "user") {
    throw new BadRequestError("The last message must be a user message with text for the agent to answer", {
      param: "messages",
      code: "invalid_messages",
    });
  }

  const body: InvokeAgentBody = { inputText: finalTurn.content[0]!.text, enableTrace: true };
  const sessionState: NonNullable<InvokeAgentBody["sessionState"]> = {};
  if (instructions.length > 0) {
    sessionState.promptSessionAttributes = { [INSTRUCTIONS_ATTRIBUTE]: instructions.join("\n\n") };
  }
  if (givenSession === undefined && turns.length > 0) {
    sessionState.conversationHistory = { messages: turns };
  }
  if (Object.keys(sessionState).length > 0) body.sessionState = sessionState;
  if (params.stream) body.streamingConfigurations = { streamFinalResponse: true };

  return { ...model, sessionId, newSession: givenSession === undefined, body };
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

/** A message's text: a string, or its text parts joined by newlines. Other parts are refused, not lost. */
function messageText(message: ChatMessage, index: number): string {
  const { content } = message;
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) {
    throw new BadRequestError(`messages[${index}].content must be a string or an array of content parts`, {
      param: `messages[${index}].content`,
      code: "invalid_messages",
    });
  }
  return content
    .map((part, partIndex) => {
      if (part?.type === "text" && typeof part.text === "string") return part.text;
      throw new BadRequestError(
        `messages[${index}].content[${partIndex}]: content parts of type "${String(part?.type).slice(0, 40)}" are not supported; send text parts`,
        { param: `messages[${index}].content[${partIndex}]`, code: "unsupported_content" },
      );
    })
    .join("\n");
}
