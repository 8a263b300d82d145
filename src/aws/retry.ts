import { AbortError, AgentError, TimeoutError } from "../errors.ts";

export interface RetryPolicy {
  /** Retries after the first attempt (LiteLLM's `num_retries`). */
  retries: number;
  /** First backoff; each later one doubles, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 2, baseDelayMs: 250, maxDelayMs: 8000 };

/** Counts the attempts of one call and waits out the backoff between them. */
export class RetryBudget {
  #used = 0;
  readonly #policy: RetryPolicy;
  readonly #signals: CallSignals;

  constructor(
    policy: RetryPolicy,
    signals: CallSignals,
  ) {
    this.#policy = policy;
    this.#signals = signals;
  }

  /** Returns after the backoff when `error` may be retried; rethrows it otherwise. */
  async beforeRetry(error: unknown): Promise<void> {
    if (!(error instanceof AgentError) || !error.retryable || this.#used >= this.#policy.retries) throw error;
    const exponential = this.#policy.baseDelayMs * 2 ** this.#used;
    // Equal jitter: half fixed, half random, so callers that failed together spread out.
    let delay = Math.min(this.#policy.maxDelayMs, exponential / 2 + (Math.random() * exponential) / 2);
    if (error.retryAfter !== undefined) delay = Math.min(this.#policy.maxDelayMs, Math.max(delay, error.retryAfter * 1000));
    this.#used++;
    await sleep(delay, this.#signals);
  }
}

/** The caller's signal, the timeout and the stream's own cancel, combined into one. */
export class CallSignals {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #timeout: AbortSignal | undefined;

  constructor(caller: AbortSignal | undefined, timeoutSeconds: number | undefined) {
    this.#timeout = timeoutSeconds === undefined ? undefined : AbortSignal.timeout(Math.max(0, timeoutSeconds * 1000));
    for (const source of [caller, this.#timeout]) {
      if (!source) continue;
      if (source.aborted) this.#controller.abort(source.reason);
      else source.addEventListener("abort", () => this.#controller.abort(source.reason), { once: true });
    }
    this.signal = this.#controller.signal;
  }

  /** Aborts the call from our side (a stream the consumer cancelled). */
  cancel(): void {
    this.stopIdleTimer();
    this.#controller.abort(new AbortError("The stream was cancelled"));
  }

  #idleMs = 0;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #lastRead = 0;

  /** Aborts the call when the agent sends nothing for `seconds`; `touch()` on every byte read. */
  startIdleTimer(seconds: number | undefined): void {
    this.#idleMs = seconds === undefined ? 0 : Math.max(1, seconds * 1000);
    if (this.#idleMs === 0 || this.signal.aborted) return;
    this.touch();
    this.#armIdleTimer(this.#idleMs);
  }

  /** A read: only a time noted, so that a busy stream makes no timer per read. */
  touch(): void {
    this.#lastRead = performance.now();
  }

  /** The call is over: no timer may outlive it. */
  stopIdleTimer(): void {
    this.#idleMs = 0;
    clearTimeout(this.#idleTimer);
  }

  // One timer at a time: when it fires early (reads came since), it waits out the rest.
  #armIdleTimer(ms: number): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      if (this.#idleMs === 0 || this.signal.aborted) return;
      const idle = performance.now() - this.#lastRead;
      if (idle < this.#idleMs) return this.#armIdleTimer(this.#idleMs - idle);
      this.#controller.abort(
        new TimeoutError(`The agent sent nothing for ${this.#idleMs / 1000} s (idle_timeout)`, { code: "idle_timeout" }),
      );
    }, ms);
  }

  /**
   * Waits for `work`, but gives up as soon as this call is aborted or times out. The work
   * itself goes on: it may be shared (a credential refresh other calls wait on too).
   */
  until<T>(work: Promise<T>): Promise<T> {
    if (this.signal.aborted) return Promise.reject(this.abortError());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.abortError());
      this.signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => this.signal.removeEventListener("abort", onAbort));
    });
  }

  /** The error to report when the signal fired, or undefined when it has not. */
  abortError(): AgentError | undefined {
    if (!this.signal.aborted) return undefined;
    if (this.#timeout?.aborted) return new TimeoutError("The call to the agent timed out", { code: "timeout" });
    if (this.signal.reason instanceof AgentError) return this.signal.reason;
    return new AbortError("The call to the agent was aborted by the caller", { code: "aborted" });
  }
}

function sleep(ms: number, signals: CallSignals): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signals.abortError());
    };
    const timer = setTimeout(() => {
      signals.signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signals.signal.aborted) onAbort();
    else signals.signal.addEventListener("abort", onAbort, { once: true });
  });
}
