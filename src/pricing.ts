import type { CustomPrices } from "./types.ts";

/**
 * Amazon Bedrock on-demand prices (Standard tier, US regions), USD per million tokens, read
 * 2026-11-25. The authority is https://aws.amazon.com/bedrock/pricing/, which renders its prices
 * client-side; each block names the public copy or source its rows were read from.
 *
 * A row is [input, output] or [input, output, 1]. The 1 marks models AWS sells in two routes: the
 * Global profile (`global.`) at the listed price, and every other route (a geo profile such as
 * `us.` or `eu.`, or an in-region call) at 10% more. That is Claude 4.5 and later, and Nova 2.
 * Retired models keep their last listed price, so old traces still cost out. Not modelled: cache
 * reads and writes, batch/flex/priority tiers, long-context (>200k) rates of Sonnet 4 and 4.5,
 * and non-US regional prices (GovCloud included).
 */
const PRICES: Readonly<Record<string, readonly [input: number, output: number, regional?: 1]>> = {
  // Anthropic: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "anthropic.claude-fable-5": [10, 50, 1],
  "anthropic.claude-fable-5-1": [10, 50, 1],
  "anthropic.claude-sonnet-5": [2, 10, 1],
  "anthropic.claude-opus-4-8": [5, 25, 1],
  "anthropic.claude-opus-4-7": [5, 25, 1],
  "anthropic.claude-sonnet-4-6": [3, 15, 1],
  "anthropic.claude-opus-4-6-v1": [5, 25, 1],
  "anthropic.claude-opus-4-5-20251101-v1": [5, 25, 1],
  "anthropic.claude-sonnet-4-5-20250929-v1": [3, 15, 1],
  "anthropic.claude-haiku-4-5-20251001-v1": [1, 5, 1],
  "anthropic.claude-opus-4-1-20250805-v1": [15, 75],
  "anthropic.claude-sonnet-4-20250514-v1": [3, 15],
  // Anthropic, Sonnet 5.5: https://github.com/BerriAI/litellm/discussions/43590
  "anthropic.claude-sonnet-5-5": [2, 10, 1],
  // Anthropic, Opus 5: https://github.com/anomalyco/models.dev/blob/HEAD/providers/amazon-bedrock/models/jp.anthropic.claude-opus-5.toml
  "anthropic.claude-opus-5": [5, 25, 1],
  // Anthropic, earlier models: https://github.com/Aditya-Poddar/bedrock-pricing/blob/HEAD/js/config/pricing-data.js
  "anthropic.claude-opus-4-20250514-v1": [15, 75],
  "anthropic.claude-3-7-sonnet-20250219-v1": [3, 15],
  "anthropic.claude-3-5-haiku-20241022-v1": [0.8, 4],
  "anthropic.claude-3-opus-20240229-v1": [15, 75],
  "anthropic.claude-3-sonnet-20240229-v1": [3, 15],
  "anthropic.claude-3-haiku-20240307-v1": [0.25, 1.25],
  "anthropic.claude-v2": [8, 24],
  "anthropic.claude-instant-v1": [0.8, 2.4],
  // Anthropic, 3.5 Sonnet extended-access price from 2025-12-01: https://github.com/posit-dev/positron/issues/9339 (v1), https://github.com/Helicone/helicone/pull/5709 (v2)
  "anthropic.claude-3-5-sonnet-20240620-v1": [6, 30],
  "anthropic.claude-3-5-sonnet-20241022-v2": [6, 30],

  // Amazon Nova: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "amazon.nova-micro-v1": [0.035, 0.14],
  "amazon.nova-lite-v1": [0.06, 0.24],
  "amazon.nova-pro-v1": [0.8, 3.2],
  "amazon.nova-premier-v1": [2.5, 12.5],
  "amazon.nova-2-lite-v1": [0.3, 2.5, 1],
  // Amazon Titan Text: https://github.com/Aditya-Poddar/bedrock-pricing/blob/HEAD/js/config/pricing-data.js
  "amazon.titan-text-premier-v1": [0.5, 1.5],
  "amazon.titan-text-express-v1": [0.2, 0.6],
  "amazon.titan-text-lite-v1": [0.15, 0.2],

  // Meta: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "meta.llama4-maverick-17b-instruct-v1": [0.24, 0.97],
  "meta.llama4-scout-17b-instruct-v1": [0.17, 0.66],
  "meta.llama3-3-70b-instruct-v1": [0.72, 0.72],
  "meta.llama3-2-90b-instruct-v1": [0.72, 0.72],
  "meta.llama3-2-11b-instruct-v1": [0.16, 0.16],
  "meta.llama3-2-3b-instruct-v1": [0.15, 0.15],
  "meta.llama3-2-1b-instruct-v1": [0.1, 0.1],
  "meta.llama3-1-405b-instruct-v1": [2.4, 2.4],
  "meta.llama3-1-70b-instruct-v1": [0.72, 0.72],
  "meta.llama3-1-8b-instruct-v1": [0.22, 0.22],
  "meta.llama3-70b-instruct-v1": [2.65, 3.5],
  "meta.llama3-8b-instruct-v1": [0.3, 0.6],

  // Mistral AI: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "mistral.mistral-large-3-675b-instruct": [0.5, 1.5],
  "mistral.magistral-small-2509": [0.5, 1.5],
  "mistral.devstral-2-123b": [0.4, 2],
  "mistral.ministral-3-14b-instruct": [0.2, 0.2],
  "mistral.ministral-3-8b-instruct": [0.15, 0.15],
  "mistral.ministral-3-3b-instruct": [0.1, 0.1],
  "mistral.pixtral-large-2502-v1": [2, 6],
  // Mistral AI, 2024 models: https://github.com/ScrapeGraphAI/Scrapegraph-ai/blob/HEAD/scrapegraphai/utils/model_costs.py
  "mistral.mistral-large-2402-v1": [4, 12],
  "mistral.mistral-small-2402-v1": [1, 3],
  "mistral.mixtral-8x7b-instruct-v0": [0.45, 0.7],
  "mistral.mistral-7b-instruct-v0": [0.15, 0.2],

  // Cohere: https://github.com/convo-lang/convo-lang/blob/HEAD/packages/convo-lang-bedrock/bedrock-pricing.md
  "cohere.command-r-plus-v1": [3, 15],
  "cohere.command-r-v1": [0.5, 1.5],

  // AI21 Labs: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "ai21.jamba-1-5-large-v1": [2, 8],
  "ai21.jamba-1-5-mini-v1": [0.2, 0.4],
  "ai21.jamba-instruct-v1": [0.5, 0.7],

  // DeepSeek: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "deepseek.r1-v1": [1.35, 5.4],
  "deepseek.v3.2": [0.62, 1.85],

  // OpenAI open-weight: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "openai.gpt-oss-120b-1": [0.15, 0.6],
  "openai.gpt-oss-20b-1": [0.07, 0.3],

  // Google Gemma: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "google.gemma-3-27b-it": [0.23, 0.38],
  "google.gemma-3-12b-it": [0.09, 0.29],
  "google.gemma-3-4b-it": [0.04, 0.08],

  // MiniMax: https://github.com/aws/agent-toolkit-for-aws/blob/main/plugins/aws-startup-advisor/skills/agent-advisor/references/vendored/ai/bedrock-pricing-cache.md
  "minimax.minimax-m2": [0.3, 1.2],
  "minimax.minimax-m2.1": [0.3, 1.2],
  "minimax.minimax-m2.5": [0.3, 1.2],

  // Writer: https://github.com/BerriAI/litellm/blob/HEAD/model_prices_and_context_window.json
  "writer.palmyra-x5-v1": [0.6, 6],
  "writer.palmyra-x4-v1": [2.5, 10],
};

