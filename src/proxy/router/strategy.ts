// Which deployment a new session goes to (router_settings.routing_strategy, LiteLLM's names).
import type { ModelDeployment, RoutingStrategy } from "../config.ts";

/** What this instance has seen of each deployment, by id: calls in flight, and latency. */
export class DeploymentStats {
  private readonly busy = new Map<string, number>();
  private readonly latency = new Map<string, number>();

  started(id: string): () => void {
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
    let done = false;
    return () => {
      if (!done) this.busy.set(id, this.busy.get(id)! - 1);
      done = true;
    };
  }

  /** A call's time to its answer (or its stream's start), averaged so one slow call does not decide. */
  took(id: string, ms: number): void {
    const before = this.latency.get(id);
    this.latency.set(id, before === undefined ? ms : before * 0.7 + ms * 0.3);
  }

  inFlight(id: string): number {
    return this.busy.get(id) ?? 0;
  }

  /** Unknown latency counts as none, so every deployment is measured. */
  latencyOf(id: string): number {
    return this.latency.get(id) ?? 0;
  }
}

export function pick(candidates: readonly ModelDeployment[], strategy: RoutingStrategy, stats: DeploymentStats, random = Math.random): ModelDeployment {
  if (strategy === "least-busy") return lowest(candidates, (d) => stats.inFlight(d.id), random);
  if (strategy === "latency-based-routing") return lowest(candidates, (d) => stats.latencyOf(d.id), random);
  // simple-shuffle: weighted by weight, else rpm, else equal.
  const weights = candidates.map((d) => d.weight ?? d.rpm ?? 1);
  let at = random() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < candidates.length; i++) if ((at -= weights[i]!) < 0) return candidates[i]!;
  return candidates[candidates.length - 1]!;
}

/** The deployment with the lowest measure; a tie goes to any of them. */
function lowest(candidates: readonly ModelDeployment[], measure: (d: ModelDeployment) => number, random: () => number): ModelDeployment {
  const values = candidates.map(measure);
  const min = Math.min(...values);
  const best = candidates.filter((_, i) => values[i] === min);
  return best[Math.floor(random() * best.length)]!;
}
