// An A2A SendMessage request (1.0 or 0.3 shapes) → what the call needs: the user's text and files,
// or the results of the agent's tool calls (return of control), the context (the agent session),
// the task it continues, the tools it offers, and the session settings in its metadata.
import { BadRequestError } from "../../errors.ts";
import { dataUrlToFile } from "../../files.ts";
import type { AgentRequest, FunctionTool, InputFile, ToolResult, Turn, UserContent } from "../../parts.ts";
import type { CallParams, SessionParams } from "../../types.ts";
import { type JsonObject, asList, asObject, asString, isObject, optionalObject, optionalString, wrongType } from "../fields.ts";
import { assembleRequest } from "../assemble-request.ts";
import { functionTools } from "../conversation.ts";
import { RPC, RpcError } from "./json-rpc.ts";

/** The return-of-control extension: tool calls and their results as data parts (README "A2A"). */
export const RETURN_OF_CONTROL = "urn:bedrock-agents-openai:a2a:return-of-control:v1";

/** Session settings a caller may put in the request's or the message's metadata (never a session id: that is contextId). */
const SETTINGS = [
  "include_reasoning",
  "memory_id",
  "end_session",
  "session_attributes",
  "prompt_session_attributes",
  "knowledge_base_configurations",
] as const;

export interface SentMessage {
  /** What the user said; empty when the message answers tool calls. */
  content: UserContent[];
  /** The results of the agent's tool calls, each by the id the endpoint issued. */
  results: ToolResult[];
  contextId?: string;
  taskId?: string;
  tools: FunctionTool[];
  /** Session settings from the metadata, to go through the endpoint's call parameters. */
  settings: JsonObject;
}

const MESSAGE = "params.message";

/** Reads SendMessage's params; a BadRequestError naming the field, or an RpcError, when they are wrong. */
export function readSendParams(params: JsonObject): SentMessage {
  const message = asObject(params.message, MESSAGE, "a Message (an object with role and parts)");
  const configuration = optionalObject(params.configuration, "params.configuration");
  if (configuration?.pushNotificationConfig != null || configuration?.taskPushNotificationConfig != null) {
    throw new RpcError(RPC.pushNotificationNotSupported, "Push notifications are not supported: read the answer from the reply or its stream");
  }
  const contextId = optionalString(message.contextId ?? message.context_id, `${MESSAGE}.contextId`);
  const taskId = optionalString(message.taskId ?? message.task_id, `${MESSAGE}.taskId`);
  const parts = asList(message.parts, `${MESSAGE}.parts`, "a non-empty list of parts");
  if (parts.length === 0) throw wrongType(`${MESSAGE}.parts`, "a non-empty list of parts", parts);
  const content: UserContent[] = [];
  const results: ToolResult[] = [];
  const texts: string[] = [];
  parts.forEach((value, index) => {
    const param = `${MESSAGE}.parts[${index}]`;
    const part = readPart(value, param);
    if (part.kind === "text") texts.push(part.text);
    else if (part.kind === "file") content.push({ type: "file", file: part.file, param });
    else if (isObject(part.data) && part.data.tool_results !== undefined) results.push(...toolResults(part.data.tool_results, `${param}.data.tool_results`));
    // Other data is said to the agent as its JSON text: nothing is dropped silently.
    else texts.push(JSON.stringify(part.data));
  });
  const text = texts.join("\n");
  if (text) content.unshift({ type: "text", text });
  if (results.length > 0 && content.length > 0) {
    throw new BadRequestError(`${MESSAGE}.parts: a message answers the agent's tool calls or says something new, not both`, {
      param: `${MESSAGE}.parts`,
      code: "invalid_tool_result",
    });
  }
  if (taskId !== undefined && results.length === 0) {
    throw new RpcError(
      RPC.unsupportedOperation,
      "That task has ended: only a task waiting for tool results (input-required) takes a message, with their results; leave taskId out to start a new task in the same context",
    );
  }
  const settings: JsonObject = {};
  const requestMetadata = optionalObject(params.metadata, "params.metadata");
  const messageMetadata = optionalObject(message.metadata, `${MESSAGE}.metadata`);
  for (const metadata of [requestMetadata, messageMetadata]) {
    for (const name of SETTINGS) if (metadata?.[name] !== undefined) settings[name] = metadata[name];
  }
  const tools = functionTools(messageMetadata?.tools ?? requestMetadata?.tools, messageMetadata?.tools !== undefined ? `${MESSAGE}.metadata.tools` : "params.metadata.tools");
  return { content, results, contextId, taskId, tools, settings };
}

