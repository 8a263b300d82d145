// A tool call's arguments → the AgentRequest the agent answers: a message, or the results of the
// tool calls the agent handed back; the session to continue; the functions the caller offers.
import { BadRequestError } from "../../errors.ts";
import type { AgentRequest, FunctionTool, Turn } from "../../parts.ts";
import type { SessionParams } from "../../types.ts";
import { assembleRequest } from "../assemble-request.ts";
import { functionTools } from "../conversation.ts";
import { asObject, asString, optionalList, optionalObject, optionalString } from "../fields.ts";

export interface ToolArguments {
  message?: string;
  sessionId?: string;
  toolResults?: Array<{ id: string; output: string }>;
  tools: FunctionTool[];
}

/** Checks the arguments, naming the one at fault (a 400 with its `param`, which MCP answers as -32602). */
export function readArguments(value: unknown): ToolArguments {
  const args = optionalObject(value, "arguments") ?? {};
  for (const key of Object.keys(args)) {
    if (!KNOWN.has(key)) throw new BadRequestError(`Unknown argument "${key.slice(0, 40)}": this tool takes message, session_id, tool_results and tools`, { param: key, code: "unknown_argument" });
  }
  const message = optionalString(args.message, "message");
  const results = optionalList(args.tool_results, "tool_results", "a list of {id, output}");
  if (results !== undefined && results.length > 0 && message !== undefined && message !== "") {
    throw new BadRequestError("Send either a message or tool_results, not both: the agent is waiting for the results of its tool calls", {
      param: "message",
      code: "invalid_arguments",
    });
  }
  if ((results === undefined || results.length === 0) && (message === undefined || message === "")) {
    throw new BadRequestError("message is required: what to ask the agent (or tool_results, to answer its tool calls)", { param: "message", code: "missing_message" });
  }
  const out: ToolArguments = { tools: functionTools(args.tools, "tools") };
  if (message) out.message = message;
  const sessionId = optionalString(args.session_id, "session_id");
  if (sessionId) out.sessionId = sessionId;
  if (results !== undefined && results.length > 0) {
    out.toolResults = results.map((item, i) => {
      const result = asObject(item, `tool_results[${i}]`, "an object with the call's id and its output");
      return { id: asString(result.id, `tool_results[${i}].id`), output: asString(result.output, `tool_results[${i}].output`) };
    });
  }
  return out;
}

const KNOWN = new Set(["message", "session_id", "tool_results", "tools"]);

/** The request for the call's parameters (the config's and the session fields, as `callParams` built them). */
export function toolRequest(call: SessionParams & { model: string }, args: ToolArguments, stream: boolean): AgentRequest {
  const turn: Turn = args.toolResults
    ? { role: "tool", results: args.toolResults.map((result, i) => ({ callId: result.id, output: result.output, param: `tool_results[${i}].id` })) }
    : { role: "user", content: [{ type: "text", text: args.message! }], param: "message" };
  return assembleRequest(call, { read: () => ({ param: "arguments", turns: [turn], tools: args.tools, stream }) });
}
