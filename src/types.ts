// The OpenAI chat-completions shapes this library reads and writes, declared here so the
// library has no run-time dependency on the `openai` package. A test checks that they are
// assignable to and from the `openai` package's own types.

import type { CallerScope } from "./caller-scope.ts";
import type { Env } from "./env.ts";
import type { AgentError } from "./errors.ts";
import type { AgentFile } from "./parts.ts";

export type { AgentFile };
import type { Citation, TracePart } from "./raw-types.ts";

export interface ContentPart {
  type: string;
  text?: string;
  image_url?: unknown;
  file?: unknown;
}

/** A tool call as an assistant message in the history carries it (custom tools have no `function`). */
export interface ToolCall {
  id: string;
  type: string;
  function?: { name: string; arguments: string };
}

export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool" | "function";
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

/** LiteLLM's names for the AWS settings, so a proxy's `litellm_params` block works as is. */
export interface AwsParams {
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
  aws_region_name?: string;
  /** Endpoint override, e.g. a VPC endpoint, a gateway, or a local emulator. */
  api_base?: string;
  /** A role ARN to assume with STS; the credentials above (or the environment's) sign that call. */
  aws_role_name?: string;
  /** The role session name (default `bedrock-agents-openai`). */
  aws_session_name?: string;
  /** The external id the role's trust policy asks for. */
  aws_external_id?: string;
  /** How long assumed-role credentials last, 900 to 43200 (STS's default: 3600). */
  aws_duration_seconds?: number;
  /** An OIDC token: with `aws_role_name`, AssumeRoleWithWebIdentity instead of AssumeRole. */
  aws_web_identity_token?: string;
  /** STS override (default `https://sts.{region}.amazonaws.com`). */
  aws_sts_endpoint?: string;
  /** A profile of the shared AWS config files; needs file access (the Node server has it). */
  aws_profile_name?: string;
}

export interface RequestOptions {
  /** A Worker's bindings, read before `process.env`. */
  env?: Env;
  /**
   * The caller whose session and memory ids these are (the endpoint sets it per API key): ids
   * are tagged for it, and another caller's are refused. Without it, ids are used as given.
   */
  scope?: CallerScope;
  /**
   * Sees each error that ends an answer AWS has begun (mid-stream, where a surface reports it as
   * an error event) and gives the error reported instead: the endpoint logs it there and keeps
   * AWS's text from callers other than the master key. Errors thrown before are yours as they are.
   */
  on_error?: (error: AgentError) => AgentError;
  signal?: AbortSignal;
  /** Seconds until the whole call is abandoned (LiteLLM's and OpenAI Python's unit). */
  timeout?: number;
  /** Seconds without a byte from the agent before the call fails (default 300). */
  idle_timeout?: number;
  /** Retries for throttling, 5xx and dropped connections, before any output reached you. */
  num_retries?: number;
  /**
   * The secret response ids and tool call ids are signed with; else one derived from the
   * long-term AWS secret key. Needed by a runtime called with only a bearer `api_key`, and
   * better than the non-secret default with web identity. Keep it the same on every instance.
   */
  id_secret?: string;
}

/** Your own prices, in LiteLLM's names: USD per token, for every model the agent calls. */
export interface CustomPrices {
  input_cost_per_token?: number;
  output_cost_per_token?: number;
}

/** The agent-session settings every surface takes besides its own fields (our names and LiteLLM's). */
export interface SessionParams {
  /** Continue an agent session; LiteLLM's `sessionID` and `sessionId` are accepted too. */
  session_id?: string;
  sessionID?: string;
  sessionId?: string;
  /** LiteLLM's name for AgentCore's session. */
  runtimeSessionId?: string;
  /** Long-term memory across sessions (InvokeAgent's `memoryId` is accepted too). */
  memory_id?: string;
  memoryId?: string;
  /** Ends the agent session after this answer. */
  end_session?: boolean;
  endSession?: boolean;
  session_attributes?: Record<string, string>;
  sessionAttributes?: Record<string, string>;
  /** Merged with system and developer messages, which go under `instructions`. */
  prompt_session_attributes?: Record<string, string>;
  promptSessionAttributes?: Record<string, string>;
  knowledge_base_configurations?: Array<Record<string, unknown>>;
  knowledgeBaseConfigurations?: Array<Record<string, unknown>>;
  /** The agent's rationale and the model's reasoning (default true). */
  include_reasoning?: boolean;
  /** The agent's raw trace events, as `traces` (default false). */
  include_traces?: boolean;
  /** The raw citations with their retrieved references, as `citations` (default false). */
  include_citations?: boolean;
}

