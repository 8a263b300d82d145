// Traces without reasoning: what `include_reasoning: false` keeps private (the rationale, the
// model's reasoning, its raw output, the whole prompt with the agent's instructions) must not
// come back inside `traces` either. What is not reasoning stays: usage, model ids, action group
// and knowledge-base calls, guardrail decisions, failures, answers.
//
// Classic's traces have the service model's shapes; a harness's are Bedrock Converse stream
// events; a runtime's are whatever its author yields (Strands events, OpenAI chunks, Anthropic
// events). One set of rules covers them all: keys that hold reasoning wherever they appear,
// keys that hold a prompt under a known parent, and objects whose `type` says reasoning.
import type { AgentPart } from "../parts.ts";

/** Keys whose value is reasoning wherever they appear. */
const REASONING_KEYS = new Set([
  "rationale", // Classic: orchestrationTrace.rationale; pre-processing parsedResponse.rationale
  "rawResponse", // Classic: a model's raw output, its reasoning and tool choices included
  "reasoningContent", // Classic model outputs; harness and Strands deltas and message blocks
  "reasoningText", // Strands' reasoning events
  "reasoning_content", // OpenAI-compatible chunks (DeepSeek, vLLM, LiteLLM)
  "reasoning", // OpenRouter's chunks, Strands' reasoning flag
  "reasoning_details", // OpenRouter
  "redactedContent", // encrypted reasoning
  "thinking", // Anthropic's thinking blocks and deltas
]);

/** Keys that hold a prompt or a model's own narration, under the parent key named. */
const PROMPT_KEYS = new Map<string, string>([
  ["modelInvocationInput", "text"], // Classic: the whole prompt, the agent's instructions in it
  ["repromptResponse", "text"], // Classic: what is sent back to the model when its output did not parse
  ["customOrchestrationTrace", "event"], // Classic: a custom orchestrator's steps, model requests among them
]);

/** `type` values of objects that are reasoning as a whole (Anthropic and OpenAI Responses shapes). */
const REASONING_TYPE = /reasoning|thinking/i;

/** Deeper than any real trace; beyond it nothing is vouched for, so nothing is kept. */
const MAX_DEPTH = 32;

/**
 * Adds a trace part: the trace as it came with reasoning on, else a copy without reasoning
 * (nothing when nothing else was in it). The trace itself is never changed.
 */
export function pushTrace(out: AgentPart[], trace: unknown, includeReasoning: boolean): void {
  const kept = includeReasoning ? trace : withoutReasoning(trace);
  if (kept !== undefined) out.push({ type: "trace", trace: kept });
}

/** A copy of a trace without its reasoning; undefined when reasoning was all it held. */
export function withoutReasoning(trace: unknown): unknown {
  return copy(trace, undefined, 0);
}

function copy(value: unknown, parent: string | undefined, depth: number): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (depth >= MAX_DEPTH) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      const kept = copy(item, parent, depth + 1);
      if (kept !== undefined) items.push(kept);
    }
    return items.length === 0 && value.length > 0 ? undefined : items;
  }
  // Dates, byte arrays and the like hold no reasoning; only plain objects are looked into.
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  const object = value as Record<string, unknown>;
  if (typeof object.type === "string" && REASONING_TYPE.test(object.type)) return undefined;
  const prompt = parent === undefined ? undefined : PROMPT_KEYS.get(parent);
  const entries: Array<[string, unknown]> = [];
  let count = 0;
  for (const key of Object.keys(object)) {
    count++;
    if (REASONING_KEYS.has(key) || key === prompt) continue;
    const kept = copy(object[key], key, depth + 1);
    if (kept !== undefined) entries.push([key, kept]);
  }
  // An object that held only reasoning goes too, so no empty shell says where it was.
  if (entries.length === 0 && count > 0) return undefined;
  // fromEntries defines own properties: a "__proto__" key from JSON stays a plain key.
  return Object.fromEntries(entries);
}
