// The OpenAI Responses shapes this library reads and writes, declared here so the library has no
// run-time dependency on the `openai` package; a test checks them against the package's types.
import type { CallParams, HiddenParams } from "../../types.ts";

export interface ResponsesParams extends CallParams {
  /** `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` */
  model: string;
  /** A string, or input items; items of an earlier response's `output` may be passed back as they are. */
  input?: string | Array<ResponseInputItem | OutputItem>;
  instructions?: string | null;
  /** Function tools are offered to backends that call the client's tools; an agent's own tools are its own. */
  tools?: Array<{ type: string; name?: unknown; description?: unknown; parameters?: unknown }>;
  /** Continues the session this response id names (response ids are signed, not stored). */
  previous_response_id?: string | null;
  stream?: boolean | null;
  /** Accepted; an agent's model settings live in the agent. */
  max_output_tokens?: number | null;
  /** Echoed in the response. */
  metadata?: Record<string, string> | null;
  /** Accepted, but nothing is stored: response ids carry what continuing needs. */
  store?: boolean | null;
  /** The end user: the harness's memory actor and the runtime's user id (scoped by caller). */
  user?: string;
  /** For a harness whose model the config names; agents otherwise keep their own. */
  temperature?: number | null;
  top_p?: number | null;
}

/** An input item, as loosely as clients send them (`type` may be left out of a message); checked when read. */
export interface ResponseInputItem {
  type?: string | null;
  role?: string;
  content?: unknown;
  call_id?: unknown;
  name?: unknown;
  arguments?: unknown;
  output?: unknown;
}

/** A function tool the request offered, as the response lists it. */
export interface FunctionToolSpec {
  type: "function";
  name: string;
  description: string | null;
  parameters: Record<string, unknown> | null;
  strict: boolean | null;
}

export interface UrlCitationAnnotation {
  type: "url_citation";
  start_index: number;
  end_index: number;
  url: string;
  title: string;
}

/** A cited source without a URL: `index` is where the cited text ends in the message's text. */
export interface FileCitationAnnotation {
  type: "file_citation";
  file_id: string;
  filename: string;
  index: number;
}

export type OutputTextAnnotation = UrlCitationAnnotation | FileCitationAnnotation;

export interface OutputText {
  type: "output_text";
  text: string;
  annotations: OutputTextAnnotation[];
  logprobs: [];
}

export interface OutputMessage {
  type: "message";
  id: string;
  role: "assistant";
  status: "in_progress" | "completed" | "incomplete";
  content: OutputText[];
}

export interface ReasoningItem {
  type: "reasoning";
  id: string;
  summary: Array<{ type: "summary_text"; text: string }>;
  status?: "in_progress" | "completed" | "incomplete";
}

export interface FunctionCallItem {
  type: "function_call";
  id: string;
  /** The id to answer with a `function_call_output`: signed, it carries the agent session. */
  call_id: string;
  name: string;
  arguments: string;
  status: "in_progress" | "completed" | "incomplete";
}

export type OutputItem = OutputMessage | ReasoningItem | FunctionCallItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: "in_progress" | "completed" | "incomplete" | "failed";
  error: { code: "server_error" | "rate_limit_exceeded"; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  metadata: Record<string, string> | null;
  model: string;
  output: OutputItem[];
  /** The text of every message item, as the openai package adds it. */
  output_text: string;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  max_output_tokens: number | null;
  temperature: number | null;
  top_p: number | null;
  tool_choice: "auto";
  tools: FunctionToolSpec[];
  store: false;
  text: { format: { type: "text" } };
  truncation: "disabled";
  /** Absent until the response ends. */
  usage?: ResponseUsage;
  /** The agent session, also as the `x-bedrock-agent-session-id` header. */
  session_id: string;
  /** Files the agent produced. */
  files?: Array<{ name: string; type: string; bytes: Uint8Array }>;
  /** The raw trace events, with `include_traces: true`. */
  traces?: unknown[];
  /** The raw citations, with `include_citations: true`. */
  citations?: unknown[];
  _hidden_params?: HiddenParams;
}

/** One streamed event: `type` and `sequence_number` and the fields of that type. */
export interface ResponseStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

/** The streaming result: events as they arrive, plus what is known about the call. */
export interface ResponseEventStream extends AsyncIterable<ResponseStreamEvent> {
  readonly id: string;
  readonly sessionId: string;
  readonly requestId: string | undefined;
  /** Token usage so far, over every model call; final once the stream has ended. */
  readonly usage: { input_tokens: number; output_tokens: number };
  /** Filled in as the stream goes; final once the stream has ended. */
  readonly _hidden_params: HiddenParams;
  /** Stops reading and closes the upstream connection. */
  cancel(): Promise<void>;
}
