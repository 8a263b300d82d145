import { BadRequestError } from "./errors.ts";

// The service's own constraints, checked before any URL is built from these values.
const AGENT_ID = /^[0-9a-zA-Z]{1,10}$/;
const SESSION_ID = /^[0-9a-zA-Z._:-]{2,100}$/;

export const MODEL_FORM = "bedrock/agent/{AGENT_ID}/{ALIAS_ID}";

export interface AgentModel {
  agentId: string;
  agentAliasId: string;
}

/** Parses `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` (LiteLLM's form); anything else is a 400. */
export function parseModel(model: unknown): AgentModel {
  if (typeof model !== "string" || model === "") {
    throw new BadRequestError(`"model" is required and must have the form ${MODEL_FORM}`, {
      param: "model",
      code: "invalid_model",
    });
  }
  const parts = model.split("/");
  const [provider, kind, agentId, agentAliasId] = parts;
  if (parts.length !== 4 || provider !== "bedrock" || kind !== "agent") {
    throw new BadRequestError(
      `Model "${clip(model)}" is not a Bedrock Agent model: expected ${MODEL_FORM}, ` +
        `e.g. bedrock/agent/L1RT58GYRW/MFPSBCXYTW`,
      { param: "model", code: "invalid_model" },
    );
  }
  for (const [name, value] of [["AGENT_ID", agentId], ["ALIAS_ID", agentAliasId]] as const) {
    if (!AGENT_ID.test(value!)) {
      throw new BadRequestError(
        `Invalid ${name} "${clip(value!)}" in model "${clip(model)}": expected 1 to 10 letters or digits (${MODEL_FORM})`,
        { param: "model", code: "invalid_model" },
      );
    }
  }
  return { agentId: agentId!, agentAliasId: agentAliasId! };
}

/** Session and memory ids share one constraint: 2 to 100 of `0-9 a-z A-Z . _ : -`. */
export function checkSessionId(value: unknown, param: string): string {
  if (typeof value !== "string" || !SESSION_ID.test(value)) {
    throw new BadRequestError(
      `Invalid ${param}: expected 2 to 100 characters of letters, digits, ".", "_", ":" or "-"`,
      { param, code: "invalid_session_id" },
    );
  }
  return value;
}

export function newSessionId(): string {
  return crypto.randomUUID();
}

// Error messages quote user input; keep them short.
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
