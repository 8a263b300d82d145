import { CredentialCache } from "./aws/credential-cache.ts";
import { credentialSource } from "./aws/credential-source.ts";
import type { CredentialSource, Credentials } from "./aws/credentials.ts";
import { resolveEndpoint, resolveRegion } from "./aws/endpoint.ts";
import type { AwsFileReader } from "./aws/profile.ts";
import { CallSignals, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./aws/retry.ts";
import { Signers, sendWithRefresh } from "./aws/signing.ts";
import { invokeClassic } from "./backends/agents-classic/agent.ts";
import type { Transport } from "./aws/transport.ts";
import type { BackendContext } from "./backends/context.ts";
import { parseModel } from "./model.ts";
import { invokeHarness } from "./backends/harness/agent.ts";
import { invokeRuntime } from "./backends/runtime/agent.ts";
import { toolCallSecret } from "./backends/agents-classic/tool-call-id.ts";
import { BadRequestError } from "./errors.ts";
import type { AgentAnswer, AgentRequest } from "./parts.ts";
import { chatRequest } from "./surfaces/chat/request.ts";
import { flatten, withBatches } from "./surfaces/batches.ts";
import { type CallInfo, hiddenParams, toChunkBatches, toCompletion } from "./surfaces/chat/response.ts";
import { messagesRequest } from "./surfaces/messages/request.ts";
import { type MessageInfo, toMessage, toMessageEvents } from "./surfaces/messages/response.ts";
import type { MessageEventStream, MessageObject, MessagesParams } from "./surfaces/messages/types.ts";
import { responsesRequest } from "./surfaces/responses/request.ts";
import { type ResponseInfo, toResponse, toResponseEvents } from "./surfaces/responses/response.ts";
import type { ResponseObject, ResponseEventStream, ResponsesParams } from "./surfaces/responses/types.ts";
import { SignedIds } from "./signed-ids.ts";
import type {
  AwsParams,
  CallParams,
  ChatCompletion,
  ChatCompletionStream,
  CompletionParams,
  CustomPrices,
  RequestOptions,
} from "./types.ts";
import { UsageTally } from "./usage.ts";

export interface ClientOptions extends AwsParams, Omit<RequestOptions, "signal" | "scope">, CustomPrices {
  /** The fetch to send requests with; the global one by default. */
  fetch?: typeof fetch;
  /** Backoff before the first retry, doubled for each later one. */
  retry_base_delay_ms?: number;
  /**
   * Local AWS files (profiles, `AWS_WEB_IDENTITY_TOKEN_FILE`), for runtimes with a file system:
   * the Node server passes one (bin/aws-files.ts). Without it, those settings are an error.
   */
  aws_file_reader?: AwsFileReader;
}

/** An agent sends traces as it works; this long a silence means it is stuck. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

/**
 * A long-lived client: defaults for every call (credentials, region, endpoint, retries) and
 * warm signing keys. Each call's own parameters win over the defaults.
 */
export class BedrockAgentClient {
  private readonly signers = new Signers();
  /** Temporary credentials (assumed roles, web identity), shared by every call of this client. */
  private readonly credentials = new CredentialCache();

  constructor(private readonly defaults: ClientOptions = {}) {}

  completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
  completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
  completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
  async completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
    const call = withDefaults(this.defaults, params);
    const request = chatRequest(call);
    const answer = await this.prepare(call).invoke(request);
    const info: CallInfo = { id: `chatcmpl-${crypto.randomUUID()}`, created: Math.floor(Date.now() / 1000), model: call.model };
    const tally = new UsageTally(call);
    if (!call.stream) return toCompletion(answer, info, tally, request.options);

    const usage = () => ({ prompt_tokens: tally.inputTokens, completion_tokens: tally.outputTokens, total_tokens: tally.inputTokens + tally.outputTokens });
    return streamOf(answer, tally, toChunkBatches(answer, info, tally, call.stream_options?.include_usage === true), usage);
  }

  /**
   * OpenAI's Responses API for agents: a `Response` (or, with `stream: true`, its events).
   * `previous_response_id` continues the session a response id carries; nothing is stored.
   */
  responses(params: ResponsesParams & { stream: true }): Promise<ResponseEventStream>;
  responses(params: ResponsesParams & { stream?: false | null }): Promise<ResponseObject>;
  responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream>;
  async responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream> {
    const call = withDefaults(this.defaults, params);
    const request = responsesRequest(call);
    const prepared = this.prepare(call);
    // Response ids carry the session, signed like tool call ids and bound to the model.
    const ids = new SignedIds({ secret: prepared.idSecret, agent: call.model }, "response id", "resp_");
    if (call.previous_response_id !== undefined && call.previous_response_id !== null) {
      const [session] = await ids.open(call.previous_response_id, 1, "previous_response_id");
      if (call.scope) await call.scope.claim(session!, "previous_response_id", { issued: true });
      if (request.sessionId !== undefined && request.sessionId !== session) {
        throw new BadRequestError("session_id names another session than previous_response_id", { param: "session_id", code: "session_mismatch" });
      }
      request.sessionId = session;
    }
    const answer = await prepared.invoke(request);
    const info: ResponseInfo = {
      id: await ids.sign([answer.session.sessionId]),
      createdAt: Math.floor(Date.now() / 1000),
      model: call.model,
      params: call,
      tools: request.tools,
      includeTraces: request.options.includeTraces,
      includeCitations: request.options.includeCitations,
    };
    const tally = new UsageTally(call);
    if (!call.stream) return { ...(await toResponse(answer, info, tally)), _hidden_params: hiddenParams(answer, tally) };

    const usage = () => ({ input_tokens: tally.inputTokens, output_tokens: tally.outputTokens });
    return Object.assign(streamOf(answer, tally, toResponseEvents(answer, info, tally), usage), { id: info.id });
  }

  /** Anthropic's Messages API for agents: a `Message` (or, with `stream: true`, its events). */
  messages(params: MessagesParams & { stream: true }): Promise<MessageEventStream>;
  messages(params: MessagesParams & { stream?: false | null }): Promise<MessageObject>;
  messages(params: MessagesParams): Promise<MessageObject | MessageEventStream>;
  async messages(params: MessagesParams): Promise<MessageObject | MessageEventStream> {
    const call = withDefaults(this.defaults, params);
    const request = messagesRequest(call);
    const answer = await this.prepare(call).invoke(request);
    const info: MessageInfo = { id: `msg_${crypto.randomUUID().replace(/-/g, "")}`, model: call.model, includeTraces: request.options.includeTraces };
    const tally = new UsageTally(call);
    if (!call.stream) return { ...(await toMessage(answer, info, tally)), _hidden_params: hiddenParams(answer, tally) };

    const usage = () => ({ input_tokens: tally.inputTokens, output_tokens: tally.outputTokens });
    return streamOf(answer, tally, toMessageEvents(answer, info, tally), usage);
  }

  /** A call's AWS settings, decided once: its region, credentials, transport and backend. */
  private prepare(call: Call) {
    const region = resolveRegion(call, call.env, call.aws_file_reader);
    // Where credentials come from is decided once, on first need (profiles are read then).
    let source: Promise<CredentialSource> | undefined;
    const sourceOf = () => (source ??= region.then((r) => credentialSource(call, call.env, r, call.aws_file_reader)));
    const idSecret = async () => toolCallSecret(await sourceOf());
    const invoke = async (request: AgentRequest): Promise<AgentAnswer & { cancel(): void }> => {
      const model = parseModel(request.model);
      const signals = new CallSignals(call.signal, call.timeout);
      const fetchFn = call.fetch ?? ((input, init) => fetch(input, init));
      const retry: RetryPolicy = {
        ...DEFAULT_RETRY_POLICY,
        retries: call.num_retries ?? DEFAULT_RETRY_POLICY.retries,
        baseDelayMs: call.retry_base_delay_ms ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      };
      const at = await region;
      const context: BackendContext = {
        idSecret,
        scope: call.scope,
        send: async (service, send, bearer) => {
          const transport = (credentials: Credentials | undefined): Transport => ({
            endpoint: resolveEndpoint(call, call.env, at, service),
            signer: credentials && this.signers.get(credentials, service.signingName, at),
            bearer,
            fetch: fetchFn,
            signals,
            retry,
            idleTimeout: call.idle_timeout ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
            service: service.label,
          });
          if (bearer !== undefined) return send(transport(undefined));
          const resolved = await signals.until(
            sourceOf().then((s) => this.credentials.resolve(s, { fetch: fetchFn, reader: call.aws_file_reader })),
          );
          return sendWithRefresh(send, resolved, transport, signals);
        },
      };
      const answer =
        model.kind === "agent"
          ? await invokeClassic(request, model, context)
          : model.kind === "harness"
            ? await invokeHarness(request, model, call, context)
            : await invokeRuntime(request, model, call, context);
      return { ...answer, cancel: () => signals.cancel() };
    };
    return { idSecret, invoke };
  }
}

