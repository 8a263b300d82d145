// An AgentRequest → the InvokeAgent request.
import type { CallerScope } from "../../caller-scope.ts";
import { BadRequestError } from "../../errors.ts";
import { type AgentModel, checkSessionId, newSessionId } from "../../model.ts";
import type { AgentRequest, InputFile, Turn } from "../../parts.ts";
import { type SessionFile, toSessionFiles } from "./files.ts";
import type { ToolCallIds } from "./tool-call-id.ts";
import { toToolResults } from "./tool-calls.ts";

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
    files?: SessionFile[];
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

/**
 * - Trailing tool results answer a return of control: their ids name the session and invocation.
 * - Otherwise the trailing user turns become `inputText`, their files `sessionState.files`.
 * - Earlier turns become `conversationHistory` when this call starts the session (an existing
 *   session already holds them); instructions become a prompt session attribute.
 * - Session and memory ids are the caller's (`scope`), checked before anything is sent.
 * Nothing is dropped silently: what cannot be carried is a 400.
 */
export async function toInvokeAgent(
  request: AgentRequest,
  model: AgentModel,
  ids: () => ToolCallIds,
  scope: CallerScope | undefined,
): Promise<InvokeAgentRequest> {
  const { options, turns } = request;
  let sessionId = request.sessionId === undefined ? undefined : checkSessionId(request.sessionId, "session_id");
  if (sessionId !== undefined && scope) sessionId = await scope.claim(sessionId, "session_id");

  const body: InvokeAgentBody = { enableTrace: true };
  if (options.memoryId !== undefined) {
    const memoryId = checkSessionId(options.memoryId, "memory_id");
    body.memoryId = scope ? await scope.claim(memoryId, "memory_id") : memoryId;
  }
  if (options.endSession !== undefined) body.endSession = options.endSession;
  const sessionState: NonNullable<InvokeAgentBody["sessionState"]> = {};
  if (options.sessionAttributes) sessionState.sessionAttributes = options.sessionAttributes;
  if (options.promptSessionAttributes) sessionState.promptSessionAttributes = options.promptSessionAttributes;
  if (options.knowledgeBaseConfigurations) sessionState.knowledgeBaseConfigurations = options.knowledgeBaseConfigurations;

  const last = turns.at(-1);
  if (last?.role === "tool") {
    const toolResults = await toToolResults(last.results, ids(), request.param);
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
    const { history, texts, files, lastToolCall } = split(request);
    body.inputText = texts.join("\n\n");
    // A conversation that went through our tool calls goes on in the session they name.
    if (sessionId === undefined && lastToolCall !== undefined) {
      sessionId = await ids()
        .decode(lastToolCall.id, lastToolCall.param)
        .then((ref) => ref.sessionId, () => undefined);
      if (sessionId !== undefined && scope) await scope.claim(sessionId, lastToolCall.param, { issued: true });
    }
    if (sessionId === undefined && history.length > 0) sessionState.conversationHistory = { messages: history };
    if (files.length > 0) sessionState.files = toSessionFiles(files, request.param);
  }
  if (request.instructions.length > 0) {
    const attributes = { ...sessionState.promptSessionAttributes };
    const given = attributes[INSTRUCTIONS_ATTRIBUTE];
    attributes[INSTRUCTIONS_ATTRIBUTE] = [given, ...request.instructions].filter(Boolean).join("\n\n");
    sessionState.promptSessionAttributes = attributes;
  }
  if (Object.keys(sessionState).length > 0) body.sessionState = sessionState;
  if (request.stream) body.streamingConfigurations = { streamFinalResponse: true };

  const newSession = sessionId === undefined;
  const id = sessionId ?? (scope ? await scope.issue() : newSessionId());
  return { agentId: model.agentId, agentAliasId: model.agentAliasId, sessionId: id, newSession, body };
}

/**
 * The trailing user turns (what the agent answers: their text and files) and the history before
 * them: text only, consecutive turns of one role merged, as the service wants them alternating.
 * Earlier files reached the session with their turn; tool results are not history.
 */
function split(request: AgentRequest) {
  const { turns } = request;
  let first = turns.length;
  while (first > 0 && turns[first - 1]!.role === "user") first--;
  const final = turns.slice(first) as Array<Extract<Turn, { role: "user" }>>;
  if (final.length === 0) {
    throw new BadRequestError(
      `The last message must be a user message for the agent to answer, or tool results for its tool calls`,
      { param: request.param, code: "invalid_messages" },
    );
  }
  const texts: string[] = [];
  const files: InputFile[] = [];
  for (const turn of final) {
    const text = turn.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n");
    if (text) texts.push(text);
    for (const c of turn.content) if (c.type === "file") files.push(c.file);
  }
  if (texts.length === 0 && files.length === 0) {
    const param = `${final.at(-1)!.param}.content`;
    throw new BadRequestError(`${param} is empty: the agent needs text or a file to answer`, { param, code: "empty_message" });
  }
  const history: HistoryMessage[] = [];
  let lastToolCall: { id: string; param: string } | undefined;
  for (const turn of turns.slice(0, first)) {
    if (turn.role === "tool") continue;
    const pieces: string[] = [];
    for (const c of turn.content) {
      if (c.type === "text") pieces.push(c.text);
      else if (c.type === "tool-call") lastToolCall = c;
    }
    const text = pieces.join("\n");
    if (!text) continue;
    const previous = history.at(-1);
    if (previous?.role === turn.role) previous.content[0]!.text += `\n\n${text}`;
    else history.push({ role: turn.role, content: [{ text }] });
  }
  return { history, texts, files, lastToolCall };
}
