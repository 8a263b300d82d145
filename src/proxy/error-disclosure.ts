// What a caller of the endpoint sees of a failure, and what the server's log keeps of it. AWS's
// own text names accounts, users, roles and policies: it is the operator's. The master key sees
// it (scrubbed of secrets, as everything is); other callers see the error's type, AWS's code, the
// status and AWS's request id; the log keeps the whole text, once per failure.
import type { Context } from "hono";
import type { AgentError } from "../errors.ts";
import type { Caller } from "./auth.ts";
import type { SseSource } from "./sse.ts";

/** Whether the caller may read AWS's own text: the master key only (with open access, nobody). */
export function seesAwsText(c: Context): boolean {
  return (c.get("caller") as Caller | undefined)?.admin === true;
}

/**
 * The server's log of failures, each logged once however many ways it travels (an error part,
 * then the stream's failure, then the error event). It logs 5xx, and every error that quotes
 * AWS whatever its status: a 403 or 401 from AWS is the operator's to fix (a policy, a role's
 * trust, a key), and the caller no longer sees AWS's text, so the log is the one place that has it.
 * Callers' own mistakes (bad JSON, an unknown model) are theirs to read, and would flood it.
 */
export class FailureLog {
  readonly #logged = new WeakSet<AgentError>();

  constructor(private readonly write: (line: string) => void) {}

  /** Logs a failure unless it was already; `original`: what was thrown, when it was not an AgentError. */
  log(error: AgentError, original: unknown = error): void {
    if (this.#logged.has(error)) return;
    this.#logged.add(error);
    if (error.status < 500 && error.awsMessage === undefined) return;
    const thrown = original === error ? "" : ` (${original instanceof Error ? original.name : typeof original})`;
    const requestId = error.requestId ? ` aws-request-id=${error.requestId}` : "";
    this.write(`[bedrock-agents-openai] ${error.status} ${error.name}: ${error.message}${thrown}${requestId}`);
  }

  /** Logs a failure, and gives what the caller sees of it: `withoutAwsText()` unless it is trusted. */
  shown(error: AgentError, trusted: boolean, original: unknown = error): AgentError {
    this.log(error, original);
    if (trusted) return error;
    const summary = error.withoutAwsText();
    this.#logged.add(summary); // the same failure: logged above, with AWS's text
    return summary;
  }

  /** A surface's SSE answer whose error event shows what the caller may see, the failure logged. */
  source(source: SseSource, trusted: boolean): SseSource {
    return {
      next: () => source.next(),
      error: (failure) => source.error(this.shown(failure, trusted)),
      done: source.done,
      keepAlive: source.keepAlive,
      cancel: () => source.cancel(),
    };
  }
}