/** Settings of AgentCore harnesses and runtimes, in LiteLLM's names where it has them. */
export interface AgentCoreParams {
  /** The endpoint or version to call (LiteLLM's name). */
  qualifier?: string;
  /** Harness: the Bedrock model the harness runs (else the harness's own); prices its usage. */
  harness_model?: string;
  /** Harness: the tools of its own it may use this time. */
  allowed_tools?: string[];
  max_iterations?: number;
  timeout_seconds?: number;
  /** Harness: the memory actor (else the end user); like the end user, scoped by caller unless `actor_id_shared`. */
  actor_id?: string;
  /** Harness: `actor_id` is one memory for every caller of the endpoint, on purpose. */
  actor_id_shared?: boolean;
  /** false: the end user (`user`) is not passed on as the memory actor and runtime user id. */
  pass_user?: boolean;
  /** Runtime: what the payload holds: `prompt` (`{"prompt"}`, the default), `conversation` (`{"prompt", "messages"}`), `openai` (the chat request) or `a2a` (A2A JSON-RPC, for runtimes deployed with server protocol A2A). */
  payload_format?: "prompt" | "conversation" | "openai" | "a2a";
  /** Runtime with `payload_format: a2a`: the A2A version it speaks; `0.3` (the default: Strands, the Python A2A SDK) or `1.0`. */
  a2a_version?: "0.3" | "1.0";
  /** Runtime behind a JWT authorizer: this token as `Authorization: Bearer`, instead of SigV4 (LiteLLM's name). */
  api_key?: string;
}

/** What every call takes besides its surface's request: where to send it, and how. */
export interface CallParams extends AwsParams, RequestOptions, CustomPrices, SessionParams, AgentCoreParams {}

export interface CompletionParams extends CallParams, IgnoredOpenAIParams {
  /** `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` */
  model: string;
  messages: ChatMessage[];
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
}

/**
 * OpenAI parameters an agent cannot honour: accepted, so OpenAI-shaped code type-checks and
 * runs unchanged, and ignored, since an agent's model settings live in the agent.
 */
export interface IgnoredOpenAIParams {
  audio?: unknown;
  frequency_penalty?: unknown;
  function_call?: unknown;
  functions?: unknown;
  logit_bias?: unknown;
  logprobs?: unknown;
  max_completion_tokens?: unknown;
  max_tokens?: unknown;
  metadata?: unknown;
  modalities?: unknown;
  n?: unknown;
  parallel_tool_calls?: unknown;
  prediction?: unknown;
  presence_penalty?: unknown;
  prompt_cache_key?: unknown;
  reasoning_effort?: unknown;
  response_format?: unknown;
  safety_identifier?: unknown;
  seed?: unknown;
  service_tier?: unknown;
  stop?: unknown;
  store?: unknown;
  temperature?: unknown;
  tool_choice?: unknown;
  tools?: unknown;
  top_logprobs?: unknown;
  top_p?: unknown;
  user?: unknown;
  verbosity?: unknown;
  web_search_options?: unknown;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/**
 * A citation, as OpenAI's search models give them: the only annotation chat completions know.
 * A source without a URL keeps this type, so typed clients still read every annotation; its
 * `url` is then the document's id, and `file_id` repeats it to say it is no URL.
 */
export interface UrlCitation {
  type: "url_citation";
  url_citation: { start_index: number; end_index: number; url: string; title: string; file_id?: string };
}


export interface AssistantMessage {
  role: "assistant";
  content: string | null;
  refusal: string | null;
  /** The agent's return of control, one call per action it wants run. */
  tool_calls?: Array<ToolCall & { type: "function"; function: { name: string; arguments: string } }>;
  annotations?: UrlCitation[];
  /** The raw citations with their retrieved references, with `include_citations: true`. */
  citations?: Citation[];
  /** The agent's rationale and the model's reasoning (the field DeepSeek, OpenRouter and LiteLLM use). */
  reasoning_content?: string;
  files?: AgentFile[];
}

export interface ChunkDelta {
  role?: "assistant";
  content?: string | null;
  /** A call's first delta has its id, type and name; later ones its index and more arguments. */
  tool_calls?: Array<{ index: number; id?: string; type?: "function"; function: { name?: string; arguments: string } }>;
  annotations?: UrlCitation[];
  citations?: Citation[];
  reasoning_content?: string;
  files?: AgentFile[];
}

/** What the library learned beyond the OpenAI shape, under LiteLLM's name. */
export interface HiddenParams {
  /** USD, from the foundation models' prices; null when a model's price is unknown. */
  response_cost: number | null;
  session_id: string;
  memory_id?: string;
  /** `x-amzn-requestid` of the InvokeAgent call. */
  aws_request_id?: string;
  /** The foundation model(s) the agent called, as the traces name them. */
  foundation_models: string[];
  /** The backend's own stop reason when it says more than `finish_reason` (e.g. `max_iterations_exceeded`). */
  stop_reason?: string;
}

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: AssistantMessage;
    finish_reason: FinishReason;
    logprobs: null;
  }>;
  usage: CompletionUsage;
  /** The agent session, to continue the conversation with `session_id`. */
  session_id: string;
  /** The raw trace events, with `include_traces: true`. */
  traces?: TracePart[];
  _hidden_params: HiddenParams;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    finish_reason: FinishReason | null;
    logprobs?: null;
  }>;
  usage?: CompletionUsage | null;
  /** A raw trace event, with `include_traces: true`. */
  trace?: TracePart;
}

/** The streaming result: chunks as they arrive, plus what is known about the call. */
export interface ChatCompletionStream extends AsyncIterable<ChatCompletionChunk> {
  readonly sessionId: string;
  readonly requestId: string | undefined;
  /** Token usage so far, over every model call; final once the stream has ended. */
  readonly usage: CompletionUsage;
  /** Filled in as the stream goes; `response_cost` is final once the stream has ended. */
  readonly _hidden_params: HiddenParams;
  /** Stops reading and closes the upstream connection. */
  cancel(): Promise<void>;
}
