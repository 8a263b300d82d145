import type { AgentPart } from "./parts.ts";
import { costOf } from "./pricing.ts";
import type { CustomPrices } from "./types.ts";

type UsagePart = Extract<AgentPart, { type: "usage" }>;

/** The usage parts of an answer, summed, and priced each with its own model. */
export class UsageTally {
  inputTokens = 0;
  outputTokens = 0;
  /** The models that spent tokens, or that the answer named, in its order. */
  readonly models: string[] = [];
  readonly #parts: UsagePart[] = [];

  readonly #prices: CustomPrices | undefined;

  constructor(prices?: CustomPrices) {
    this.#prices = prices;
  }

  add(part: UsagePart): void {
    this.inputTokens += part.inputTokens;
    this.outputTokens += part.outputTokens;
    if (part.model !== undefined && !this.models.includes(part.model)) this.models.push(part.model);
    this.#parts.push(part);
  }

  /**
   * USD; null when tokens were spent by a model with no known price (not in the table, or named
   * by no trace) and no custom prices are set: a partial sum would understate.
   */
  cost(): number | null {
    let cost = 0;
    for (const part of this.#parts) {
      if (part.inputTokens + part.outputTokens === 0) continue;
      // Without a model, only custom prices can price the tokens.
      const price = costOf(part.model ?? "", part.inputTokens, part.outputTokens, this.#prices);
      if (price === undefined) return null;
      cost += price;
    }
    return cost;
  }
}

/** A token count as an agent reported it: a finite number above 0, else 0. */
export function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}
