// InvokeHarness events → parts. The client's own tools (inline functions) become tool calls;
// the tools the harness runs itself appear as a line of reasoning, never as a call to answer.
import type { StreamEvent } from "../../aws/event-stream.ts";
import type { Batches } from "../../batches.ts";
import { BadGatewayError, PermissionDeniedError } from "../../errors.ts";
import type { AgentPart, FinishReason } from "../../parts.ts";
import { tokenCount } from "../../usage.ts";
import { type PartsReader, partsFrom, readEach } from "../parts-from.ts";
import { pushTrace } from "../trace-redaction.ts";
import type { HarnessCallIds } from "./tool-call-ids.ts";

export interface HarnessPartsOptions {
  sessionId: string;
  /** The names of the client's function tools. */
  clientTools: ReadonlySet<string>;
  ids: HarnessCallIds;
  includeReasoning: boolean;
  includeTraces: boolean;
  /** The model the config names, which prices the usage; undefined: unknown. */
  model: string | undefined;
  /** Where the harness's own stop reason goes when it is a limit. */
  outcome: { stopReason?: string };
}

const LENGTH = new Set(["max_tokens", "max_output_tokens_exceeded", "model_context_window_exceeded", "max_iterations_exceeded", "timeout_exceeded", "interrupted", "partial_turn"]);
const MALFORMED = new Set(["malformed_model_output", "malformed_tool_use"]);

interface Block {
  kind: "client-tool" | "server-tool" | "other";
  id?: string;
}

/** The parts of a harness's answer, a batch per network read. */
export function harnessParts(events: Batches<StreamEvent>, options: HarnessPartsOptions): Batches<AgentPart> {
  return partsFrom(events, new HarnessReader(options));
}

class HarnessReader implements PartsReader<StreamEvent> {
  readonly #blocks = new Map<number, Block>();
  #finish: FinishReason = "stop";
  #inputTokens = 0;
  #outputTokens = 0;
  #reasoningSent = false;

  readonly #options: HarnessPartsOptions;

  constructor(options: HarnessPartsOptions) {
    this.#options = options;
  }

  /** Synchronous but for the start of a client tool call, whose id is signed. */
  read(batch: StreamEvent[], out: AgentPart[]): Promise<void> | undefined {
    return readEach(batch, (event) => this.#event(event, out));
  }

  end(out: AgentPart[]): void {
    out.push({ type: "usage", model: this.#options.model, inputTokens: this.#inputTokens, outputTokens: this.#outputTokens }, { type: "finish", reason: this.#finish });
  }

  #event({ type, payload }: StreamEvent, out: AgentPart[]): Promise<void> | undefined {
    const options = this.#options;
    const blocks = this.#blocks;
    if (options.includeTraces) pushTrace(out, { [type]: payload }, options.includeReasoning);
    const index = payload.contentBlockIndex as number;
    switch (type) {
      case "contentBlockStart": {
        const toolUse = (payload.start as { toolUse?: { toolUseId?: string; name?: string; type?: string } } | undefined)?.toolUse;
        if (!toolUse) {
          blocks.set(index, { kind: "other" });
          break;
        }
        const name = toolUse.name ?? "";
        if (options.clientTools.has(name) && (toolUse.type === undefined || toolUse.type === "tool_use")) {
          return options.ids.encode({ sessionId: options.sessionId, toolUseId: toolUse.toolUseId ?? "" }).then((id) => {
            blocks.set(index, { kind: "client-tool", id });
            out.push({ type: "tool-call-start", id, name });
          });
        }
        blocks.set(index, { kind: "server-tool" });
        this.#reasoning(out, `Using ${name}.`, true);
        break;
      }
      case "contentBlockDelta": {
        const delta = (payload.delta ?? {}) as { text?: string; toolUse?: { input?: string }; reasoningContent?: { text?: string } };
        const block = blocks.get(index);
        if (typeof delta.text === "string" && delta.text) out.push({ type: "text-delta", text: delta.text });
        else if (delta.toolUse && block?.kind === "client-tool") out.push({ type: "tool-call-delta", id: block.id!, delta: delta.toolUse.input ?? "" });
        else if (typeof delta.reasoningContent?.text === "string") this.#reasoning(out, delta.reasoningContent.text, false);
        break;
      }
      case "contentBlockStop": {
        const block = blocks.get(index);
        if (block?.kind === "client-tool") out.push({ type: "tool-call-end", id: block.id! });
        blocks.delete(index);
        break;
      }
      case "messageStop":
        this.#stop(String(payload.stopReason ?? "end_turn"));
        break;
      case "metadata": {
        const usage = (payload.usage ?? {}) as { inputTokens?: number; outputTokens?: number };
        this.#inputTokens += tokenCount(usage.inputTokens);
        this.#outputTokens += tokenCount(usage.outputTokens);
        break;
      }
      case "hookEvent":
        if (payload.decision === "deny") {
          const why = typeof payload.reason === "string" ? `: ${payload.reason}` : "";
          throw new PermissionDeniedError(`A hook of the harness denied ${String(payload.name ?? "a step")}${why}`, { code: "hook_denied" });
        }
        break;
    }
    return undefined;
  }

  #stop(reason: string): void {
    if (reason === "tool_use") this.#finish = "tool-calls";
    else if (reason === "content_filtered") this.#finish = "content-filter";
    else if (LENGTH.has(reason)) {
      this.#finish = "length";
      this.#options.outcome.stopReason = reason;
    } else if (reason === "hook_stopped") throw new PermissionDeniedError("A hook of the harness stopped the answer", { code: "hook_stopped" });
    else if (MALFORMED.has(reason)) throw new BadGatewayError(`The harness's model answered badly (${reason})`, { code: reason });
    else if (reason !== "tool_result") this.#finish = "stop";
  }

  #reasoning(out: AgentPart[], text: string, paragraph: boolean): void {
    if (!this.#options.includeReasoning || !text) return;
    out.push({ type: "reasoning-delta", text: (paragraph && this.#reasoningSent ? "\n\n" : "") + text });
    this.#reasoningSent = true;
  }
}