/** Per-token USD prices in LiteLLM's names; each one given wins over the table. */

// Cross-region inference profile prefixes; `global.` is the one billed at the listed price.
const PROFILE = /^(global|us-gov|us|eu|apac|jp|au|ca|in)\./;
// Rates are kept as integer USD per 1e10 tokens (per-million price x 1000, x 10 or x 11 for the
// regional premium), so a cost is one exact integer sum and one division: no float noise.
const SCALE = 1e10;

// Anthropic's own API ids, as a model's raw response names itself, → the table's Bedrock keys:
// `claude-3-5-sonnet-20241022` is `anthropic.claude-3-5-sonnet-20241022-v2`, and an undated
// alias (`claude-sonnet-4-5`, `claude-3-5-sonnet-latest`, `claude-opus-4-0`) its newest snapshot.
const ANTHROPIC_API_IDS = anthropicApiIds();

function anthropicApiIds(): Map<string, string> {
  const ids = new Map<string, string>([
    // Claude 2's API ids share nothing with Bedrock's.
    ["claude-2.1", "anthropic.claude-v2"],
    ["claude-2.0", "anthropic.claude-v2"],
    ["claude-instant-1.2", "anthropic.claude-instant-v1"],
  ]);
  const newest = new Map<string, { date: string; key: string }>();
  for (const key of Object.keys(PRICES)) {
    const id = /^anthropic\.(claude-.+?)(?:-v\d+)?$/.exec(key)?.[1];
    if (!id) continue;
    ids.set(id, key);
    const [, base, date] = /^(.+)-(\d{8})$/.exec(id) ?? [];
    if (!base || !date) continue;
    const seen = newest.get(base);
    if (!seen || seen.date < date) newest.set(base, { date, key });
  }
  for (const [base, { key }] of newest) {
    for (const alias of [base, `${base}-latest`, `${base}-0`]) if (!ids.has(alias)) ids.set(alias, key);
  }
  return ids;
}

