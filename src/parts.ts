// The neutral middle: what every surface (chat completions, responses, messages) reads from its
// client, and what every backend (InvokeAgent, ...) answers with. A backend knows nothing of
// OpenAI or Anthropic shapes, a surface nothing of AWS bytes: a new one of either is one module.

import type { Batches } from "./batches.ts";
import type { AgentError } from "./errors.ts";

/** A conversation for an agent, as a surface read it from its client. */
export interface AgentRequest {
  /** The model string, which names the backend and the agent. */
  model: string;
  /** The turns in order; the last is what the agent answers: user content, or tool results. */
  turns: Turn[];
  /** System and developer text, in order. */
  instructions: string[];
  /** Function tools the client offers, for backends that call the client's own tools. */
  tools: FunctionTool[];
  /** The session to continue, as the caller named it; undefined: a new one. */
  sessionId?: string;
  stream: boolean;
  /** The surface's name of its conversation field ("messages", "input"), for errors. */
  param: string;
  options: AgentOptions;
}

export type Turn = UserTurn | AssistantTurn | ToolTurn;

export interface UserTurn {
  role: "user";
  content: UserContent[];
  /** Where the turn is in the surface's request ("messages[3]"), for errors. */
  param: string;
}

export interface AssistantTurn {
  role: "assistant";
  content: AssistantContent[];
  param: string;
}

/** Results of the agent's tool calls, answering them. */
export interface ToolTurn {
  role: "tool";
  results: ToolResult[];
}

export type UserContent = { type: "text"; text: string } | { type: "file"; file: InputFile; param: string };

export type AssistantContent =
  | { type: "text"; text: string }
  /** A tool call of an earlier answer; its id is the one the endpoint issued. */
  | { type: "tool-call"; id: string; name: string; arguments: string; param: string };

/** A file a client sends: bytes inline, as base64. */
export interface InputFile {
  name: string;
  mediaType: string;
  data: string;
}

export interface ToolResult {
  /** The tool call id it answers, as the endpoint issued it. */
  callId: string;
  output: string;
  /** Where the id is in the surface's request ("messages[4].tool_call_id"), for errors. */
  param: string;
}

export interface FunctionTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** Settings some backends take; each says what it cannot honour. */
export interface AgentOptions {
  /** The end user the caller acts for (OpenAI's `user`, Anthropic's `metadata.user_id`). */
  user?: string;
  /** The most tokens the answer may have (`max_tokens` and its kin). */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  memoryId?: string;
  endSession?: boolean;
  sessionAttributes?: Record<string, string>;
  promptSessionAttributes?: Record<string, string>;
  knowledgeBaseConfigurations?: Array<Record<string, unknown>>;
  includeReasoning: boolean;
  includeTraces: boolean;
  includeCitations: boolean;
}

/** What is known of an answer before its first part: surfaces send it in headers. */
export interface SessionInfo {
  readonly sessionId: string;
  readonly memoryId: string | undefined;
  /** Of the attempt being read (a retry gets a new one). */
  readonly requestId: string | undefined;
}

export type FinishReason = "stop" | "tool-calls" | "content-filter" | "length";

/** A file the agent produced (code interpreter). */
export interface AgentFile {
  name: string;
  /** MIME type */
  type: string;
  bytes: Uint8Array;
}

/**
 * One piece of an answer. Text and reasoning come as deltas; a tool call as start, argument
 * deltas and end; usage once per model when the answer ends (the model that spent it named, or
 * undefined when no trace said), then one `finish`. An error is a part too, after what came
 * before it, and nothing follows it.
 */
export type AgentPart =
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string }
  | { type: "tool-call-start"; id: string; name: string }
  | { type: "tool-call-delta"; id: string; delta: string }
  | { type: "tool-call-end"; id: string }
  | CitationPart
  /** The backend's own citation record, when the caller asked for raw citations. */
  | { type: "raw-citation"; citation: unknown }
  | { type: "file"; file: AgentFile }
  /** The backend's own trace event, when the caller asked for traces. */
  | { type: "trace"; trace: unknown }
  | { type: "usage"; model: string | undefined; inputTokens: number; outputTokens: number }
  | { type: "finish"; reason: FinishReason }
  | { type: "error"; error: AgentError };

/**
 * A source the text cites, once per source and span; indices in UTF-16 code units of the whole
 * text, end exclusive. A URL when the source has one, else `documentId`: every source is cited.
 */
export interface CitationPart {
  type: "citation";
  /** A web URL or a document URI (s3://...). */
  url?: string;
  /** What names the source when no URL does (a custom document's id, a Kendra document id, ...). */
  documentId?: string;
  title: string;
  /** The passage retrieved from the source, clipped (about 1,000 characters at most). */
  text?: string;
  start: number;
  end: number;
}

/** An answer on its way: its session, and its parts a network read at a time. */
export interface AgentAnswer {
  readonly session: SessionInfo;
  /** What the backend said of how the answer ended, in its own words, when that says more than the finish reason. */
  readonly outcome?: { stopReason?: string };
  /** Leaving it early (`return()`) closes the connection to AWS. */
  readonly parts: Batches<AgentPart>;
  /** Left early: the parts its reader closed with all the same (Batches.leftover), for the usage tally. */
  readonly leftover?: () => AgentPart[];
}
