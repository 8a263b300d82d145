import type { TracePart } from "./events.ts";
import type { AgentPart } from "../../parts.ts";

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
 * Collects token usage over every model call in every trace kind (pre-processing, orchestration,
 * post-processing, routing, collaborators, ...), with the model that made each call. The model
 * id and the usage come in separate trace events, in no promised order, so the sum is settled at
 * the answer's end: each call goes to the model its own trace step names (same `traceId`), else
 * the model its agent names nearest to it.
 */
export class UsageMeter {
  /** Foundation models in the order the agent first called them. */
  readonly models: string[] = [];
  private readonly calls: ModelCall[] = [];
  private readonly traceModels = new Map<string, string>();
  private readonly agentModels = new Map<string, Array<{ at: number; model: string }>>();
  private position = 0;

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
      if (call.input + call.output > 0) this.calls.push(call);
    }
  }

  /**
   * What the answer spent, per model (in the order the agent first called them, then what no
   * trace named), as usage parts: settled now, since a model may be named after its usage.
   */
  settle(): Array<Extract<AgentPart, { type: "usage" }>> {
    const byModel = new Map<string | undefined, { input: number; output: number }>();
    for (const model of this.models) byModel.set(model, { input: 0, output: 0 });
    for (const call of this.calls) {
      const model = this.modelOf(call);
      const sum = byModel.get(model) ?? { input: 0, output: 0 };
      sum.input += call.input;
      sum.output += call.output;
      byModel.set(model, sum);
    }
    return [...byModel].map(([model, sum]) => ({ type: "usage", model, inputTokens: sum.input, outputTokens: sum.output }));
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