function parse(modelId: string): { key: string; global: boolean } {
  let id = modelId.trim().toLowerCase();
  // Foundation-model and inference-profile ARNs end in `/<model or profile id>`.
  if (id.startsWith("arn:")) id = id.slice(id.lastIndexOf("/") + 1);
  // `:0` versions and `:200k`-like context variants, then a `[1m]`-like context tag.
  id = id.split(":")[0]!.replace(/\[[^\]]*\]$/, "");
  const profile = PROFILE.exec(id);
  if (profile) id = id.slice(profile[0].length);
  // Newer Claude ids come both with and without a trailing `-v1`.
  const key =
    [id, id.replace(/-v\d+$/, ""), `${id}-v1`].find((k) => Object.hasOwn(PRICES, k)) ??
    ANTHROPIC_API_IDS.get(id.replace(/^anthropic\./, "").replace(/-v\d+$/, "")) ??
    id;
  return { key, global: profile?.[1] === "global" };
}

/**
 * The price-table key for a model id, cross-region profile id, model/profile ARN, or Anthropic
 * API id (`claude-3-5-sonnet-20240620`, as a raw model response names the model).
 */
export function normalizeModelId(id: string): string {
  return parse(id).key;
}

function scaledRates(modelId: string): [number, number] | undefined {
  const { key, global } = parse(modelId);
  const row = Object.hasOwn(PRICES, key) ? PRICES[key] : undefined;
  if (!row) return undefined;
  const factor = row[2] && !global ? 11 : 10;
  return [Math.round(row[0] * 1000) * factor, Math.round(row[1] * 1000) * factor];
}

function valid(price: number | undefined): number | undefined {
  return typeof price === "number" && Number.isFinite(price) && price >= 0 ? price : undefined;
}

/** USD per token; custom prices win. Undefined when neither the table nor `custom` has both. */
export function priceOf(
  modelId: string,
  custom?: CustomPrices,
): { input: number; output: number } | undefined {
  const rates = scaledRates(modelId);
  const input = valid(custom?.input_cost_per_token) ?? (rates && rates[0] / SCALE);
  const output = valid(custom?.output_cost_per_token) ?? (rates && rates[1] / SCALE);
  return input === undefined || output === undefined ? undefined : { input, output };
}

/** USD for one model's token usage; undefined when the model's price is unknown. */
export function costOf(
  modelId: string,
  inputTokens: number,
  outputTokens: number,
  custom?: CustomPrices,
): number | undefined {
  if (valid(custom?.input_cost_per_token) === undefined && valid(custom?.output_cost_per_token) === undefined) {
    const rates = scaledRates(modelId);
    return rates && (inputTokens * rates[0] + outputTokens * rates[1]) / SCALE;
  }
  const price = priceOf(modelId, custom);
  return price && inputTokens * price.input + outputTokens * price.output;
}
