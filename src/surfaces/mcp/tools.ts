// One MCP tool per model: its name (a model_name made a valid tool name), its description, and
// the schemas of what it takes and what it answers.

/** What a tool list needs to know of a model. */
export interface ToolModel {
  modelName: string;
  /** `model_info.description` from the config. */
  description?: string;
  /** Which AWS agent answers: for the default description. */
  kind: "agent" | "harness" | "runtime";
}

// MCP allows [A-Za-z0-9._-]{1,128}; hosts hand tool names on to LLM function calling, where
// OpenAI and Anthropic allow only [A-Za-z0-9_-]{1,64}: names are made valid for both.
const INVALID_CHARACTERS = /[^A-Za-z0-9_-]/g;
const MAX_NAME = 64;

/**
 * Tool names ↔ model names, made once from the whole config so a model's tool name is the same
 * for every caller: characters outside `A-Z a-z 0-9 _ -` become `_`, names are cut at 64
 * characters, and a name already taken by an earlier model gets `_2`, `_3`, ... appended.
 */
export class ToolNames {
  readonly #toolOf = new Map<string, string>();
  readonly #modelOf = new Map<string, string>();

  constructor(modelNames: Iterable<string>) {
    for (const model of modelNames) {
      const base = model.replace(INVALID_CHARACTERS, "_").slice(0, MAX_NAME);
      let name = base;
      for (let n = 2; this.#modelOf.has(name); n++) name = `${base.slice(0, MAX_NAME - String(n).length - 1)}_${n}`;
      this.#toolOf.set(model, name);
      this.#modelOf.set(name, model);
    }
  }

  toolName(modelName: string): string | undefined {
    return this.#toolOf.get(modelName);
  }

  modelName(toolName: string): string | undefined {
    return this.#modelOf.get(toolName);
  }
}

const KIND_NAMES: Record<ToolModel["kind"], string> = {
  agent: "Amazon Bedrock agent",
  harness: "Amazon Bedrock AgentCore agent",
  runtime: "Amazon Bedrock AgentCore agent",
};

export function toolDefinition(model: ToolModel, name: string): Record<string, unknown> {
  const description =
    model.description ??
    `Ask the ${KIND_NAMES[model.kind]} "${model.modelName}" and get its answer. ` +
      "Pass the session_id of an answer back to continue that conversation.";
  return {
    name,
    title: model.modelName,
    description,
    inputSchema: INPUT_SCHEMA,
    outputSchema: OUTPUT_SCHEMA,
    // An agent may act on the world (its action groups, its tools), and says something new each time.
    annotations: { title: model.modelName, readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  };
}

const text = (description?: string) => (description ? { type: "string", description } : { type: "string" });
const list = (items: Record<string, unknown>, required: string[], description?: string) => ({ type: "array", description, items: { type: "object", properties: items, required } });

export const INPUT_SCHEMA = {
  type: "object",
  properties: {
    message: text("What to ask the agent (unless tool_results answer its tool_calls)."),
    session_id: text("An earlier answer's session_id, to continue that conversation."),
    tool_results: list({ id: text(), output: text() }, ["id", "output"], "The output of each of the agent's tool_calls, by id."),
    tools: list({ name: text(), description: text(), parameters: { type: "object" } }, ["name"], "Functions you can run for the agent: it may ask for them in tool_calls."),
  },
};

export const OUTPUT_SCHEMA = {
  type: "object",
  properties: {
    text: text(),
    session_id: text("Pass it back to continue the conversation."),
    citations: list({ url: text(), document_id: text(), title: text(), start: { type: "integer" }, end: { type: "integer" } }, ["title", "start", "end"]),
    usage: { type: "object", properties: { input_tokens: { type: "integer" }, output_tokens: { type: "integer" } }, required: ["input_tokens", "output_tokens"] },
    cost: { type: ["number", "null"], description: "USD; null when a price is unknown." },
    tool_calls: list({ id: text(), name: text(), arguments: text("JSON") }, ["id", "name", "arguments"], "Tools to run: answer with tool_results."),
  },
  required: ["text", "session_id", "citations", "usage", "cost"],
};
