// An AgentRequest → the payload of InvokeAgentRuntime: an agent in code reads what its author
// chose, so the config says which: `{"prompt"}` (AWS's samples, LiteLLM), the whole
// conversation beside it, or an OpenAI chat-completions body.
import { BadRequestError } from "../../errors.ts";
import type { AgentRequest, Turn } from "../../parts.ts";
import type { AgentCoreParams } from "../../types.ts";

type OpenAIMessage = Record<string, unknown>;

export function runtimePayload(request: AgentRequest, format: AgentCoreParams["payload_format"] = "prompt"): Record<string, unknown> {
  const last = request.turns.at(-1);
  if (format === "prompt" || format === "conversation") {
    if (last?.role !== "user") {
      throw new BadRequestError(
        'The last message must be a user message: this runtime takes a prompt (payload_format "openai" passes tool results on)',
        { param: request.param, code: "invalid_messages" },
      );
    }
    const prompt = textOf(last);
    if (!prompt) throw new BadRequestError(`${last.param}.content is empty: the agent needs text to answer`, { param: `${last.param}.content`, code: "empty_message" });
    return format === "prompt" ? { prompt } : { prompt, messages: openAIMessages(request) };
  }
  const body: Record<string, unknown> = { model: request.model, messages: openAIMessages(request), stream: request.stream };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({ type: "function", function: { name: tool.name, description: tool.description, parameters: tool.parameters } }));
  }
  const { options } = request;
  if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  return body;
}

/** The conversation as OpenAI chat messages: instructions first, files as data URLs. */
function openAIMessages(request: AgentRequest): OpenAIMessage[] {
  const messages: OpenAIMessage[] = [];
  if (request.instructions.length > 0) messages.push({ role: "system", content: request.instructions.join("\n\n") });
  for (const turn of request.turns) {
    if (turn.role === "tool") {
      for (const result of turn.results) messages.push({ role: "tool", tool_call_id: result.callId, content: result.output });
    } else if (turn.role === "user") {
      const files = turn.content.filter((c) => c.type === "file");
      if (files.length === 0) messages.push({ role: "user", content: textOf(turn) });
      else {
        messages.push({
          role: "user",
          content: turn.content.map((c) =>
            c.type === "text" ? { type: "text", text: c.text } : { type: "file", file: { filename: c.file.name, file_data: `data:${c.file.mediaType};base64,${c.file.data}` } },
          ),
        });
      }
    } else {
      const calls = turn.content.flatMap((c) => (c.type === "tool-call" ? [{ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }] : []));
      const message: OpenAIMessage = { role: "assistant", content: textOf(turn) || null };
      if (calls.length > 0) message.tool_calls = calls;
      messages.push(message);
    }
  }
  return messages;
}

function textOf(turn: Extract<Turn, { role: "user" | "assistant" }>): string {
  return turn.content.flatMap((c) => (c.type === "text" ? [c.text] : [])).join("\n");
}
