import type { TracePart } from "./event-stream.ts";
import { costOf } from "./pricing.ts";
import type { CompletionUsage, CustomPrices } from "./types.ts";

/**
 * Sums token usage over every model call in every trace kind (pre-processing, orchestration,
 * post-processing, routing, collaborators, ...), and prices each call with the model that made it.
 */
export class UsageMeter {
  inputTokens = 0;
  outputTokens = 0;
  /** Foundation models in the order the agent first called them. */
  readonly models: string[] = [];
  private cost = 0;
  private unpriced = false;
  // The model id comes in one trace event and its usage in a later one; remember the last
  // model per agent, so a collaborator's calls are priced with the collaborator's model.
  private readonly lastModel = new Map<string, string>();

  constructor(private readonly prices?: CustomPrices) {}

  add(part: TracePart): void {
    const agent = `${part.collaboratorName ?? ""}/${part.agentId ?? ""}`;
    for (const step of Object.values(part.trace ?? {})) {
      const model = step?.modelInvocationInput?.foundationModel;
      if (typeof model === "string") {
        this.lastModel.set(agent, model);
        if (!this.models.includes(model)) this.models.push(model);
      }
      const usage = step?.modelInvocationOutput?.metadata?.usage;
      if (!usage) continue;
      const input = count(usage.inputTokens);
      const output = count(usage.outputTokens);
      this.inputTokens += input;
      this.outputTokens += output;
      const callModel = this.lastModel.get(agent) ?? this.models.at(-1);
      const cost = callModel === undefined ? undefined : costOf(callModel, input, output, this.prices);
      if (cost === undefined) this.unpriced = true;
      else this.cost += cost;
    }
  }

  usage(): CompletionUsage {
    return {
      prompt_tokens: this.inputTokens,
      completion_tokens: this.outputTokens,
      total_tokens: this.inputTokens + this.outputTokens,
    };
  }

  /** USD; null when a call's model has no known price (a partial sum would understate it). */
  responseCost(): number | null {
    return this.unpriced ? null : this.cost;
  }
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}
