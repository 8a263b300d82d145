// The agent-session settings every surface takes besides its own fields, checked alike.
import { BadRequestError } from "../errors.ts";
import type { AgentOptions } from "../parts.ts";
import type { SessionParams } from "../types.ts";
import { asList, isObject, optionalBoolean, optionalString, stringValues, wrongType } from "./fields.ts";

/** `session_id` in our name or LiteLLM's (`runtimeSessionId` for AgentCore), checked to be a string. */
export function sessionOf(params: SessionParams & { runtimeSessionId?: string }): string | undefined {
  const [name, value] = given(params, ["session_id", "sessionID", "sessionId", "runtimeSessionId"]);
  return optionalString(value, name);
}

/** The first of a setting's names the caller gave a value (not null), and that value. */
function given(params: object, names: readonly string[]): [string, unknown] {
  for (const name of names) {
    const value: unknown = (params as Record<string, unknown>)[name];
    if (value !== undefined && value !== null) return [name, value];
  }
  return [names[0]!, undefined];
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
  const [memoryName, memoryId] = given(params, ["memory_id", "memoryId"]);
  if (memoryId !== undefined) out.memoryId = optionalString(memoryId, memoryName);
  const [endName, endSession] = given(params, ["end_session", "endSession"]);
  if (endSession !== undefined) out.endSession = optionalBoolean(endSession, endName);
  const [attributesName, sessionAttributes] = given(params, ["session_attributes", "sessionAttributes"]);
  if (sessionAttributes !== undefined) out.sessionAttributes = stringValues(sessionAttributes, attributesName);
  const [promptName, promptAttributes] = given(params, ["prompt_session_attributes", "promptSessionAttributes"]);
  if (promptAttributes !== undefined) out.promptSessionAttributes = stringValues(promptAttributes, promptName);
  const [basesName, knowledgeBases] = given(params, ["knowledge_base_configurations", "knowledgeBaseConfigurations"]);
  if (knowledgeBases !== undefined) out.knowledgeBaseConfigurations = knowledgeBaseList(knowledgeBases, basesName);
  return out;
}

/** Knowledge bases as InvokeAgent takes them: each an object with its id; the rest is AWS's to check. */
function knowledgeBaseList(value: unknown, param: string): Array<Record<string, unknown>> {
  const expected = "a list of objects, each with a knowledgeBaseId";
  return asList(value, param, expected).map((kb, index) => {
    if (!isObject(kb)) throw wrongType(`${param}[${index}]`, "an object with a knowledgeBaseId", kb);
    if (typeof kb.knowledgeBaseId !== "string") throw wrongType(`${param}[${index}].knowledgeBaseId`, "a string", kb.knowledgeBaseId);
    return kb;
  });
}

export function invalid(param: string, expected: string): BadRequestError {
  return new BadRequestError(`${param} must be ${expected}`, { param, code: "invalid_value" });
}

/** The end user and the model settings a surface read, checked; undefined ones are left out. */
export function withModelSettings(
  options: AgentOptions,
  settings: { user?: unknown; maxTokens?: unknown; temperature?: unknown; topP?: unknown },
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
