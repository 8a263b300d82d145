// A key's limits (LiteLLM's rpm_limit, tpm_limit, max_parallel_requests, max_budget with
// budget_duration) as counters of the shared store: admitted together before AWS is called,
// settled when the answer ends with what it used.
import type { ApiKey, KeyLimits } from "../config.ts";
import type { CounterStore, Gate } from "./counter-store.ts";
import { BudgetExceededError, KeyRateLimitError } from "./limit-errors.ts";

const MINUTE = 60_000;
/** A slot a crashed server never gave back frees itself after this long without requests. */
const PARALLEL_TTL = 15 * MINUTE;
const FOREVER = 10 * 365 * 86_400_000;

export interface KeyAdmission {
  /** `x-ratelimit-*` for the answer. */
  headers: Record<string, string>;
  /** Counts what the answer used (tokens, USD) and frees its parallel slot; once. */
  settle(tokens: number, cost: number | null): Promise<unknown>;
}

type Kind = "budget" | "rpm" | "tpm" | "parallel";

/** Admits one request of `key`, or throws the refusal (429, or 400 budget_exceeded). */
export async function admitKey(store: CounterStore, key: ApiKey & { limits: KeyLimits }, now = Date.now()): Promise<KeyAdmission> {
  const { limits } = key;
  const owner = `key:${key.sha256.slice(0, 16)}`;
  const minute = Math.floor(now / MINUTE);
  const toMinuteEnd = (minute + 1) * MINUTE - now;
  const period = limits.budgetSeconds === undefined ? undefined : limits.budgetSeconds * 1000;
  const periodIndex = period === undefined ? 0 : Math.floor(now / period);
  const spendTtl = period === undefined ? FOREVER : (periodIndex + 1) * period - now + MINUTE;
  const kinds: Kind[] = [];
  const gates: Gate[] = [];
  const gate = (kind: Kind, limit: number | undefined, name: string, add: number, ttlMs: number) => {
    if (limit === undefined) return;
    kinds.push(kind);
    gates.push({ key: `${owner}|${name}`, limit, add, ttlMs });
  };
  gate("budget", limits.maxBudget, `spend|${periodIndex}`, 0, spendTtl);
  gate("rpm", limits.rpmLimit, `rpm|${minute}`, 1, toMinuteEnd + 1000);
  gate("tpm", limits.tpmLimit, `tpm|${minute}`, 0, toMinuteEnd + 1000);
  gate("parallel", limits.maxParallelRequests, "parallel", 1, PARALLEL_TTL);

  const { refused, values } = await store.admit(gates);
  const value = (kind: Kind) => values[kinds.indexOf(kind)] ?? 0;
  const headers: Record<string, string> = {};
  if (limits.rpmLimit !== undefined) {
    headers["x-ratelimit-limit-requests"] = String(limits.rpmLimit);
    headers["x-ratelimit-remaining-requests"] = String(Math.max(0, limits.rpmLimit - value("rpm") - (refused < 0 ? 1 : 0)));
  }
  if (limits.tpmLimit !== undefined) {
    headers["x-ratelimit-limit-tokens"] = String(limits.tpmLimit);
    headers["x-ratelimit-remaining-tokens"] = String(Math.max(0, limits.tpmLimit - value("tpm")));
  }
  if (refused >= 0) throw refusal(key, kinds[refused]!, value(kinds[refused]!), headers, { now, toMinuteEnd, periodEnd: period === undefined ? undefined : (periodIndex + 1) * period });

  let settled: Promise<unknown> | undefined;
  return {
    headers,
    settle(tokens, cost) {
      const at = Date.now();
      const changes = [];
      if (limits.tpmLimit !== undefined && tokens > 0) {
        const m = Math.floor(at / MINUTE);
        changes.push({ key: `${owner}|tpm|${m}`, add: tokens, ttlMs: (m + 1) * MINUTE - at + 1000 });
      }
      if (limits.maxBudget !== undefined && cost) changes.push({ key: `${owner}|spend|${periodIndex}`, add: cost, ttlMs: spendTtl });
      if (limits.maxParallelRequests !== undefined) changes.push({ key: `${owner}|parallel`, add: -1, ttlMs: PARALLEL_TTL });
      settled ??= changes.length > 0 ? store.add(changes) : Promise.resolve();
      return settled;
    },
  };
}

function refusal(key: ApiKey & { limits: KeyLimits }, kind: Kind, value: number, headers: Record<string, string>, at: { now: number; toMinuteEnd: number; periodEnd: number | undefined }) {
  const { limits } = key;
  const who = `API key "${key.name}"`;
  if (kind === "budget") {
    const resets = at.periodEnd === undefined ? "it does not reset (no budget_duration)" : `it resets at ${new Date(at.periodEnd).toISOString()}`;
    const period = limits.budgetDuration === undefined ? "" : ` per ${limits.budgetDuration}`;
    return new BudgetExceededError(
      `Budget has been exceeded for ${who}: spent $${round(value)} of max_budget $${limits.maxBudget}${period}; ${resets}`,
      { code: "budget_exceeded" },
    );
  }
  const retryAfter = kind === "parallel" ? 1 : Math.ceil(at.toMinuteEnd / 1000);
  const what =
    kind === "rpm"
      ? `rpm_limit is ${limits.rpmLimit} requests a minute, all used`
      : kind === "tpm"
        ? `tpm_limit is ${limits.tpmLimit} tokens a minute, ${Math.round(value)} used`
        : `max_parallel_requests is ${limits.maxParallelRequests}, all in flight`;
  return new KeyRateLimitError(`Rate limit reached for ${who}: ${what}; retry after ${retryAfter} s`, { code: `${kind}_limit_exceeded`, retryAfter }, headers);
}

function round(usd: number): string {
  return usd.toFixed(usd < 1 ? 6 : 2).replace(/\.?0+$/, "");
}
