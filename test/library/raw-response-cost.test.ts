// Cost of answers whose traces name no foundationModel (every trace before mid-2025): the model
// read from each call's raw response, end to end against the emulator. Runs under Node and workerd.
import { describe, expect, inject, it } from "vitest";
import { BedrockAgentClient, costOf } from "../../src/index.ts";
import { normalizeModelId } from "../../src/pricing.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  COLLABORATOR_MODEL,
  DEMO_MODEL,
  RAW_RESPONSE_TEXT,
  USAGE_RAW_RESPONSE_MIXED_BY_MODEL,
  USAGE_RAW_RESPONSE_MODEL_BY_MODEL,
  USAGE_RAW_RESPONSE_TEXT_USAGE,
  type TokenUsage,
} from "../emulator/scenarios.ts";

const emulatorUrl = inject("emulatorUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
  retry_base_delay_ms: 5,
});

/** Cost, usage and models of a scenario's answer, streamed or not. */
async function answer(scenario: string, stream: boolean) {
  const params = { model, messages: [{ role: "user" as const, content: "A quote for a Corolla?" }], api_base: `${emulatorUrl}/scenario/${scenario}` };
  if (stream) {
    const chunks = await client.completion({ ...params, stream: true, stream_options: { include_usage: true } });
    let text = "";
    let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
    for await (const chunk of chunks) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    return { text, usage, hidden: chunks._hidden_params };
  }
  const response = await client.completion(params);
  return { text: response.choices[0]!.message.content, usage: response.usage, hidden: response._hidden_params };
}

/** The cost as the price table says, for usage per Bedrock model id. */
function tableCost(byModel: Readonly<Record<string, TokenUsage>>): number {
  return Object.entries(byModel).reduce((sum, [id, usage]) => sum + costOf(id, usage.inputTokens, usage.outputTokens)!, 0);
}

function total(byModel: Readonly<Record<string, TokenUsage>>): { prompt_tokens: number; completion_tokens: number } {
  const usages = Object.values(byModel);
  return {
    prompt_tokens: usages.reduce((sum, usage) => sum + usage.inputTokens, 0),
    completion_tokens: usages.reduce((sum, usage) => sum + usage.outputTokens, 0),
  };
}

describe("cost when no trace step names the model", () => {
  for (const stream of [false, true]) {
    const how = stream ? "streamed" : "not streamed";

    it(`prices each call with the model its raw response names (${how})`, async () => {
      const { text, usage, hidden } = await answer("usage-raw-response-model", stream);
      expect(text).toBe(RAW_RESPONSE_TEXT);
      expect(usage).toMatchObject(total(USAGE_RAW_RESPONSE_MODEL_BY_MODEL));
      // Sonnet 3.5 (June 2024) at $6/$30 and Haiku 3 at $0.25/$1.25 per million tokens.
      expect(hidden.response_cost).toBeCloseTo(tableCost(USAGE_RAW_RESPONSE_MODEL_BY_MODEL), 12);
      expect(hidden.response_cost).toBeCloseTo((3200 * 6 + 290 * 30 + 900 * 0.25 + 120 * 1.25) / 1e6, 12);
      expect(hidden.foundation_models.map(normalizeModelId)).toEqual([DEMO_MODEL, COLLABORATOR_MODEL].map(normalizeModelId));
    });

    it(`is null when nothing names the model: plain text, Converse JSON (${how})`, async () => {
      const { usage, hidden } = await answer("usage-raw-response-text", stream);
      expect(usage).toMatchObject({
        prompt_tokens: USAGE_RAW_RESPONSE_TEXT_USAGE.inputTokens,
        completion_tokens: USAGE_RAW_RESPONSE_TEXT_USAGE.outputTokens,
      });
      expect(hidden.response_cost).toBeNull();
      expect(hidden.foundation_models).toEqual([]);
    });

    it(`takes a step's model, else its raw response's, else its agent's other calls (${how})`, async () => {
      const { usage, hidden } = await answer("usage-raw-response-mixed", stream);
      expect(usage).toMatchObject(total(USAGE_RAW_RESPONSE_MIXED_BY_MODEL));
      expect(hidden.response_cost).toBeCloseTo(tableCost(USAGE_RAW_RESPONSE_MIXED_BY_MODEL), 12);
      // The step's own id is kept as it was written; the one read from a raw response is the table's.
      expect(hidden.foundation_models).toEqual([DEMO_MODEL, normalizeModelId(COLLABORATOR_MODEL)]);
    });
  }
});
