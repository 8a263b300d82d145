import type { AgentPart } from "./parts.ts";
import { costOf } from "./pricing.ts";
import type { CustomPrices } from "./types.ts";

type UsagePart = Extract<AgentPart, { type: "usage" }>;

/** The usage parts of an answer, summed, and priced each with its own model. */
export class UsageTally {
  #input = 0;
  #output = 0;
  /** The models that spent tokens, or that the answer named, in its order. */
  readonly models: string[] = [];
  readonly #parts: UsagePart[] = [];

  readonly #prices: CustomPrices | undefined;
  /** The answer's parts left early (Batches.leftover): their usage still counts. */
  readonly #leftover: (() => AgentPart[]) | undefined;

  constructor(prices?: CustomPrices, leftover?: () => AgentPart[]) {
    this.#prices = prices;
    this.#leftover = leftover;
  }

  get inputTokens(): number {
    this.#settle();
    return this.#input;
  }

  get outputTokens(): number {
    this.#settle();
    return this.#output;
  }

  add(part: UsagePart): void {
    this.#input += part.inputTokens;
    this.#output += part.outputTokens;
    if (part.model !== undefined && !this.models.includes(part.model)) this.models.push(part.model);
    this.#parts.push(part);
  }

  #settle(): void {
    if (this.#leftover) for (const part of this.#leftover()) if (part.type === "usage") this.add(part);
  }

  /**
   * USD; null when tokens were spent by a model with no known price (not in the table, or named
   * by no trace) and no custom prices are set: a partial sum would understate.
   */
  cost(): number | null {
    this.#settle();
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
