import { BadRequestError } from "../../errors.ts";
import type { ToolResult } from "../../parts.ts";
import type { ToolCallIds, ToolCallRef } from "./tool-call-id.ts";

/** A tool call the agent asks the client to run: arguments as JSON text. */
export interface ClassicToolCall {
  id: string;
  name: string;
  arguments: string;
}

interface Parameter {
  name?: string;
  type?: string;
  value?: string;
}

interface InvocationInput {
  functionInvocationInput?: {
    actionGroup?: string;
    function?: string;
    parameters?: Parameter[];
    agentId?: string;
  };
  apiInvocationInput?: {
    actionGroup?: string;
    apiPath?: string;
    httpMethod?: string;
    parameters?: Parameter[];
    requestBody?: { content?: Record<string, { properties?: Parameter[] }> };
    agentId?: string;
  };
}

/** The most results the service takes in one call. */
export const MAX_TOOL_RESULTS = 5;

/** A `returnControl` event → tool calls whose ids carry what the follow-up needs. */
export async function toToolCalls(
  returnControl: Record<string, unknown>,
  sessionId: string,
  ids: ToolCallIds,
): Promise<ClassicToolCall[]> {
  const invocationId = String(returnControl.invocationId ?? "");
  const inputs = (returnControl.invocationInputs ?? []) as InvocationInput[];
  const calls: ClassicToolCall[] = [];
  for (const input of inputs) {
    const fn = input.functionInvocationInput;
    const api = input.apiInvocationInput;
    if (fn) {
      const ref: ToolCallRef = { sessionId, invocationId, actionGroup: fn.actionGroup ?? "", function: fn.function ?? "" };
      if (fn.agentId) ref.agentId = fn.agentId;
      calls.push({
        id: await ids.encode(ref),
        name: toolName(ref.actionGroup, ref.function!),
        arguments: JSON.stringify(typedArguments(fn.parameters)),
      });
    } else if (api) {
      const ref: ToolCallRef = {
        sessionId,
        invocationId,
        actionGroup: api.actionGroup ?? "",
        apiPath: api.apiPath ?? "",
        httpMethod: api.httpMethod ?? "",
      };
      if (api.agentId) ref.agentId = api.agentId;
      const body = Object.values(api.requestBody?.content ?? {})[0]?.properties;
      calls.push({
        id: await ids.encode(ref),
        name: toolName(ref.actionGroup, `${ref.httpMethod}${ref.apiPath}`),
        arguments: JSON.stringify({ ...typedArguments(api.parameters), ...typedArguments(body) }),
      });
    }
  }
  return calls;
}

/** OpenAI clients want `^[a-zA-Z0-9_-]{1,64}$`; the id, not the name, maps a call back. */
export function toolName(actionGroup: string, action: string): string {
  const name = `${actionGroup}__${action}`.replace(/[^a-zA-Z0-9_-]+/g, "_").replace(/_+$/, "");
  return (name || "action").slice(0, 64);
}

/** Parameter values arrive as strings; their declared types make them JSON values again. */
function typedArguments(parameters: Parameter[] | undefined): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const { name, type, value } of parameters ?? []) {
    if (name !== undefined) args[name] = typedValue(value ?? "", type?.toLowerCase());
  }
  return args;
}

function typedValue(value: string, type: string | undefined): unknown {
  if (type === "integer" || type === "number") {
    const number = Number(value);
    return value.trim() !== "" && Number.isFinite(number) ? number : value;
  }
  if (type === "boolean") return value === "true" ? true : value === "false" ? false : value;
  if (type === "array" || type === "object") {
    try {
      const parsed: unknown = JSON.parse(value);
      if (type === "array" ? Array.isArray(parsed) : parsed !== null && typeof parsed === "object") return parsed;
    } catch {
      // Agents also write arrays as "[a, b]": fall through to splitting.
    }
    if (type === "array") {
      const inner = value.trim().replace(/^\[|\]$/g, "").trim();
      return inner === "" ? [] : inner.split(",").map((item) => item.trim().replace(/^["']|["']$/g, ""));
    }
  }
  return value;
}

export interface ToolResults {
  sessionId: string;
  invocationId: string;
  results: Array<Record<string, unknown>>;
}

/**
 * Tool results → `returnControlInvocationResults` for the session and invocation their ids
 * name. Every id is checked first: nothing reaches AWS from a forged one.
 */
export async function toToolResults(tools: ToolResult[], ids: ToolCallIds, param: string): Promise<ToolResults> {
  if (tools.length > MAX_TOOL_RESULTS) {
    throw new BadRequestError(`An agent takes at most ${MAX_TOOL_RESULTS} tool results at once, got ${tools.length}`, {
      param,
      code: "too_many_tool_results",
    });
  }
  const refs = await Promise.all(tools.map((tool) => ids.decode(tool.callId, tool.param)));
  const [head] = refs;
  if (refs.some((ref) => ref.sessionId !== head!.sessionId || ref.invocationId !== head!.invocationId)) {
    throw new BadRequestError("The tool results answer different agent requests: send the results of one request together", {
      param,
      code: "mixed_tool_results",
    });
  }
  const results = refs.map((ref, i) => toResult(ref, tools[i]!.output));
  return { sessionId: head!.sessionId, invocationId: head!.invocationId, results };
}

function toResult(ref: ToolCallRef, body: string): Record<string, unknown> {
  const agent = ref.agentId ? { agentId: ref.agentId } : {};
  if (ref.function !== undefined) {
    return { functionResult: { actionGroup: ref.actionGroup, function: ref.function, responseBody: { TEXT: { body } }, ...agent } };
  }
  return {
    apiResult: {
      actionGroup: ref.actionGroup,
      apiPath: ref.apiPath,
      httpMethod: ref.httpMethod,
      httpStatusCode: 200,
      responseBody: { "application/json": { body } },
      ...agent,
    },
  };
}
