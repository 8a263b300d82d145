// The usage meter on its own: which model prices which call, whatever the order of the traces.
import { describe, expect, it } from "vitest";
import type { TracePart } from "../../src/backends/agents-classic/events.ts";
import { costOf } from "../../src/pricing.ts";
import { UsageMeter } from "../../src/backends/agents-classic/usage.ts";
import { UsageTally } from "../../src/usage.ts";

const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const SONNET = "anthropic.claude-3-5-sonnet-20241022-v2:0";
const input = (traceId: string, model: string, agentId = "SUPERVISOR"): TracePart => ({
  agentId,
  trace: { orchestrationTrace: { modelInvocationInput: { traceId, foundationModel: model } } },
});
const output = (traceId: string, inputTokens: number, outputTokens: number, agentId = "SUPERVISOR"): TracePart => ({
  agentId,
  trace: { orchestrationTrace: { modelInvocationOutput: { traceId, metadata: { usage: { inputTokens, outputTokens } } } } },
});
/** The traces through the classic meter, its settled usage parts through the tally. */
const meterOf = (parts: TracePart[], prices?: ConstructorParameters<typeof UsageTally>[0]) => {
  const meter = new UsageMeter();
  for (const part of parts) meter.add(part);
  const tally = new UsageTally(prices);
  for (const usage of meter.settle()) tally.add(usage);
  return { usage: () => ({ input: tally.inputTokens, output: tally.outputTokens }), responseCost: () => tally.cost() };
};

describe("UsageMeter", () => {
  it("prices each call with its own trace step's model, whichever came first", () => {
    const meter = meterOf([output("t-1", 100, 10), input("t-2", SONNET), input("t-1", HAIKU), output("t-2", 200, 20)]);
    expect(meter.usage()).toEqual({ input: 300, output: 30 });
    expect(meter.responseCost()).toBeCloseTo(costOf(HAIKU, 100, 10)! + costOf(SONNET, 200, 20)!, 12);
  });

  it("falls back on the agent's nearest model, never another agent's", () => {
    const meter = meterOf([
      output("u-1", 100, 10, "COLLAB"),
      input("s-1", SONNET, "SUPERVISOR"),
      input("c-1", HAIKU, "COLLAB"),
      output("u-2", 50, 5, "SUPERVISOR"),
    ]);
    expect(meter.responseCost()).toBeCloseTo(costOf(HAIKU, 100, 10)! + costOf(SONNET, 50, 5)!, 12);
  });

  it("is null when a call that spent tokens has no known model and no custom price", () => {
    expect(meterOf([output("t-1", 100, 10)]).responseCost()).toBeNull();
    expect(meterOf([input("t-1", "acme.unknown-model-v1"), output("t-1", 100, 10)]).responseCost()).toBeNull();
    // A call that spent nothing costs nothing, known model or not.
    expect(meterOf([output("t-1", 0, 0)]).responseCost()).toBe(0);
    const custom = meterOf([output("t-1", 100, 10)], { input_cost_per_token: 0.001, output_cost_per_token: 0.002 });
    expect(custom.responseCost()).toBeCloseTo(0.12, 12);
  });
});
