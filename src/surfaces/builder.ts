// What the Responses and Messages builders share: events gathered per batch of parts, and the
// parts every surface treats alike (files, traces, usage, the finish, an error).
import type { AgentError } from "../errors.ts";
import type { AgentAnswer, AgentFile, AgentPart, FinishReason } from "../parts.ts";
import type { UsageTally } from "../usage.ts";
import type { EventBuilder } from "./batches.ts";

export abstract class AnswerBuilder<E> implements EventBuilder<E> {
  /** The events since the last `take()`. */
  protected events: E[] = [];
  protected finish: FinishReason = "stop";
  protected readonly files: AgentFile[] = [];
  protected readonly traces: unknown[] = [];
  #started = false;

  constructor(
    protected readonly answer: AgentAnswer,
    protected readonly tally: UsageTally,
  ) {}

  /** The events of one batch of parts (the first batch opens the answer). */
  batch(parts: AgentPart[]): E[] {
    this.start();
    for (const part of parts) {
      switch (part.type) {
        case "file":
          this.files.push(part.file);
          break;
        case "trace":
          this.traces.push(part.trace);
          break;
        case "usage":
          this.tally.add(part);
          break;
        case "finish":
          this.finish = part.reason;
          break;
        case "error":
          throw part.error;
        default:
          this.part(part);
      }
    }
    return this.take();
  }

  /** The closing events. */
  abstract end(): E[];
  /** An error mid-answer, as the surface's clients raise it. */
  abstract fail(error: AgentError): E[];
  /** The opening events, once, before anything else. */
  protected abstract begin(): void;
  /** The parts only this surface has a shape for. */
  protected abstract part(part: Exclude<AgentPart, { type: "file" | "trace" | "usage" | "finish" | "error" }>): void;

  protected start(): void {
    if (this.#started) return;
    this.#started = true;
    this.begin();
  }

  protected take(): E[] {
    const events = this.events;
    this.events = [];
    return events;
  }
}
