import type { TracePart } from "../../raw-types.ts";
import type { AgentPart } from "../../parts.ts";
import { normalizeModelId } from "../../pricing.ts";
import { tokenCount } from "../../usage.ts";
import { modelInRawResponse } from "./raw-response-model.ts";

/** One model call's usage, and where it stands in the answer, to find its model when settling. */
interface ModelCall {
  traceId: string | undefined;
  agent: string;
  /** Position in the answer: calls are priced with their agent's nearest model. */
  at: number;
  input: number;
  output: number;
  /**
   * The model's raw response text, kept when no step had named the call's model by the time its
   * usage came: read at settling, and only if no step has named it by then either.
   */
  rawResponse: unknown;
}

interface NamedAt {
  at: number;
  model: string;
}

/**
 * Collects token usage over every model call in every trace kind (pre-processing, orchestration,
 * post-processing, routing, collaborators, ...), with the model that made each call. The model
 * id and the usage come in separate trace events, in no promised order, so the sum is settled at
 * the answer's end: each call goes to the model its own trace step names (same `traceId`), else
 * the one its raw response names (older traces name it nowhere else), else the model its agent
 * names nearest to it.
 */
export class UsageMeter {
  /** Foundation models in the order the agent first called them. */
  readonly #models: string[] = [];
  readonly #calls: ModelCall[] = [];
  readonly #traceModels = new Map<string, string>();
  readonly #agentModels = new Map<string, NamedAt[]>();
  #position = 0;

  add(part: TracePart): void {
    const agent = `${part.collaboratorName ?? ""}/${part.agentId ?? ""}`;
    for (const step of Object.values(part.trace ?? {})) {
      const at = this.#position++;
      const invocation = step?.modelInvocationInput;
      const model = invocation?.foundationModel;
      if (typeof model === "string") {
        if (typeof invocation?.traceId === "string") this.#traceModels.set(invocation.traceId, model);
        const seen = this.#agentModels.get(agent) ?? [];
        seen.push({ at, model });
        this.#agentModels.set(agent, seen);
        if (!this.#models.includes(model)) this.#models.push(model);
      }
      const output = step?.modelInvocationOutput;
      const usage = output?.metadata?.usage;
      if (!usage) continue;
      const traceId = output.traceId;
      // A step already named the model (the usual order): the raw response is never looked at.
      const named = traceId !== undefined && this.#traceModels.has(traceId);
      const rawResponse = named ? undefined : (output.rawResponse as { content?: unknown } | undefined)?.content;
      const call: ModelCall = { traceId, agent, at, input: tokenCount(usage.inputTokens), output: tokenCount(usage.outputTokens), rawResponse };
      if (call.input + call.output > 0) this.#calls.push(call);
    }
  }

  /**
   * What the answer spent, per model (in the order the agent first called them, then what no
   * trace step named), as usage parts: settled now, since a model may be named after its usage.
   */
  settle(): Array<Extract<AgentPart, { type: "usage" }>> {
    const own = new Map<ModelCall, string>();
    const readByAgent = new Map<string, NamedAt[]>();
    for (const call of this.#calls) {
      const named = call.traceId === undefined ? undefined : this.#traceModels.get(call.traceId);
      if (named) {
        own.set(call, named);
        continue;
      }
      const model = this.#modelReadFrom(call.rawResponse);
      if (model === undefined) continue;
      own.set(call, model);
      // A model read from a raw response names its agent's model for the agent's other calls too.
      const read = readByAgent.get(call.agent) ?? [];
      read.push({ at: call.at, model });
      readByAgent.set(call.agent, read);
    }
    const agentModels = new Map(this.#agentModels);
    for (const [agent, read] of readByAgent) {
      agentModels.set(agent, [...(agentModels.get(agent) ?? []), ...read].sort((a, b) => a.at - b.at));
    }
    const byModel = new Map<string | undefined, { input: number; output: number }>();
    for (const model of this.#models) byModel.set(model, { input: 0, output: 0 });
    for (const call of this.#calls) {
      const model = own.get(call) ?? nearest(agentModels.get(call.agent), call.at);
      const sum = byModel.get(model) ?? { input: 0, output: 0 };
      sum.input += call.input;
      sum.output += call.output;
      byModel.set(model, sum);
    }
    return [...byModel].map(([model, sum]) => ({ type: "usage", model, inputTokens: sum.input, outputTokens: sum.output }));
  }

  /**
   * The model a raw response names, as the price table knows it, or as a trace step of this
   * answer named the same model (one usage row per model).
   */
  #modelReadFrom(rawResponse: unknown): string | undefined {
    const written = modelInRawResponse(rawResponse);
    if (written === undefined) return undefined;
    const key = normalizeModelId(written);
    return this.#models.find((model) => normalizeModelId(model) === key) ?? key;
  }
}

/** The agent's last model before the call, else its first one after it. */
function nearest(seen: NamedAt[] | undefined, at: number): string | undefined {
  if (!seen) return undefined;
  let before: string | undefined;
  for (const entry of seen) {
    if (entry.at > at) return before ?? entry.model;
    before = entry.model;
  }
  return before;
}
