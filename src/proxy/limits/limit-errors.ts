// How a refusal by a limit reads: LiteLLM's statuses and types, and the rate-limit headers its
// clients (and OpenAI's) read.
import { AgentError, type AgentErrorOptions, RateLimitError, ServiceUnavailableError } from "../../errors.ts";

/** A 429 for a key's rpm_limit, tpm_limit or max_parallel_requests, with `x-ratelimit-*` headers. */
export class KeyRateLimitError extends RateLimitError {
  constructor(
    message: string,
    options: AgentErrorOptions,
    readonly headers: Record<string, string>,
  ) {
    super(message, options);
  }
}

/** A key's max_budget spent: LiteLLM answers 400 with type budget_exceeded. */
export class BudgetExceededError extends AgentError {
  override readonly name = "BudgetExceededError";
  override readonly status = 400;
  override readonly type = "budget_exceeded";
}

/** The store that counts limits could not be reached, and limits_fail_open is not set. */
export function limitsUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError(
    "Rate limits and budgets cannot be checked right now (their store is unreachable), so the request was refused; try again shortly",
    { code: "limits_unavailable", retryAfter: 1 },
  );
}
