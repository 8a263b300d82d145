import { describe, expect, it } from "vitest";
import { costOf, normalizeModelId, priceOf } from "../../src/pricing.ts";

describe("normalizeModelId", () => {
  it("strips the :N version of a plain model id", () => {
    expect(normalizeModelId("anthropic.claude-3-haiku-20240307-v1:0")).toBe("anthropic.claude-3-haiku-20240307-v1");
    expect(normalizeModelId("anthropic.claude-3-5-sonnet-20240620-v1:0")).toBe(
      "anthropic.claude-3-5-sonnet-20240620-v1",
    );
    expect(normalizeModelId("amazon.nova-pro-v1:0")).toBe("amazon.nova-pro-v1");
  });

  it("leaves ids without a version alone", () => {
    expect(normalizeModelId("anthropic.claude-sonnet-4-6")).toBe("anthropic.claude-sonnet-4-6");
    expect(normalizeModelId("deepseek.v3.2")).toBe("deepseek.v3.2");
    expect(normalizeModelId("minimax.minimax-m2.1")).toBe("minimax.minimax-m2.1");
  });

  it("strips context-window suffixes and tags", () => {
    expect(normalizeModelId("anthropic.claude-3-haiku-20240307-v1:0:200k")).toBe(
      "anthropic.claude-3-haiku-20240307-v1",
    );
    expect(normalizeModelId("amazon.nova-pro-v1:0:300k")).toBe("amazon.nova-pro-v1");
    expect(normalizeModelId("anthropic.claude-opus-4-8[1m]")).toBe("anthropic.claude-opus-4-8");
  });

  for (const prefix of ["us", "eu", "apac", "global", "us-gov", "jp", "au", "ca"]) {
    it(`strips the ${prefix}. cross-region inference profile prefix`, () => {
      expect(normalizeModelId(`${prefix}.anthropic.claude-sonnet-4-5-20250929-v1:0`)).toBe(
        "anthropic.claude-sonnet-4-5-20250929-v1",
      );
    });
  }

  it("reads the model id out of a foundation-model ARN", () => {
    expect(normalizeModelId("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1")).toBe(
      "anthropic.claude-v2",
    );
    expect(normalizeModelId("arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/meta.llama3-8b-instruct-v1:0")).toBe(
      "meta.llama3-8b-instruct-v1",
    );
  });

  it("reads the model id out of an inference-profile ARN", () => {
    expect(
      normalizeModelId(
        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0",
      ),
    ).toBe("anthropic.claude-3-5-sonnet-20241022-v2");
    expect(
      normalizeModelId("arn:aws:bedrock:eu-west-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-6"),
    ).toBe("anthropic.claude-sonnet-4-6");
  });

  it("matches table keys with or without a trailing -v1", () => {
    expect(normalizeModelId("us.anthropic.claude-opus-4-7-v1")).toBe("anthropic.claude-opus-4-7");
    expect(normalizeModelId("global.anthropic.claude-opus-4-6")).toBe("anthropic.claude-opus-4-6-v1");
  });

  it("ignores case and surrounding spaces", () => {
    expect(normalizeModelId("  US.Anthropic.Claude-3-Haiku-20240307-v1:0 ")).toBe(
      "anthropic.claude-3-haiku-20240307-v1",
    );
  });

  it("maps Anthropic API ids, as a raw model response names them, to Bedrock's", () => {
    expect(normalizeModelId("claude-3-5-sonnet-20240620")).toBe("anthropic.claude-3-5-sonnet-20240620-v1");
    expect(normalizeModelId("claude-3-5-sonnet-20241022")).toBe("anthropic.claude-3-5-sonnet-20241022-v2");
    expect(normalizeModelId("claude-3-haiku-20240307")).toBe("anthropic.claude-3-haiku-20240307-v1");
    expect(normalizeModelId("claude-3-7-sonnet-20250219")).toBe("anthropic.claude-3-7-sonnet-20250219-v1");
    expect(normalizeModelId("claude-sonnet-4-20250514")).toBe("anthropic.claude-sonnet-4-20250514-v1");
    expect(normalizeModelId("claude-haiku-4-5-20251001")).toBe("anthropic.claude-haiku-4-5-20251001-v1");
    expect(normalizeModelId("claude-opus-4-6")).toBe("anthropic.claude-opus-4-6-v1");
    expect(normalizeModelId("claude-sonnet-4-6")).toBe("anthropic.claude-sonnet-4-6");
    expect(normalizeModelId("claude-2.1")).toBe("anthropic.claude-v2");
    expect(normalizeModelId("claude-instant-1.2")).toBe("anthropic.claude-instant-v1");
    // A Bedrock id without its version, or with the wrong one.
    expect(normalizeModelId("anthropic.claude-3-5-sonnet-20241022")).toBe("anthropic.claude-3-5-sonnet-20241022-v2");
  });

  it("maps Anthropic's aliases to their newest snapshot", () => {
    expect(normalizeModelId("claude-3-5-sonnet-latest")).toBe("anthropic.claude-3-5-sonnet-20241022-v2");
    expect(normalizeModelId("claude-3-5-haiku-latest")).toBe("anthropic.claude-3-5-haiku-20241022-v1");
    expect(normalizeModelId("claude-3-7-sonnet-latest")).toBe("anthropic.claude-3-7-sonnet-20250219-v1");
    expect(normalizeModelId("claude-3-opus-latest")).toBe("anthropic.claude-3-opus-20240229-v1");
    expect(normalizeModelId("claude-sonnet-4-0")).toBe("anthropic.claude-sonnet-4-20250514-v1");
    expect(normalizeModelId("claude-opus-4-0")).toBe("anthropic.claude-opus-4-20250514-v1");
    expect(normalizeModelId("claude-opus-4-1")).toBe("anthropic.claude-opus-4-1-20250805-v1");
    expect(normalizeModelId("claude-sonnet-4-5")).toBe("anthropic.claude-sonnet-4-5-20250929-v1");
    expect(normalizeModelId("claude-haiku-4-5")).toBe("anthropic.claude-haiku-4-5-20251001-v1");
  });

  it("prices Anthropic API ids like the Bedrock ids they stand for", () => {
    expect(priceOf("claude-3-5-sonnet-20240620")).toEqual(priceOf("anthropic.claude-3-5-sonnet-20240620-v1:0"));
    expect(priceOf("claude-3-haiku-20240307")).toEqual({ input: 2.5e-7, output: 1.25e-6 });
    expect(costOf("claude-3-5-sonnet-20241022", 1_000_000, 1_000_000)).toBe(36);
    // No route is named: Claude 4.5 and later cost their regional price, as an in-region call does.
    expect(priceOf("claude-sonnet-4-5-20250929")).toEqual(priceOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
    expect(priceOf("claude-99-20300101")).toBeUndefined();
    expect(priceOf("claude-3-5-sonnet-20990101")).toBeUndefined();
  });

  it("normalizes unknown ids the same way", () => {
    expect(normalizeModelId("eu.example.model-x-v3:0")).toBe("example.model-x-v3");
  });
});

describe("priceOf", () => {
  // USD per token = the table's per-million price / 1e6, as exact literals.
  const known: Array<[string, number, number]> = [
    ["anthropic.claude-3-haiku-20240307-v1:0", 2.5e-7, 1.25e-6],
    ["anthropic.claude-3-5-haiku-20241022-v1:0", 8e-7, 4e-6],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", 6e-6, 3e-5],
    ["us.anthropic.claude-3-5-sonnet-20241022-v2:0", 6e-6, 3e-5],
    ["anthropic.claude-3-7-sonnet-20250219-v1:0", 3e-6, 1.5e-5],
    ["anthropic.claude-3-opus-20240229-v1:0", 1.5e-5, 7.5e-5],
    ["us.anthropic.claude-sonnet-4-20250514-v1:0", 3e-6, 1.5e-5],
    ["us.anthropic.claude-opus-4-1-20250805-v1:0", 1.5e-5, 7.5e-5],
    ["global.anthropic.claude-haiku-4-5-20251001-v1:0", 1e-6, 5e-6],
    ["global.anthropic.claude-opus-4-5-20251101-v1:0", 5e-6, 2.5e-5],
    ["global.anthropic.claude-sonnet-5", 2e-6, 1e-5],
    ["arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2:1", 8e-6, 2.4e-5],
    ["amazon.nova-micro-v1:0", 3.5e-8, 1.4e-7],
    ["us.amazon.nova-lite-v1:0", 6e-8, 2.4e-7],
    ["amazon.nova-pro-v1:0", 8e-7, 3.2e-6],
    ["amazon.nova-premier-v1:0", 2.5e-6, 1.25e-5],
    ["amazon.titan-text-premier-v1:0", 5e-7, 1.5e-6],
    ["us.meta.llama3-3-70b-instruct-v1:0", 7.2e-7, 7.2e-7],
    ["us.meta.llama4-maverick-17b-instruct-v1:0", 2.4e-7, 9.7e-7],
    ["mistral.mistral-large-2402-v1:0", 4e-6, 1.2e-5],
    ["mistral.mistral-small-2402-v1:0", 1e-6, 3e-6],
    ["mistral.mistral-large-3-675b-instruct", 5e-7, 1.5e-6],
    ["cohere.command-r-plus-v1:0", 3e-6, 1.5e-5],
    ["cohere.command-r-v1:0", 5e-7, 1.5e-6],
    ["ai21.jamba-1-5-large-v1:0", 2e-6, 8e-6],
    ["us.deepseek.r1-v1:0", 1.35e-6, 5.4e-6],
    ["openai.gpt-oss-120b-1:0", 1.5e-7, 6e-7],
  ];
  for (const [id, input, output] of known) {
    it(`prices ${id}`, () => {
      expect(priceOf(id)).toEqual({ input, output });
    });
  }

  it("bills Claude 4.5+ at the listed price only through the global profile, 10% more elsewhere", () => {
    expect(priceOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual({ input: 3e-6, output: 1.5e-5 });
    expect(priceOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toEqual({ input: 3.3e-6, output: 1.65e-5 });
    expect(priceOf("eu.anthropic.claude-haiku-4-5-20251001-v1:0")).toEqual({ input: 1.1e-6, output: 5.5e-6 });
    expect(
      priceOf("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-6-v1"),
    ).toEqual({ input: 5.5e-6, output: 2.75e-5 });
    // An in-region call is a regional route too.
    expect(priceOf("anthropic.claude-sonnet-4-6")).toEqual({ input: 3.3e-6, output: 1.65e-5 });
    expect(priceOf("global.amazon.nova-2-lite-v1:0")).toEqual({ input: 3e-7, output: 2.5e-6 });
    expect(priceOf("us.amazon.nova-2-lite-v1:0")).toEqual({ input: 3.3e-7, output: 2.75e-6 });
  });

  it("leaves older models at one price on every route", () => {
    expect(priceOf("global.anthropic.claude-sonnet-4-20250514-v1:0")).toEqual(
      priceOf("apac.anthropic.claude-sonnet-4-20250514-v1:0"),
    );
    expect(priceOf("eu.amazon.nova-pro-v1:0")).toEqual(priceOf("amazon.nova-pro-v1:0"));
  });

  it("lets custom prices win, each on its own", () => {
    const custom = { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 };
    expect(priceOf("anthropic.claude-3-haiku-20240307-v1:0", custom)).toEqual({ input: 1e-6, output: 2e-6 });
    expect(priceOf("anthropic.claude-3-haiku-20240307-v1:0", { output_cost_per_token: 0 })).toEqual({
      input: 2.5e-7,
      output: 0,
    });
    expect(priceOf("us.anthropic.claude-haiku-4-5-20251001-v1:0", { input_cost_per_token: 9e-7 })).toEqual({
      input: 9e-7,
      output: 5.5e-6,
    });
  });

  it("prices an unknown model from custom prices only when both are given", () => {
    expect(priceOf("my.custom-model", { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 })).toEqual({
      input: 1e-6,
      output: 2e-6,
    });
    expect(priceOf("my.custom-model", { input_cost_per_token: 1e-6 })).toBeUndefined();
  });

  it("ignores custom prices that are not finite non-negative numbers", () => {
    expect(
      priceOf("anthropic.claude-3-haiku-20240307-v1:0", { input_cost_per_token: Number.NaN, output_cost_per_token: -1 }),
    ).toEqual({ input: 2.5e-7, output: 1.25e-6 });
  });

  it("returns undefined for unknown models", () => {
    expect(priceOf("anthropic.claude-99-v1:0")).toBeUndefined();
    expect(priceOf("")).toBeUndefined();
    expect(priceOf("constructor")).toBeUndefined();
    expect(priceOf("toString")).toBeUndefined();
    // Application inference profiles hide the model behind an opaque id.
    expect(
      priceOf("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"),
    ).toBeUndefined();
  });
});

describe("costOf", () => {
  it("costs tokens at the table price without float noise", () => {
    expect(costOf("anthropic.claude-3-haiku-20240307-v1:0", 1000, 500)).toBe(0.000875);
    expect(costOf("us.anthropic.claude-3-5-sonnet-20241022-v2:0", 1_000_000, 1_000_000)).toBe(36);
    expect(costOf("amazon.nova-micro-v1:0", 1000, 1000)).toBe(0.000175);
    expect(costOf("meta.llama3-1-8b-instruct-v1:0", 3, 7)).toBe(0.0000022);
    expect(costOf("us.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 1_000_000)).toBe(19.8);
    expect(costOf("global.anthropic.claude-sonnet-4-5-20250929-v1:0", 1_000_000, 1_000_000)).toBe(18);
    expect(costOf("anthropic.claude-3-haiku-20240307-v1:0", 0, 0)).toBe(0);
  });

  it("uses custom prices", () => {
    expect(
      costOf("my.custom-model", 1_000_000, 500_000, { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 }),
    ).toBe(2);
    expect(costOf("anthropic.claude-3-haiku-20240307-v1:0", 1_000_000, 1_000_000, { output_cost_per_token: 0 })).toBe(
      0.25,
    );
  });

  it("returns undefined for unknown models", () => {
    expect(costOf("example.unknown-v1:0", 10, 10)).toBeUndefined();
    expect(costOf("example.unknown-v1:0", 10, 10, { input_cost_per_token: 1e-6 })).toBeUndefined();
  });
});
