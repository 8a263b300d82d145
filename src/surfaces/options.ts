// The agent-session settings every surface takes besides its own fields, checked alike.
import { BadRequestError } from "../errors.ts";
import type { AgentOptions } from "../parts.ts";
import type { SessionParams } from "../types.ts";

/** `session_id` in our name or LiteLLM's (`runtimeSessionId` for AgentCore). */
export function sessionOf(params: SessionParams & { runtimeSessionId?: string }): string | undefined {
  return params.session_id ?? params.sessionID ?? params.sessionId ?? params.runtimeSessionId;
}

/** Flags must be booleans: `"stream": "yes"` is a mistake to name, not a truthy value to act on. */
export function checkFlags(params: object, flags: readonly string[]): void {
  for (const flag of flags) {
    const value: unknown = (params as Record<string, unknown>)[flag];
    if (value !== undefined && value !== null && typeof value !== "boolean") throw invalid(flag, "true or false");
  }
}

/** Session settings, in our snake_case or InvokeAgent's own names; validated, nothing else passes. */
export function agentOptions(params: SessionParams): AgentOptions {
  checkFlags(params, ["include_reasoning", "include_traces", "include_citations"]);
  const out: AgentOptions = {
    includeReasoning: params.include_reasoning !== false,
    includeTraces: params.include_traces === true,
    includeCitations: params.include_citations === true,
  };
  const memoryId = params.memory_id ?? params.memoryId;
  if (memoryId !== undefined) out.memoryId = memoryId;
  const endSession = params.end_session ?? params.endSession;
  if (endSession !== undefined) {
    if (typeof endSession !== "boolean") throw invalid("end_session", "true or false");
    out.endSession = endSession;
  }
  const sessionAttributes = params.session_attributes ?? params.sessionAttributes;
  if (sessionAttributes !== undefined) out.sessionAttributes = stringMap(sessionAttributes, "session_attributes");
  const promptAttributes = params.prompt_session_attributes ?? params.promptSessionAttributes;
  if (promptAttributes !== undefined) out.promptSessionAttributes = stringMap(promptAttributes, "prompt_session_attributes");
  const knowledgeBases = params.knowledge_base_configurations ?? params.knowledgeBaseConfigurations;
  if (knowledgeBases !== undefined) {
    const valid =
      Array.isArray(knowledgeBases) &&
      knowledgeBases.every((kb) => kb && typeof kb === "object" && typeof (kb as { knowledgeBaseId?: unknown }).knowledgeBaseId === "string");
    if (!valid) throw invalid("knowledge_base_configurations", "a list of objects, each with a knowledgeBaseId");
    out.knowledgeBaseConfigurations = knowledgeBases as Array<Record<string, unknown>>;
  }
  return out;
}

function stringMap(value: unknown, param: string): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw invalid(param, "an object whose values are strings");
  }
  return value as Record<string, string>;
}

export function invalid(param: string, expected: string): BadRequestError {
  return new BadRequestError(`${param} must be ${expected}`, { param, code: "invalid_value" });
}

/** The end user and the model settings a surface read, checked; undefined ones are left out. */
export function withModelSettings(
  options: AgentOptions,
  settings: { user: unknown; maxTokens: unknown; temperature: unknown; topP: unknown },
  names: { user: string; maxTokens: string },
): AgentOptions {
  const { user, maxTokens, temperature, topP } = settings;
  if (user !== undefined && user !== null) {
    if (typeof user !== "string" || user === "") throw invalid(names.user, "a non-empty string");
    options.user = user;
  }
  if (maxTokens !== undefined && maxTokens !== null) {
    if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1) throw invalid(names.maxTokens, "a whole number above 0");
    options.maxTokens = maxTokens;
  }
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== "number" || !(temperature >= 0 && temperature <= 2)) throw invalid("temperature", "a number from 0 to 2");
    options.temperature = temperature;
  }
  if (topP !== undefined && topP !== null) {
    if (typeof topP !== "number" || !(topP >= 0 && topP <= 1)) throw invalid("top_p", "a number from 0 to 1");
    options.topP = topP;
  }
  return options;
}
