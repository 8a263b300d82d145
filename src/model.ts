import { BadRequestError } from "./errors.ts";

// The service's own constraints, checked before any URL or header is built from these values.
const AGENT_ID = /^[0-9a-zA-Z]{1,10}$/;
const SESSION_ID = /^[0-9a-zA-Z._:-]{2,100}$/;
// arn:{partition}:bedrock-agentcore:{region}:{account}:{harness|runtime}/{id}
const AGENTCORE_ARN = /^arn:(aws|aws-cn|aws-us-gov):bedrock-agentcore:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):(harness|runtime)\/([a-zA-Z][a-zA-Z0-9_-]{0,99})$/;

export const MODEL_FORM = "bedrock/agent/{AGENT_ID}/{ALIAS_ID} or bedrock/agentcore/{HARNESS_OR_RUNTIME_ARN}";

/** An Agents Classic agent alias. */
export interface AgentModel {
  agentId: string;
  agentAliasId: string;
}

/** An AgentCore harness or runtime, by its ARN. */
export interface AgentCoreModel {
  arn: string;
  region: string;
  /** The id after `harness/` or `runtime/`. */
  id: string;
}

export type ModelRef = ({ kind: "agent" } & AgentModel) | ({ kind: "harness" | "runtime" } & AgentCoreModel);

/**
 * `bedrock/agent/{AGENT_ID}/{ALIAS_ID}` (Agents Classic) or `bedrock/agentcore/{ARN}` (an
 * AgentCore harness or runtime), LiteLLM's forms; anything else is a 400.
 */
export function parseModel(model: unknown): ModelRef {
  if (typeof model !== "string" || model === "") {
    throw invalidModel(`"model" is required and must have the form ${MODEL_FORM}`);
  }
  if (model.startsWith("bedrock/agentcore/")) {
    const arn = model.slice("bedrock/agentcore/".length);
    const match = AGENTCORE_ARN.exec(arn);
    if (!match) {
      throw invalidModel(
        `Invalid AgentCore ARN "${clip(arn)}" in model "${clip(model)}": expected ` +
          "arn:aws:bedrock-agentcore:{region}:{account}:harness/{id} or ...:runtime/{id}",
      );
    }
    return { kind: match[4] as "harness" | "runtime", arn, region: match[2]!, id: match[5]! };
  }
  const parts = model.split("/");
  const [provider, kind, agentId, agentAliasId] = parts;
  if (parts.length !== 4 || provider !== "bedrock" || kind !== "agent") {
    throw invalidModel(
      `Model "${clip(model)}" is not an AWS agent model: expected ${MODEL_FORM}, ` +
        "e.g. bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
    );
  }
  for (const [name, value] of [["AGENT_ID", agentId], ["ALIAS_ID", agentAliasId]] as const) {
    if (!AGENT_ID.test(value!)) {
      throw invalidModel(`Invalid ${name} "${clip(value!)}" in model "${clip(model)}": expected 1 to 10 letters or digits (${MODEL_FORM})`);
    }
  }
  return { kind: "agent", agentId: agentId!, agentAliasId: agentAliasId! };
}

/**
 * Session and memory ids share one constraint: 2 to 100 of `0-9 a-z A-Z . _ : -`; and not `..`,
 * which the service's pattern allows but a URL resolves as the segment above it.
 */
export function checkSessionId(value: unknown, param: string): string {
  if (value === "..") {
    throw new BadRequestError(`Invalid ${param}: ".." is not an id`, { param, code: "invalid_session_id" });
  }
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

function invalidModel(message: string): BadRequestError {
  return new BadRequestError(message, { param: "model", code: "invalid_model" });
}

// Error messages quote user input; keep them short.
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
