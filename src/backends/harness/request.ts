// An AgentRequest → InvokeHarness: a new session gets the whole conversation as `messages`, a
// continued one only what is new (the harness session holds the rest); the client's function
// tools become `inline_function` tools, whose calls come back to the client.
import type { CallerScope } from "../../caller-scope.ts";
import { BadRequestError } from "../../errors.ts";
import { parseClientJson } from "../../json-depth.ts";
import type { AgentRequest, Turn } from "../../parts.ts";
import type { AgentCoreParams } from "../../types.ts";
import { agentCoreSessionId, newAgentCoreSessionId, scopedActor } from "../agentcore/ids.ts";
import type { HarnessCallIds } from "./tool-call-ids.ts";

type Block = Record<string, unknown>;
interface HarnessMessage {
  role: "user" | "assistant";
  content: Block[];
}

export interface HarnessInvocation {
  sessionId: string;
  newSession: boolean;
  userId: string | undefined;
  body: Record<string, unknown>;
}

export async function toInvokeHarness(
  request: AgentRequest,
  settings: AgentCoreParams,
  ids: HarnessCallIds,
  scope: CallerScope | undefined,
): Promise<HarnessInvocation> {
  let sessionId = request.sessionId === undefined ? undefined : await agentCoreSessionId(request.sessionId, scope);
  const { turns } = request;
  // A conversation that went through our tool calls goes on in the session they name.
  let continued = sessionId !== undefined;
  let from = 0;
  const last = turns.at(-1);
  if (last?.role === "tool") {
    // Every id checked first: nothing reaches AWS from a forged one.
    const refs = await Promise.all(last.results.map((result) => ids.decode(result.callId, result.param)));
    const first = refs[0]!;
    if (refs.some((ref) => ref.sessionId !== first.sessionId)) {
      throw new BadRequestError("The tool results answer different sessions: send the results of one answer together", { param: request.param, code: "mixed_tool_results" });
    }
    await claimIssued(first.sessionId, last.results[0]!.param, scope);
    if (sessionId !== undefined && sessionId !== first.sessionId) {
      throw new BadRequestError("session_id names another session than the tool calls being answered", { param: "session_id", code: "session_mismatch" });
    }
    sessionId = first.sessionId;
    continued = true;
    from = turns.length - 1;
  } else if (sessionId === undefined) {
    const call = lastToolCall(turns);
    const ref = call && (await ids.decode(call.id, call.param).catch(() => undefined));
    if (ref) {
      await claimIssued(ref.sessionId, call!.param, scope);
      sessionId = ref.sessionId;
      continued = true;
    }
  }
  if (continued && last?.role !== "tool") from = trailingUserStart(turns);
  if (last === undefined || (last.role !== "user" && last.role !== "tool")) {
    throw new BadRequestError("The last message must be a user message for the agent to answer, or tool results for its tool calls", {
      param: request.param,
      code: "invalid_messages",
    });
  }
  const messages = await toMessages(turns.slice(from), ids);
  const body: Record<string, unknown> = { messages };
  if (request.instructions.length > 0) body.systemPrompt = [{ text: request.instructions.join("\n\n") }];
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "inline_function",
      name: tool.name,
      config: { inlineFunction: { description: tool.description || tool.name, inputSchema: tool.parameters ?? { type: "object", properties: {} } } },
    }));
  }
  const { options } = request;
  if (settings.harness_model) {
    const config: Record<string, unknown> = { modelId: settings.harness_model };
    if (options.maxTokens !== undefined) config.maxTokens = options.maxTokens;
    if (options.temperature !== undefined) config.temperature = options.temperature;
    if (options.topP !== undefined) config.topP = options.topP;
    body.model = { bedrockModelConfig: config };
  } else if (options.maxTokens !== undefined) {
    body.maxTokens = options.maxTokens;
  }
  if (settings.allowed_tools) body.allowedTools = settings.allowed_tools;
  if (settings.max_iterations !== undefined) body.maxIterations = settings.max_iterations;
  if (settings.timeout_seconds !== undefined) body.timeoutSeconds = settings.timeout_seconds;
  const user = settings.pass_user === false || options.user === undefined ? undefined : await scopedActor(options.user, scope);
  // The config's actor is one memory per caller too, unless the config shares it on purpose.
  const actor = settings.actor_id === undefined ? user : settings.actor_id_shared ? settings.actor_id : await scopedActor(settings.actor_id, scope, "actor_id");
  if (actor !== undefined) body.actorId = actor;
  return { sessionId: sessionId ?? (await newAgentCoreSessionId(scope)), newSession: !continued, userId: user, body };
}

/** Turns → harness messages: text, earlier tool calls as `toolUse`, results as `toolResult`. */
async function toMessages(turns: Turn[], ids: HarnessCallIds): Promise<HarnessMessage[]> {
  const messages: HarnessMessage[] = [];
  const push = (role: "user" | "assistant", blocks: Block[]) => {
    if (blocks.length === 0) return;
    const previous = messages.at(-1);
    if (previous?.role === role) previous.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const turn of turns) {
    if (turn.role === "tool") {
      const blocks: Block[] = [];
      for (const result of turn.results) {
        blocks.push({ toolResult: { toolUseId: await ids.toolUseId(result.callId, result.param), content: [{ text: result.output }], status: "success" } });
      }
      push("user", blocks);
    } else if (turn.role === "user") {
      if (turn.content.length === 0 && turn === turns.at(-1)) {
        const param = `${turn.param}.content`;
        throw new BadRequestError(`${param} is empty: the agent needs text to answer`, { param, code: "empty_message" });
      }
      push(
        "user",
        turn.content.map((c) => {
          if (c.type === "text") return { text: c.text };
          throw new BadRequestError(`${c.param}: a harness takes text, not files`, { param: c.param, code: "unsupported_content" });
        }),
      );
    } else {
      const blocks: Block[] = [];
      for (const c of turn.content) {
        if (c.type === "text") blocks.push({ text: c.text });
        else blocks.push({ toolUse: { name: c.name, toolUseId: await ids.toolUseId(c.id, c.param), input: parseArguments(c.arguments, c.param) } });
      }
      push("assistant", blocks);
    }
  }
  if (messages.length === 0 || messages.at(-1)!.role !== "user") {
    throw new BadRequestError("The last message must be a user message for the agent to answer, or tool results for its tool calls", {
      param: "messages",
      code: "invalid_messages",
    });
  }
  return messages;
}

function lastToolCall(turns: Turn[]): { id: string; param: string } | undefined {
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    if (turn.role !== "assistant") continue;
    for (let j = turn.content.length - 1; j >= 0; j--) {
      const c = turn.content[j]!;
      if (c.type === "tool-call") return c;
    }
  }
  return undefined;
}

function trailingUserStart(turns: Turn[]): number {
  let first = turns.length;
  while (first > 0 && turns[first - 1]!.role === "user") first--;
  return first;
}

async function claimIssued(sessionId: string, param: string, scope: CallerScope | undefined): Promise<void> {
  if (scope) await scope.claim(sessionId, param, { issued: true });
}

/** A client's earlier tool call arguments as the harness's `input`; text that is not JSON is kept as text. */
function parseArguments(text: string, param: string): unknown {
  try {
    return parseClientJson(text || "{}", `The arguments of the tool call ${param} names`, param);
  } catch (error) {
    if (error instanceof BadRequestError) throw error; // nested too deep
    return { arguments: text };
  }
}