/**
 * A surface's streaming result: its events one by one (and, for servers, a network read at a
 * time), with what is known of the call; `cancel()` closes the connection to AWS.
 */
function streamOf<T, U>(answer: AgentAnswer & { cancel(): void }, tally: UsageTally, batches: AsyncGenerator<T[]>, usage: () => U) {
  const events = flatten(batches);
  const stream = {
    sessionId: answer.session.sessionId,
    get requestId() {
      return answer.session.requestId;
    },
    /** So far, over every model call; final once the stream has ended. */
    get usage() {
      return usage();
    },
    get _hidden_params() {
      return hiddenParams(answer, tally);
    },
    [Symbol.asyncIterator]: () => events,
    async cancel() {
      answer.cancel();
      await batches.return(undefined).catch(() => {});
    },
  };
  return withBatches(stream, batches);
}

/** A call's parameters over the client's defaults. */
type Call = CallParams & ClientOptions & { model: string };

function withDefaults<P extends CallParams & { model: string }>(defaults: ClientOptions, params: P): P & Call {
  const call: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(params)) if (value !== undefined) call[key] = value;
  return call as unknown as P & Call;
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

/** OpenAI's Responses API for agents, on a shared client: a `Response`, or with `stream: true` its events. */
export function responses(params: ResponsesParams & { stream: true }): Promise<ResponseEventStream>;
export function responses(params: ResponsesParams & { stream?: false | null }): Promise<ResponseObject>;
export function responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream>;
export function responses(params: ResponsesParams): Promise<ResponseObject | ResponseEventStream> {
  return sharedClient.responses(params);
}

/** Anthropic's Messages API for agents, on a shared client: a `Message`, or with `stream: true` its events. */
export function messages(params: MessagesParams & { stream: true }): Promise<MessageEventStream>;
export function messages(params: MessagesParams & { stream?: false | null }): Promise<MessageObject>;
export function messages(params: MessagesParams): Promise<MessageObject | MessageEventStream>;
export function messages(params: MessagesParams): Promise<MessageObject | MessageEventStream> {
  return sharedClient.messages(params);
}
