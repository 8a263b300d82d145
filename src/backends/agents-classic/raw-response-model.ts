// The model a call's raw response names. Many real traces carry no `foundationModel` (all of
// them before mid-2025); their model is named only inside `modelInvocationOutput.rawResponse
// .content`, the model's own answer as text: Anthropic Messages JSON says `"model":"claude-..."`,
// Converse JSON names no model, plain text nothing at all.

/**
 * Far above a model's answer to an agent step (64k output tokens are about 256 KB): a longer
 * text is not parsed, so one odd trace cannot cost more than a millisecond or two.
 */
const MAX_PARSED_LENGTH = 512 * 1024;

/**
 * The top-level `model` of a raw response that is a JSON object, as it is written there (an
 * Anthropic API id, a Bedrock model or profile id); undefined for anything else. Parsed, not
 * searched: `"model"` may also be a key inside a tool call's input, and its place among the
 * keys differs between traces. Text that cannot name a model is turned away before parsing.
 */
export function modelInRawResponse(content: unknown): string | undefined {
  if (typeof content !== "string" || content.length > MAX_PARSED_LENGTH) return undefined;
  if (!OBJECT_START.test(content) || !content.includes('"model"')) return undefined;
  let response: unknown;
  try {
    response = JSON.parse(content);
  } catch {
    return undefined;
  }
  const model = typeof response === "object" && response !== null ? (response as { model?: unknown }).model : undefined;
  return typeof model === "string" && model.trim() !== "" ? model : undefined;
}

const OBJECT_START = /^\s*\{/;
