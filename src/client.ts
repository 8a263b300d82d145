import { AwsClient } from "aws4fetch";
import { type Credentials, resolveCredentials } from "./credentials.ts";
import { resolveEndpoint, resolveRegion } from "./endpoint.ts";
import { fromOpenAI } from "./from-openai.ts";
import { invokeAgent } from "./invoke-agent.ts";

import { CallSignals, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
import type { AgentModel } from "./model.ts";
import { type AnswerOptions, type CallInfo, hiddenParams, toChunks, toCompletion } from "./to-openai.ts";
import { ToolCallIds } from "./tool-call-id.ts";
import { toToolCalls } from "./tool-calls.ts";
import type {
  AwsParams,
  ChatCompletion,
  ChatCompletionStream,
  CompletionParams,
  CustomPrices,
  RequestOptions,
} from "./types.ts";
import { UsageMeter } from "./usage.ts";

export interface ClientOptions extends AwsParams, Omit<RequestOptions, "signal">, CustomPrices {
  /** The fetch to send requests with; the global one by default. */
  fetch?: typeof fetch;
  /** Backoff before the first retry, doubled for each later one. */
  retry_base_delay_ms?: number;
}

/** An agent sends traces as it works; this long a silence means it is stuck. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

// Signing keys are derived per secret, day and region; a warm AwsClient keeps them cached.
const MAX_SIGNERS = 64;

/**
 * A long-lived client: defaults for every call (credentials, region, endpoint, retries) and
 * warm signing keys. Each call's own parameters win over the defaults.
 */
export class BedrockAgentClient {
  private readonly signers = new Map<string, AwsClient>();

  constructor(private readonly defaults: ClientOptions = {}) {}

  completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
  completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
  completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
  async completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
    const call = withDefaults(this.defaults, params);
    let ids: ToolCallIds | undefined;
    const toolCallIds = (model: AgentModel) =>
      (ids ??= new ToolCallIds(resolveCredentials(call, call.env).secretAccessKey, `${model.agentId}/${model.agentAliasId}`));
    const request = await fromOpenAI(call, toolCallIds);
    const region = resolveRegion(call, call.env);
    const endpoint = resolveEndpoint(call, call.env, region);
    const signer = this.signer(resolveCredentials(call, call.env), region);
    const signals = new CallSignals(call.signal, call.timeout);
    const retry: RetryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      retries: call.num_retries ?? DEFAULT_RETRY_POLICY.retries,
      baseDelayMs: call.retry_base_delay_ms ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    };
    const response = await invokeAgent(request, {
      endpoint,
      signer,
      fetch: call.fetch ?? ((input, init) => fetch(input, init)),
      signals,
      retry,
      idleTimeout: call.idle_timeout ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
    });
    const info: CallInfo = {
      id: `chatcmpl-${crypto.randomUUID()}`,
      created: Math.floor(Date.now() / 1000),
      model: call.model,
      sessionId: response.sessionId,
      requestId: response.requestId,
      memoryId: response.memoryId,
    };
    const meter = new UsageMeter(call);
    const answer: AnswerOptions = {
      includeReasoning: call.include_reasoning !== false,
      includeTraces: call.include_traces === true,
      includeCitations: call.include_citations === true,
      toolCalls: (returnControl) => toToolCalls(returnControl, info.sessionId, toolCallIds(request)),
    };
    if (!call.stream) return toCompletion(response.events, info, meter, answer);

    const chunks = toChunks(response.events, info, meter, {
      ...answer,
      includeUsage: call.stream_options?.include_usage === true,
    });
    return {
      sessionId: info.sessionId,
      get requestId() {
        return response.requestId;
      },
      get _hidden_params() {
        return hiddenParams({ ...info, requestId: response.requestId }, meter);
      },
      [Symbol.asyncIterator]: () => chunks,
      async cancel() {
        signals.cancel();
        await chunks.return(undefined).catch(() => {});
      },
    };
  }

  private signer(credentials: Credentials, region: string): AwsClient {
    const key = [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken, region].join("\n");
    let signer = this.signers.get(key);
    if (!signer) {
      if (this.signers.size >= MAX_SIGNERS) this.signers.clear();
      // Service "bedrock", not the host's "bedrock-agent-runtime"; retries are ours, not aws4fetch's.
      signer = new AwsClient({ ...credentials, service: "bedrock", region, retries: 0 });
      this.signers.set(key, signer);
    }
    return signer;
  }
}

type Call = CompletionParams & ClientOptions;

function withDefaults(defaults: ClientOptions, params: CompletionParams): Call {
  const call: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(params)) if (value !== undefined) call[key] = value;
  return call as unknown as Call;
}

const sharedClient = new BedrockAgentClient();

/**
 * LiteLLM's `completion()` for Bedrock Agents: an OpenAI chat request in, a `ChatCompletion`
 * (or, with `stream: true`, an async iterable of chunks) out.
 */
export function completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
export function completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
export function completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
export function completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
  return sharedClient.completion(params);
}
