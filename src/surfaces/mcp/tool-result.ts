// An agent's parts → a tool's result (the answer as text, and as structuredContent), and, while
// they arrive, the progress notifications that show the text and reasoning as they stream.
import type { AgentError } from "../../errors.ts";
import { bytesToBase64 } from "../../aws/base64.ts";
import type { AgentPart, CitationPart } from "../../parts.ts";
import type { HiddenParams } from "../../types.ts";
import { type RequestId, rpcNotification } from "./jsonrpc.ts";

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** What the answer tells the endpoint at its end, for the result and the request log. */
export interface AnswerSummary {
  hidden: HiddenParams;
  usage: { readonly inputTokens: number; readonly outputTokens: number };
}

/** Where a progress message comes from: the answer's text, or the agent's reasoning. */
const KIND_META = "bedrock-agents-openai/kind";

/**
 * Gathers one answer, a batch of parts at a time. With a progress token, each batch also gives
 * the notifications for the text and reasoning it held (one per kind and run, not per delta);
 * `progress` counts the characters so far, so it grows with every notification as MCP requires.
 */
export class ToolAnswer {
  #text = "";
  #progress = 0;
  readonly #citations: CitationPart[] = [];
  readonly #calls = new Map<string, ToolCall>();
  readonly #files: Array<Record<string, unknown>> = [];
  /** The failure that ended the answer, as this caller may see it. */
  error: AgentError | undefined;

  readonly #progressToken: RequestId | undefined;

  constructor(progressToken: RequestId | undefined) {
    this.#progressToken = progressToken;
  }

  /** Takes a batch; the JSON of its progress notifications (none without a token). */
  take(batch: readonly AgentPart[]): string[] {
    const notes: string[] = [];
    let kind: "text" | "reasoning" | undefined;
    let run = "";
    const flush = () => {
      if (run === "" || this.#progressToken === undefined) return;
      this.#progress += run.length;
      notes.push(rpcNotification("notifications/progress", { progressToken: this.#progressToken, progress: this.#progress, message: run, _meta: { [KIND_META]: kind } }));
      run = "";
    };
    const streamed = (next: "text" | "reasoning", text: string) => {
      if (kind !== next) flush();
      kind = next;
      run += text;
    };
    for (const part of batch) {
      switch (part.type) {
        case "text-delta":
          this.#text += part.text;
          streamed("text", part.text);
          break;
        case "reasoning-delta":
          streamed("reasoning", part.text);
          break;
        case "tool-call-start":
          this.#calls.set(part.id, { id: part.id, name: part.name, arguments: "" });
          break;
        case "tool-call-delta": {
          const call = this.#calls.get(part.id);
          if (call) call.arguments += part.delta;
          break;
        }
        case "citation":
          this.#citations.push(part);
          break;
        case "file":
          this.#files.push(fileBlock(part.file));
          break;
        case "error":
          this.error = part.error;
          break;
      }
    }
    flush();
    return notes;
  }

  /** The CallToolResult once the parts have ended: the answer, or the failure as `isError`. */
  result(summary: AnswerSummary): Record<string, unknown> {
    if (this.error) return failureResult(this.error);
    const { hidden, usage } = summary;
    const structured: Record<string, unknown> = {
      text: this.#text,
      session_id: hidden.session_id,
      citations: this.#citations.map(citationJson),
      usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
      cost: hidden.response_cost,
    };
    const content: Array<Record<string, unknown>> = [];
    if (this.#text) content.push({ type: "text", text: this.#text });
    if (this.#calls.size > 0) {
      structured.tool_calls = [...this.#calls.values()].map((call) => ({ ...call, arguments: call.arguments || "{}" }));
      content.push({
        type: "text",
        text:
          "The agent asks you to run these tools, then to call it again with their output as tool_results " +
          `(each with the call's id) and session_id "${hidden.session_id}":\n${JSON.stringify(structured.tool_calls)}`,
      });
    }
    content.push(...this.#files);
    // MCP asks that the structured result be repeated as text, for hosts that show their model
    // only text (which needs the session_id to go on): all of it but what is above.
    const { text, tool_calls, ...rest } = structured;
    content.push({ type: "text", text: JSON.stringify(rest) });
    return { content, structuredContent: structured, isError: false };
  }
}

/** A failure as a tool result: a model reading it can act on it (wait, rephrase, start over). */
export function failureResult(error: AgentError): Record<string, unknown> {
  return { content: [{ type: "text", text: `The agent failed: ${error.message}` }], isError: true };
}

function citationJson(citation: CitationPart): Record<string, unknown> {
  const json: Record<string, unknown> = { title: citation.title, start: citation.start, end: citation.end };
  if (citation.url !== undefined) json.url = citation.url;
  if (citation.documentId !== undefined) json.document_id = citation.documentId;
  return json;
}

/** A file the agent made: an image block for images, an embedded resource for the rest. */
function fileBlock(file: { name: string; type: string; bytes: Uint8Array }): Record<string, unknown> {
  const data = bytesToBase64(file.bytes);
  if (file.type.startsWith("image/")) return { type: "image", data, mimeType: file.type };
  return { type: "resource", resource: { uri: `file:///${encodeURIComponent(file.name)}`, mimeType: file.type, blob: data } };
}
