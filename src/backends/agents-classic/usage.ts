import type { TracePart } from "./events.ts";
import { costOf } from "../../pricing.ts";
import type { CompletionUsage, CustomPrices } from "../../types.ts";

/** One model call's usage, and where it stands in the answer, to find its model when settling. */
interface ModelCall {
  traceId: string | undefined;
  agent: string;
  /** Position in the answer: calls are priced with their agent's nearest model. */
  at: number;
  input: number;
  output: number;
}

/**
 * Sums token usage over every model call in every trace kind (pre-processing, orchestration,
 * post-processing, routing, collaborators, ...), and prices each call with the model that made
 * it. The model id and the usage come in separate trace events, in no promised order, so the
 * sum is settled when asked for (at the answer's end): each call is priced with the model its
 * own trace step names (same `traceId`), else the model its agent names nearest to it.
 */
export class UsageMeter {
  inputTokens = 0;
  outputTokens = 0;
  /** Foundation models in the order the agent first called them. */
  readonly models: string[] = [];
  private readonly calls: ModelCall[] = [];
  private readonly traceModels = new Map<string, string>();
  private readonly agentModels = new Map<string, Array<{ at: number; model: string }>>();
  private position = 0;

  constructor(private readonly prices?: CustomPrices) {}

  add(part: TracePart): void {
    const agent = `${part.collaboratorName ?? ""}/${part.agentId ?? ""}`;
    for (const step of Object.values(part.trace ?? {})) {
      const at = this.position++;
      const invocation = step?.modelInvocationInput;
      const model = invocation?.foundationModel;
      if (typeof model === "string") {
        if (typeof invocation?.traceId === "string") this.traceModels.set(invocation.traceId, model);
        const seen = this.agentModels.get(agent) ?? [];
        seen.push({ at, model });
        this.agentModels.set(agent, seen);
        if (!this.models.includes(model)) this.models.push(model);
      }
      const output = step?.modelInvocationOutput;
      const usage = output?.metadata?.usage;
      if (!usage) continue;
      const call: ModelCall = { traceId: output.traceId, agent, at, input: count(usage.inputTokens), output: count(usage.outputTokens) };
      this.inputTokens += call.input;
      this.outputTokens += call.output;
      if (call.input + call.output > 0) this.calls.push(call);
    }
  }

  usage(): CompletionUsage {
    return {
      prompt_tokens: this.inputTokens,
      completion_tokens: this.outputTokens,
      total_tokens: this.inputTokens + this.outputTokens,
    };
  }

  /**
   * USD; null when a call that spent tokens has no known price: its model is not in the table,
   * or no trace named its model, and no custom prices are set (a partial sum would understate).
   */
  responseCost(): number | null {
    let cost = 0;
    for (const call of this.calls) {
      const model = this.modelOf(call);
      // Without a model, only custom prices can price the call.
      const price = costOf(model ?? "", call.input, call.output, this.prices);
      if (price === undefined) return null;
      cost += price;
    }
    return cost;
  }

  private modelOf(call: ModelCall): string | undefined {
    const own = call.traceId === undefined ? undefined : this.traceModels.get(call.traceId);
    if (own) return own;
    const seen = this.agentModels.get(call.agent);
    if (!seen) return undefined;
    // The agent's last model before the call, else its first one after it.
    let before: string | undefined;
    for (const entry of seen) {
      if (entry.at > call.at) return before ?? entry.model;
      before = entry.model;
    }
    return before;
  }
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}