type ReadPart = { kind: "text"; text: string } | { kind: "file"; file: InputFile } | { kind: "data"; data: unknown };

/** A part in 1.0's shape (text | raw | url | data) or 0.3's (`kind`: text | file | data). */
function readPart(value: unknown, param: string): ReadPart {
  const part = asObject(value, param, "a part (an object with text, raw, url or data)");
  const mediaType = optionalString(part.mediaType ?? part.media_type, `${param}.mediaType`);
  const filename = optionalString(part.filename, `${param}.filename`);
  if (part.kind === "text" || (part.kind === undefined && part.text !== undefined)) return { kind: "text", text: asString(part.text, `${param}.text`) };
  if (part.kind === "data" || (part.kind === undefined && part.data !== undefined)) return { kind: "data", data: part.data };
  if (part.kind === "file") {
    const file = asObject(part.file, `${param}.file`, "an object with bytes or uri");
    const name = optionalString(file.name, `${param}.file.name`);
    const type = optionalString(file.mimeType, `${param}.file.mimeType`);
    if (file.bytes !== undefined) return { kind: "file", file: inline(asString(file.bytes, `${param}.file.bytes`, "base64 text"), type, name) };
    return { kind: "file", file: linked(file.uri, `${param}.file.uri`, name) };
  }
  if (part.kind === undefined && part.raw !== undefined) return { kind: "file", file: inline(asString(part.raw, `${param}.raw`, "base64 text"), mediaType, filename) };
  if (part.kind === undefined && part.url !== undefined) return { kind: "file", file: linked(part.url, `${param}.url`, filename) };
  throw new BadRequestError(`${param} must hold text, raw, url or data (or, in A2A 0.3, be of kind text, file or data)`, { param, code: "unsupported_content" });
}

function inline(base64: string, mediaType: string | undefined, name: string | undefined): InputFile {
  // ProtoJSON may write bytes in base64url; AWS takes the standard alphabet.
  const data = base64.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/");
  return { name: name || "file", mediaType: mediaType || "application/octet-stream", data };
}

/** Only data URLs: the agent takes bytes, and the endpoint fetches nothing on a caller's behalf. */
function linked(url: unknown, param: string, name: string | undefined): InputFile {
  return dataUrlToFile(asString(url, param, "a data URL"), name || "file", param);
}

/** `[{id, output}]`: the output as text (JSON text when it is not a string). */
function toolResults(value: unknown, param: string): ToolResult[] {
  return asList(value, param, "a list of {id, output}").map((item, index) => {
    const result = asObject(item, `${param}[${index}]`, "an object with id and output");
    const callId = asString(result.id, `${param}[${index}].id`, "the id of the tool call it answers");
    const output = typeof result.output === "string" ? result.output : JSON.stringify(result.output ?? null);
    return { callId, output, param: `${param}[${index}].id` };
  });
}

/** The AgentRequest for a message, from the call's parameters (the session and settings the endpoint set). */
export function agentRequest(sent: SentMessage, call: CallParams & SessionParams & { model: string }, stream: boolean): AgentRequest {
  const turn: Turn = sent.results.length > 0 ? { role: "tool", results: sent.results } : { role: "user", content: sent.content, param: MESSAGE };
  return assembleRequest(call, { read: () => ({ param: MESSAGE, turns: [turn], tools: sent.tools, stream }) });
}
