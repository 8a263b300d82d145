// completion() for Agents Classic alone: a build that carries one backend, one client API and key
// pairs as credentials (no STS, no profiles), for a Worker that needs no more
// (`bedrock-agents-openai/agents-classic`).
import { keyCredentials } from "./aws/key-credentials.ts";
import { invokeClassic } from "./backends/agents-classic/agent.ts";
import { completionCall } from "./calls/completion.ts";
import { type ClientOptions, Invoker } from "./invoker.ts";
import type { ChatCompletion, ChatCompletionStream, CompletionParams } from "./types.ts";

export type { ClientOptions } from "./invoker.ts";
export type * from "./types.ts";
export * from "./errors.ts";

const backends = { agent: (request, model, _call, context) => invokeClassic(request, model, context) } satisfies ConstructorParameters<typeof Invoker>[1];

/** A long-lived client for Agents Classic: defaults for every call, warm signing keys. */
export class ClassicAgentClient {
  readonly #invoker: Invoker;

  constructor(defaults: ClientOptions = {}) {
    this.#invoker = new Invoker(defaults, backends, keyCredentials);
  }

  completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
  completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
  completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
  completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
    return completionCall(this.#invoker, params);
  }
}

const shared = new ClassicAgentClient();

/** `completion()` as the main entry has it, for `bedrock/agent/...` models only. */
export function completion(params: CompletionParams & { stream: true }): Promise<ChatCompletionStream>;
export function completion(params: CompletionParams & { stream?: false | null }): Promise<ChatCompletion>;
export function completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream>;
export function completion(params: CompletionParams): Promise<ChatCompletion | ChatCompletionStream> {
  return shared.completion(params);
}
