// The usage meter on its own: which model prices which call, whatever the order of the traces.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { TracePart } from "../../src/raw-types.ts";
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
/** A model call as traces before mid-2025 report it: no foundationModel, the model only in its raw response. */
const rawOutput = (traceId: string, content: unknown, inputTokens: number, outputTokens: number, agentId = "SUPERVISOR"): TracePart => ({
  agentId,
  trace: { orchestrationTrace: { modelInvocationOutput: { traceId, rawResponse: { content }, metadata: { usage: { inputTokens, outputTokens } } } } },
});
const messagesJson = (model: string) =>
  JSON.stringify({ id: "msg_bdrk_01", type: "message", role: "assistant", model, content: [{ type: "text", text: "ok" }], stop_reason: "end_turn" });
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

  describe("when no trace step names the model", () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("prices a call with the model its raw response names, Anthropic API ids mapped to Bedrock's", () => {
      const meter = meterOf([
        rawOutput("t-1", messagesJson("claude-3-haiku-20240307"), 100, 10),
        rawOutput("t-2", messagesJson("claude-3-5-sonnet-20241022"), 200, 20, "COLLAB"),
      ]);
      expect(meter.responseCost()).toBeCloseTo(costOf(HAIKU, 100, 10)! + costOf(SONNET, 200, 20)!, 12);
    });

    it("reads Bedrock model and inference profile ids too", () => {
      const meter = meterOf([
        rawOutput("t-1", messagesJson("anthropic.claude-3-haiku-20240307-v1:0"), 100, 10),
        rawOutput("t-2", messagesJson("us.anthropic.claude-3-5-sonnet-20241022-v2:0"), 200, 20),
      ]);
      expect(meter.responseCost()).toBeCloseTo(costOf(HAIKU, 100, 10)! + costOf(SONNET, 200, 20)!, 12);
    });

    it("prefers the step's own foundationModel, and then never parses the raw response", () => {
      const parse = vi.spyOn(JSON, "parse");
      // Whichever comes first, the step's model or the usage.
      const meter = meterOf([
        input("t-1", HAIKU),
        rawOutput("t-1", messagesJson("claude-3-5-sonnet-20241022"), 100, 10),
        rawOutput("t-2", messagesJson("claude-3-5-sonnet-20241022"), 200, 20),
        input("t-2", HAIKU),
      ]);
      expect(meter.responseCost()).toBeCloseTo(costOf(HAIKU, 300, 30)!, 12);
      expect(parse).not.toHaveBeenCalled();
    });

    it("falls back on the agent's other calls, those named by raw responses included", () => {
      const meter = meterOf([
        rawOutput("t-1", messagesJson("claude-3-haiku-20240307"), 100, 10),
        rawOutput("t-2", "<answer>Plain text names no model.</answer>", 200, 20),
        rawOutput("t-3", '{"output":{"message":{"content":[{"text":"Converse JSON names none"}]}}}', 300, 30),
      ]);
      expect(meter.responseCost()).toBeCloseTo(costOf(HAIKU, 600, 60)!, 12);
    });

    it("reports a model read from a raw response once, under the id a step gave it", () => {
      const meter = new UsageMeter();
      for (const part of [input("t-1", SONNET), output("t-1", 100, 10), rawOutput("t-2", messagesJson("claude-3-5-sonnet-20241022"), 200, 20)]) meter.add(part);
      expect(meter.settle()).toEqual([{ type: "usage", model: SONNET, inputTokens: 300, outputTokens: 30 }]);
      const alone = new UsageMeter();
      alone.add(rawOutput("t-1", messagesJson("claude-3-haiku-20240307"), 100, 10));
      expect(alone.settle()).toEqual([{ type: "usage", model: "anthropic.claude-3-haiku-20240307-v1", inputTokens: 100, outputTokens: 10 }]);
    });

    it("is null when nothing names the model, or the name read is not in the price table", () => {
      expect(meterOf([rawOutput("t-1", "<answer>Plain text</answer>", 100, 10)]).responseCost()).toBeNull();
      expect(meterOf([rawOutput("t-1", '{"model":"claude-3-haiku-20240307","content":[{"text":"cut', 100, 10)]).responseCost()).toBeNull();
      expect(meterOf([rawOutput("t-1", undefined, 100, 10)]).responseCost()).toBeNull();
      // A name read is a name like a step's: an unknown one is not replaced by the agent's other model.
      expect(meterOf([input("t-1", HAIKU), output("t-1", 1, 1), rawOutput("t-2", messagesJson("claude-99-20300101"), 100, 10)]).responseCost()).toBeNull();
    });
  });
});
