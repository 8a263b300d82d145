// What the endpoint does for each client API: which body fields a caller may set, the library
// call, and the answer as JSON or as server-sent events.
import type { BedrockAgentClient } from "../client.ts";
import { BadRequestError } from "../errors.ts";
import { fileToDataUrl } from "../files.ts";
import { chatSse } from "../surfaces/chat/sse.ts";
import { forJson as messageJson, messagesSse } from "../surfaces/messages/sse.ts";
import type { MessagesParams } from "../surfaces/messages/types.ts";
import { forJson, responsesSse } from "../surfaces/responses/sse.ts";
import type { ResponsesParams } from "../surfaces/responses/types.ts";
import type { AgentFile, AssistantMessage, CompletionParams, HiddenParams } from "../types.ts";
import type { SseSource } from "./sse.ts";

/** What an answer tells the endpoint's headers and its request log. */
export interface Outcome {
  hidden: HiddenParams;
  inputTokens: number;
  outputTokens: number;
}

export type Served =
  | { kind: "json"; body: unknown; outcome: Outcome }
  | { kind: "stream"; sessionId: string; requestId: string | undefined; source: SseSource; outcome(): Outcome };

export interface SurfaceRoute {
  /** Body fields a caller may set besides the session fields; AWS settings come from the config only. */
  fields: readonly string[];
  /** Checks beyond the library's, for what only an endpoint sees. */
  check?(body: Record<string, unknown>): void;
  call(client: BedrockAgentClient, params: Record<string, unknown>, model: string): Promise<Served>;
}

/** The agent-session fields every surface takes. */
export const SESSION_FIELDS = [
  "session_id",
  "sessionID",
  "sessionId",
  "runtimeSessionId",
  "memory_id",
  "memoryId",
  "end_session",
  "endSession",
  "session_attributes",
  "sessionAttributes",
  "prompt_session_attributes",
  "promptSessionAttributes",
  "knowledge_base_configurations",
  "knowledgeBaseConfigurations",
  "include_reasoning",
  "include_traces",
  "include_citations",
] as const;

export const chatRoute: SurfaceRoute = {
  fields: ["messages", "stream", "stream_options", "tools", "user", "max_tokens", "max_completion_tokens", "temperature", "top_p"],
  check(body) {
    if (body.messages === undefined) {
      throw new BadRequestError('"messages" is required: a non-empty array of messages', { param: "messages", code: "invalid_messages" });
    }
    if (body.n !== undefined && body.n !== null && body.n !== 1) {
      throw new BadRequestError("n must be 1: an agent gives one answer per request", { param: "n", code: "unsupported_value" });
    }
  },
  async call(client, params, model) {
    const result = await client.completion(params as unknown as CompletionParams);
    if ("choices" in result) {
      const { _hidden_params: hidden, ...completion } = result;
      // Bytes do not go in JSON: the endpoint sends files as data URLs.
      const message = completion.choices[0]!.message as Omit<AssistantMessage, "files"> & { files?: unknown[] };
      if (message.files) message.files = (message.files as AgentFile[]).map(fileToDataUrl);
      const { prompt_tokens: inputTokens, completion_tokens: outputTokens } = completion.usage;
      return { kind: "json", body: { ...completion, model }, outcome: { hidden, inputTokens, outputTokens } };
    }
    return streamed(result, chatSse(result, model), () => [result.usage.prompt_tokens, result.usage.completion_tokens]);
  },
};

export const responsesRoute: SurfaceRoute = {
  fields: ["input", "instructions", "tools", "previous_response_id", "stream", "max_output_tokens", "metadata", "store", "user", "temperature", "top_p"],
  async call(client, params, model) {
    const result = await client.responses(params as unknown as ResponsesParams);
    if ("object" in result) {
      const hidden = result._hidden_params!;
      const usage = result.usage!;
      return { kind: "json", body: forJson(result, model), outcome: { hidden, inputTokens: usage.input_tokens, outputTokens: usage.output_tokens } };
    }
    return streamed(result, responsesSse(result, model), () => [result.usage.input_tokens, result.usage.output_tokens]);
  },
};

export const messagesRoute: SurfaceRoute = {
  fields: ["messages", "system", "tools", "max_tokens", "stream", "metadata", "temperature", "top_p"],
  async call(client, params, model) {
    const result = await client.messages(params as unknown as MessagesParams);
    if ("type" in result) {
      const hidden = result._hidden_params!;
      return { kind: "json", body: messageJson(result, model), outcome: { hidden, inputTokens: result.usage.input_tokens, outputTokens: result.usage.output_tokens } };
    }
    return streamed(result, messagesSse(result, model), () => [result.usage.input_tokens, result.usage.output_tokens]);
  },
};

/** A streaming result as the endpoint serves it; `tokens`: input and output so far. */
function streamed(
  result: { sessionId: string; requestId: string | undefined; _hidden_params: HiddenParams },
  source: SseSource,
  tokens: () => [number, number],
): Served {
  return {
    kind: "stream",
    sessionId: result.sessionId,
    requestId: result.requestId,
    source,
    outcome: () => {
      const [inputTokens, outputTokens] = tokens();
      return { hidden: result._hidden_params, inputTokens, outputTokens };
    },
  };
}
