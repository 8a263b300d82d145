// InvokeAgent events → parts: text decoded as UTF-8 across chunks (a character may be split
// between two of them), citations placed in the text, traces read for usage, reasoning,
// guardrails and failures, a return of control turned into tool calls.
import type { Batches } from "../../batches.ts";
import { awsError } from "../../errors.ts";
import type { AgentPart, FinishReason } from "../../parts.ts";
import { type PartsReader, partsFrom, readEach } from "../parts-from.ts";
import { pushTrace } from "../trace-redaction.ts";
import { CitationIndexer } from "./citations.ts";
import type { TracePart } from "../../raw-types.ts";
import type { AgentEvent } from "./events.ts";
import type { ClassicToolCall } from "./tool-calls.ts";
import { UsageMeter } from "./usage.ts";

export interface PartsOptions {
  includeReasoning: boolean;
  includeTraces: boolean;
  includeCitations: boolean;
  /** A returnControl event → tool calls whose ids carry the session and invocation. */
  toolCalls: (returnControl: Record<string, unknown>) => Promise<ClassicToolCall[]>;
}

/**
 * The parts of an answer, a batch per batch of events (a network read). Usage comes per model
 * at the end, settled, then `finish`; a failure is an `error` part after what the agent said
 * before it.
 */
export function toParts(events: Batches<AgentEvent>, options: PartsOptions): Batches<AgentPart> {
  return partsFrom(events, new EventReader(options));
}

class EventReader implements PartsReader<AgentEvent> {
  #finishReason: FinishReason = "stop";
  readonly #decoder = new TextDecoder();
  readonly #meter = new UsageMeter();
  readonly #citations = new CitationIndexer();
  #reasoningSent = false;

  readonly #options: PartsOptions;

  constructor(options: PartsOptions) {
    this.#options = options;
  }

  /** Synchronous but for a return of control, whose tool call ids are signed: no await per chunk. */
  read(batch: AgentEvent[], out: AgentPart[]): Promise<void> | undefined {
    return readEach(batch, (event) => this.#event(event, out));
  }

  end(out: AgentPart[]): void {
    const rest = this.#decoder.decode();
    if (rest) this.#text(rest, out);
    out.push(...this.#meter.settle(), { type: "finish", reason: this.#finishReason });
  }

  #event(event: AgentEvent, out: AgentPart[]): Promise<void> | undefined {
    switch (event.type) {
      case "chunk": {
        const text = this.#decoder.decode(event.bytes, { stream: true });
        if (text) this.#text(text, out);
        const citations = event.attribution?.citations;
        if (citations?.length) {
          out.push(...this.#citations.parts(citations));
          if (this.#options.includeCitations) for (const citation of citations) out.push({ type: "raw-citation", citation });
        }
        this.#citations.done();
        return undefined;
      }
      case "trace":
        this.#trace(event.trace, out);
        return undefined;
      case "returnControl":
        this.#finishReason = "tool-calls";
        return this.#options.toolCalls(event.returnControl).then((calls) => {
          for (const call of calls) {
            out.push(
              { type: "tool-call-start", id: call.id, name: call.name },
              { type: "tool-call-delta", id: call.id, delta: call.arguments },
              { type: "tool-call-end", id: call.id },
            );
          }
        });
      case "files":
        for (const file of event.files) out.push({ type: "file", file });
        return undefined;
    }
  }

  #text(text: string, out: AgentPart[]): void {
    this.#citations.append(text);
    out.push({ type: "text-delta", text });
  }

  #trace(part: TracePart, out: AgentPart[]): void {
    this.#meter.add(part);
    if (this.#options.includeTraces) pushTrace(out, part, this.#options.includeReasoning);
    const steps = part.trace ?? {};
    const failure = steps.failureTrace as { failureReason?: string; failureCode?: number } | undefined;
    if (failure) {
      const code = failure.failureCode;
      const status = typeof code === "number" && code >= 400 && code < 600 ? code : 500;
      const reason = failure.failureReason ?? "no reason given";
      throw awsError(undefined, status, `The agent failed: ${reason}`, { awsMessage: reason, summaryLead: "The agent failed" });
    }
    const orchestration = steps.orchestrationTrace as { invocationInput?: { knowledgeBaseLookupInput?: unknown } } | undefined;
    if (orchestration?.invocationInput?.knowledgeBaseLookupInput !== undefined) this.#citations.expect();
    if ((steps.guardrailTrace as { action?: string } | undefined)?.action === "INTERVENED") {
      this.#finishReason = "content-filter";
    }
    if (!this.#options.includeReasoning) return;
    const texts: string[] = [];
    for (const step of Object.values(steps)) {
      const reasoning = (step?.modelInvocationOutput?.reasoningContent as { reasoningText?: { text?: unknown } } | undefined)
        ?.reasoningText?.text;
      const rationale = (step?.rationale as { text?: unknown } | undefined)?.text;
      for (const text of [reasoning, rationale]) if (typeof text === "string" && text) texts.push(text);
    }
    if (texts.length > 0) {
      // Pieces are separated as paragraphs, also when a client concatenates the deltas.
      out.push({ type: "reasoning-delta", text: (this.#reasoningSent ? "\n\n" : "") + texts.join("\n\n") });
      this.#reasoningSent = true;
    }
  }
}
