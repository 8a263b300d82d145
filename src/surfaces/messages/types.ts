// The Anthropic Messages shapes this library reads and writes, declared here so the library has
// no run-time dependency on `@anthropic-ai/sdk`; a test checks them against the SDK's types.
import type { CallParams, HiddenParams } from "../../types.ts";

export interface MessagesParams extends CallParams {
  /** `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` */
  model: string;
  messages: MessageParam[];
  system?: string | Array<{ type: string; text?: unknown }>;
  /** Required by Anthropic's API; accepted, an agent's model settings live in the agent. */
  max_tokens?: number;
  /** Custom tools are offered to backends that call the client's tools; an agent's own tools are its own. */
  tools?: Array<{ name?: string; type?: string | null; description?: string; input_schema?: object }>;
  stream?: boolean | null;
  /** `user_id`: the end user, the harness's memory actor and the runtime's user id (scoped by caller). */
  metadata?: { user_id?: string | null } | null;
  /** For a harness whose model the config names; agents otherwise keep their own. */
  temperature?: number;
  top_p?: number;
}

export interface MessageParam {
  /** A system message's text joins the instructions. */
  role: "user" | "assistant" | "system";
  /** Blocks of an earlier Message's `content` may be passed back as they are. */
  content: string | Array<ContentBlockParam | ContentBlock>;
}

/** An input block, as loosely as clients send them; checked when read. */
export interface ContentBlockParam {
  type: string;
  text?: unknown;
  source?: unknown;
  title?: unknown;
  id?: unknown;
  name?: unknown;
  input?: unknown;
  tool_use_id?: unknown;
  content?: unknown;
  is_error?: unknown;
}

/** A source with a web (http, https) URL. */
export interface WebCitation {
  type: "web_search_result_location";
  url: string;
  title: string | null;
  cited_text: string;
  encrypted_index: string;
}

/** Any other source: an S3 URI, a document id; each source of the answer its own index. */
export interface SearchResultCitation {
  type: "search_result_location";
  source: string;
  title: string | null;
  cited_text: string;
  search_result_index: number;
  start_block_index: number;
  end_block_index: number;
}

export type TextCitation = WebCitation | SearchResultCitation;

export interface TextBlock {
  type: "text";
  text: string;
  citations: TextCitation[] | null;
}

export interface ThinkingBlock {
  type: "thinking";
  thinking: string;
  /** Agents do not sign their reasoning: empty. */
  signature: string;
}

export interface ToolUseBlock {
  type: "tool_use";
  /** Signed: it carries the agent session, so a `tool_result` continues it. */
  id: string;
  name: string;
  input: unknown;
  caller: { type: "direct" };
}

export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock;

export type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal";

export interface MessageUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number | null;
  cache_read_input_tokens: number | null;
  cache_creation: null;
  server_tool_use: null;
  service_tier: "standard";
  inference_geo: null;
  output_tokens_details: null;
  speed: null;
}

export interface MessageObject {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: null;
  stop_details: null;
  container: null;
  diagnostics: null;
  usage: MessageUsage;
  /** The agent session, also as the `x-bedrock-agent-session-id` header. */
  session_id: string;
  /** Files the agent produced. */
  files?: Array<{ name: string; type: string; bytes: Uint8Array }>;
  /** The raw trace events, with `include_traces: true`. */
  traces?: unknown[];
  _hidden_params?: HiddenParams;
}

/** One streamed event: its `type` and the fields of that type. */
export interface MessageStreamEvent {
  type: string;
  [field: string]: unknown;
}

/** The streaming result: events as they arrive, plus what is known about the call. */
export interface MessageEventStream extends AsyncIterable<MessageStreamEvent> {
  readonly sessionId: string;
  readonly requestId: string | undefined;
  /** Token usage so far, over every model call; final once the stream has ended. */
  readonly usage: { input_tokens: number; output_tokens: number };
  readonly _hidden_params: HiddenParams;
  /** Stops reading and closes the upstream connection. */
  cancel(): Promise<void>;
}
