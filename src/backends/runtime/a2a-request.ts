// An AgentRequest → the JSON-RPC request for a runtime deployed with server protocol A2A, which
// AgentCore passes to the container as it is: `message/send` / `message/stream` in A2A 0.3 (what
// Strands and the Python A2A SDK serve), `SendMessage` / `SendStreamingMessage` in 1.0.
import { BadRequestError } from "../../errors.ts";
import type { AgentRequest, UserContent } from "../../parts.ts";

export type A2AVersion = "0.3" | "1.0";

export interface A2ACall {
  body: string;
  headers: Record<string, string>;
}

/**
 * The call for `request`. The message holds only what is new since the agent last spoke: the
 * runtime's session keeps the conversation, and an A2A message has one author, so earlier turns
 * could only come back as words in the user's mouth. `contextId` is the AgentCore session id:
 * A2A servers key their conversation by context (Strands makes an agent per context), and the
 * same session then continues the same context, with nothing stored here.
 */
export function a2aCall(request: AgentRequest, contextId: string, version: A2AVersion = "0.3"): A2ACall {
  const content = newUserContent(request);
  const v1 = version === "1.0";
  const message: Record<string, unknown> = v1
    ? { messageId: crypto.randomUUID(), role: "ROLE_USER", parts: content.map(partV1), contextId }
    : { kind: "message", messageId: crypto.randomUUID(), role: "user", parts: content.map(partV03), contextId };
  const method = v1 ? (request.stream ? "SendStreamingMessage" : "SendMessage") : request.stream ? "message/stream" : "message/send";
  // 0.3 servers answer message/send at once unless asked to wait; 1.0 waits by default.
  const params = v1 || request.stream ? { message } : { message, configuration: { blocking: true } };
  const headers: Record<string, string> = { accept: request.stream ? "text/event-stream" : "application/json" };
  // Without it a 1.0 server reads the call as 0.3; it reaches the container only if the runtime allowlists it.
  if (v1) headers["a2a-version"] = "1.0";
  return { body: JSON.stringify({ jsonrpc: "2.0", id: crypto.randomUUID(), method, params }), headers };
}

/** The user's content after the last assistant turn; a 400 when there is none to send. */
function newUserContent(request: AgentRequest): UserContent[] {
  const last = request.turns.at(-1);
  if (last?.role !== "user") {
    throw new BadRequestError("The last message must be a user message: this runtime speaks A2A, which takes no tool results", {
      param: request.param,
      code: "invalid_messages",
    });
  }
  const content: UserContent[] = [];
  for (let i = request.turns.length - 1; i >= 0; i--) {
    const turn = request.turns[i]!;
    if (turn.role !== "user") break;
    content.unshift(...turn.content.filter((c) => c.type === "file" || c.text !== ""));
  }
  if (content.length === 0) throw new BadRequestError(`${last.param}.content is empty: the agent needs text to answer`, { param: `${last.param}.content`, code: "empty_message" });
  return content;
}

function partV03(content: UserContent): Record<string, unknown> {
  if (content.type === "text") return { kind: "text", text: content.text };
  return { kind: "file", file: { bytes: content.file.data, mimeType: content.file.mediaType, name: content.file.name } };
}

function partV1(content: UserContent): Record<string, unknown> {
  if (content.type === "text") return { text: content.text };
  return { raw: content.file.data, mediaType: content.file.mediaType, filename: content.file.name };
}
