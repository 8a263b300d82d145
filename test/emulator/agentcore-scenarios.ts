// The scripted behaviours of the emulated AgentCore harness and runtime, and what a correct client
// must see for each. Pure (Web APIs only): tests inside workerd import the expectation constants.
import { planA2ARuntime } from "./agentcore-a2a-scenarios.ts";
import { eventFrame, exceptionFrame, utf8 } from "./frames.ts";
import { wordPieces } from "./scenarios.ts";
import type { Step } from "./scenarios.ts";

/** The harness ARN and runtime ARN the demo config and the tests use. */
export const HARNESS_ARN = "arn:aws:bedrock-agentcore:us-west-2:123456789012:harness/TravelAgent-a1B2c3D4e5";
export const RUNTIME_ARN = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/hosted_agent-Zx9Yw8Vu7T";
/** The token a runtime behind a JWT authorizer takes instead of SigV4. */
export const RUNTIME_BEARER_TOKEN = "emulated-jwt-token-for-the-runtime";

// ---------------------------------------------------------------------------------------------
// The harness.

export interface HarnessMessage {
  role: "user" | "assistant";
  content: Array<Record<string, unknown>>;
}

/** What a harness session holds between calls: its conversation, and a call it waits on. */
export interface HarnessSession {
  messages: HarnessMessage[];
  pending?: { toolUseId: string; name: string };
}

export interface HarnessRequest {
  scenario: string;
  args: string[];
  body: { messages: HarnessMessage[]; tools?: Array<{ type: string; name?: string }>; systemPrompt?: Array<{ text: string }>; [key: string]: unknown };
  session: HarnessSession;
}

/** Usage the harness reports per model call (one `metadata` event each). */
export const HARNESS_CALL_USAGE = { inputTokens: 420, outputTokens: 35 };
export const HARNESS_REASONING_TEXT = "The user wrote to me; I will answer from what the session holds.";

/** The `demo` answer: it quotes the last user text and says how many messages the session holds. */
export function harnessAnswer(text: string, held: number): string {
  return `Harness here. You said: "${text}". This session holds ${held} messages. Ask me anything else!`;
}

export const HARNESS_TOOL_ARGUMENTS = { city: "Lisbon", days: 3 };
export function harnessToolAnswer(result: string): string {
  return `The tool answered: "${result}". Enjoy the trip!`;
}
export const HARNESS_SERVER_TOOL = "shell";
export const HARNESS_SERVER_TOOL_TEXT = "I looked it up with my own tools: it is 24 °C in Lisbon.";
export const HARNESS_PARTIAL_TEXT = "The harness starts answering, ";

const frame = (type: string, payload: unknown): Step => ({ frame: eventFrame(type, payload) });

function lastUserText(messages: HarnessMessage[]): string {
  const last = messages.at(-1);
  return (last?.content ?? []).flatMap((block) => (typeof block.text === "string" ? [block.text] : [])).join("\n");
}

function textBlock(index: number, text: string, delayMs = 2): Step[] {
  const steps: Step[] = [];
  for (const piece of wordPieces(text)) steps.push({ delayMs }, frame("contentBlockDelta", { contentBlockIndex: index, delta: { text: piece } }));
  steps.push(frame("contentBlockStop", { contentBlockIndex: index }));
  return steps;
}

function metadata(): Step {
  return frame("metadata", { usage: { ...HARNESS_CALL_USAGE, totalTokens: HARNESS_CALL_USAGE.inputTokens + HARNESS_CALL_USAGE.outputTokens }, metrics: { latencyMs: 640 } });
}

/** The steps of a harness answer, and what it adds to the session. */
export function planHarness(req: HarnessRequest): { steps: Step[]; reply: HarnessMessage[] } | { status: number; errorType: string; message: string } {
  const { session, body } = req;
  // A session waiting on a tool result takes the result, and nothing else.
  const results = body.messages.flatMap((m) => m.content.flatMap((block) => (block.toolResult ? [block.toolResult as { toolUseId: string; content: Array<{ text?: string }> }] : [])));
  if (session.pending && !results.some((result) => result.toolUseId === session.pending!.toolUseId)) {
    return { status: 400, errorType: "ValidationException", message: `The session waits for the result of tool use ${session.pending.toolUseId}.` };
  }
  session.messages.push(...body.messages);
  const start: Step[] = [frame("messageStart", { role: "assistant" })];
  if (session.pending) {
    const result = results.find((r) => r.toolUseId === session.pending!.toolUseId)!;
    session.pending = undefined;
    const text = harnessToolAnswer(result.content.map((c) => c.text ?? "").join(""));
    return {
      steps: [...start, ...textBlock(0, text), frame("messageStop", { stopReason: "end_turn" }), metadata()],
      reply: [{ role: "assistant", content: [{ text }] }],
    };
  }
  const [name, arg] = [req.scenario, req.args[0]];
  const reasoning: Step[] = [
    frame("contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: HARNESS_REASONING_TEXT } } }),
    frame("contentBlockStop", { contentBlockIndex: 0 }),
  ];
  switch (name) {
    case "tools": {
      const tool = body.tools?.find((t) => t.type === "inline_function");
      if (!tool?.name) break; // no tool offered: the demo answer
      const toolUseId = `tooluse_${crypto.randomUUID().replace(/-/g, "").slice(0, 22)}`;
      session.pending = { toolUseId, name: tool.name };
      const json = JSON.stringify(HARNESS_TOOL_ARGUMENTS);
      const cut = json.indexOf(",") + 1;
      return {
        steps: [
          ...start,
          ...reasoning,
          frame("contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId, name: tool.name, type: "tool_use" } } }),
          frame("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: json.slice(0, cut) } } }),
          { delayMs: 5 },
          frame("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: json.slice(cut) } } }),
          frame("contentBlockStop", { contentBlockIndex: 1 }),
          frame("messageStop", { stopReason: "tool_use" }),
          metadata(),
        ],
        reply: [{ role: "assistant", content: [{ toolUse: { toolUseId, name: tool.name, input: HARNESS_TOOL_ARGUMENTS } }] }],
      };
    }
    case "server-tool": {
      const toolUseId = "tooluse_server_0001";
      return {
        steps: [
          ...start,
          ...textBlock(0, "Let me check. "),
          frame("contentBlockStart", { contentBlockIndex: 1, start: { toolUse: { toolUseId, name: HARNESS_SERVER_TOOL, type: "server_tool_use" } } }),
          frame("contentBlockDelta", { contentBlockIndex: 1, delta: { toolUse: { input: '{"command":"weather lisbon"}' } } }),
          frame("contentBlockStop", { contentBlockIndex: 1 }),
          frame("contentBlockStart", { contentBlockIndex: 2, start: { toolResult: { toolUseId, status: "success" } } }),
          frame("contentBlockDelta", { contentBlockIndex: 2, delta: { toolResult: [{ text: "24 C, sunny" }] } }),
          frame("contentBlockStop", { contentBlockIndex: 2 }),
          frame("messageStop", { stopReason: "tool_result" }),
          metadata(),
          frame("messageStart", { role: "assistant" }),
          ...textBlock(0, HARNESS_SERVER_TOOL_TEXT),
          frame("messageStop", { stopReason: "end_turn" }),
          metadata(),
        ],
        reply: [{ role: "assistant", content: [{ text: `Let me check. ${HARNESS_SERVER_TOOL_TEXT}` }] }],
      };
    }
    case "exception-mid-stream":
      return {
        steps: [...start, ...textBlock(0, HARNESS_PARTIAL_TEXT).slice(0, -1), { frame: exceptionFrame(arg ?? "internalServerException", { message: "The harness failed while answering." }) }],
        reply: [],
      };
    case "max-tokens":
      return { steps: [...start, ...textBlock(0, HARNESS_PARTIAL_TEXT), frame("messageStop", { stopReason: "max_tokens" }), metadata()], reply: [] };
    case "hook-deny":
      return {
        steps: [...start, frame("hookEvent", { hookEventId: "hook-1", name: "before_tool_call", type: "before_tool_call", decision: "deny", reason: "not on weekends" })],
        reply: [],
      };
    case "http-error":
      return httpError(arg ?? "InternalServerException");
    case "slow-first-event":
      return { ...demo(req, reasoning, start), steps: [{ delayMs: Number(arg ?? 1200) }, ...demo(req, reasoning, start).steps] };
  }
  return demo(req, reasoning, start);
}

function demo(req: HarnessRequest, reasoning: Step[], start: Step[]): { steps: Step[]; reply: HarnessMessage[] } {
  const text = harnessAnswer(lastUserText(req.session.messages), req.session.messages.length);
  return { steps: [...start, ...reasoning, ...textBlock(1, text), frame("messageStop", { stopReason: "end_turn" }), metadata()], reply: [{ role: "assistant", content: [{ text }] }] };
}

const HTTP_STATUS: Record<string, number> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  ServiceQuotaExceededException: 402,
  RuntimeClientError: 424,
  InternalServerException: 500,
};

function httpError(code: string) {
  return { status: HTTP_STATUS[code] ?? 500, errorType: code, message: `Emulated ${code}.` };
}

// ---------------------------------------------------------------------------------------------
// The runtime: an agent in code answering SSE (as BedrockAgentCoreApp serves a Strands agent) or JSON.

export const RUNTIME_USAGE = { inputTokens: 310, outputTokens: 28 };
export function runtimeAnswer(prompt: string): string {
  return `Runtime here. You said: "${prompt}". I am an agent in code.`;
}
export const RUNTIME_PARTIAL_TEXT = "The runtime starts answering, ";
/** The reasoning of the `reasoning` scenario: streamed in Strands' two shapes, and in the final message. */
export const RUNTIME_REASONING_TEXT = "Pondering quietly: zebras never need tools; echoing verbatim.";

export interface RuntimeRequest {
  scenario: string;
  args: string[];
  payload: unknown;
  /** Lower-cased, as they arrived (A2A runtimes read `a2a-version`). */
  headers?: Record<string, string>;
  sessionId?: string;
}

/** A body to stream (on `httpStatus`, 200 by default), or AWS's HTTP error. */
export type RuntimePlan = { contentType: string; steps: Step[]; httpStatus?: number } | { status: number; errorType: string; message: string };

const sse = (value: unknown): Step => ({ raw: utf8(`data: ${JSON.stringify(value)}\n\n`) });

export function planRuntime(req: RuntimeRequest): RuntimePlan {
  // A runtime deployed with server protocol A2A (agentcore-a2a-scenarios.ts).
  if (req.scenario === "a2a") return planA2ARuntime({ args: req.args, payload: req.payload, headers: req.headers ?? {}, sessionId: req.sessionId ?? "" });
  const prompt = typeof (req.payload as { prompt?: unknown })?.prompt === "string" ? (req.payload as { prompt: string }).prompt : "";
  const text = runtimeAnswer(prompt);
  switch (req.scenario) {
    case "json":
      return { contentType: "application/json", steps: [{ raw: utf8(JSON.stringify({ result: { role: "assistant", content: [{ text }] } })) }] };
    case "echo":
      return { contentType: "application/json", steps: [{ raw: utf8(JSON.stringify({ response: JSON.stringify(req.payload) })) }] };
    case "strings":
      return { contentType: "text/event-stream; charset=utf-8", steps: wordPieces(text).flatMap((piece): Step[] => [{ delayMs: 2 }, sse(piece)]) };
    case "error-event":
      return {
        contentType: "text/event-stream; charset=utf-8",
        steps: [sse({ data: RUNTIME_PARTIAL_TEXT }), sse({ error: "division by zero", error_type: "ZeroDivisionError", message: "division by zero" })],
      };
    case "http-error":
      return httpError(req.args[0] ?? "RuntimeClientError");
    case "reasoning": {
      // `reasoning:json`: the whole answer as one JSON document, its reasoning block first.
      const reasoning = { reasoningContent: { reasoningText: { text: RUNTIME_REASONING_TEXT, signature: "emulator-signature" } } };
      if (req.args[0] === "json") {
        return { contentType: "application/json", steps: [{ raw: utf8(JSON.stringify({ result: { role: "assistant", content: [reasoning, { text }] } })) }] };
      }
      return { contentType: "text/event-stream; charset=utf-8", steps: strandsSteps(text, reasoning) };
    }
  }
  return { contentType: "text/event-stream; charset=utf-8", steps: strandsSteps(text) };
}

/**
 * A Strands agent yielding every event of stream_async: each text delta twice, in two shapes;
 * reasoning, when there is some, first and twice too, and again in the final message.
 */
function strandsSteps(text: string, reasoning?: { reasoningContent: { reasoningText: { text: string } } }): Step[] {
  const steps: Step[] = [sse({ init_event_loop: true }), sse({ event: { messageStart: { role: "assistant" } } })];
  const index = reasoning ? 1 : 0;
  if (reasoning) {
    for (const piece of wordPieces(reasoning.reasoningContent.reasoningText.text)) {
      const delta = { reasoningContent: { text: piece } };
      steps.push({ delayMs: 2 }, sse({ event: { contentBlockDelta: { delta, contentBlockIndex: 0 } } }), sse({ reasoningText: piece, delta, reasoning: true }));
    }
    steps.push(sse({ event: { contentBlockStop: { contentBlockIndex: 0 } } }));
  }
  for (const piece of wordPieces(text)) {
    steps.push({ delayMs: 2 }, sse({ event: { contentBlockDelta: { delta: { text: piece }, contentBlockIndex: index } } }), sse({ data: piece, delta: { text: piece } }));
  }
  steps.push(
    sse({ event: { contentBlockStop: { contentBlockIndex: index } } }),
    sse({ event: { messageStop: { stopReason: "end_turn" } } }),
    sse({ event: { metadata: { usage: { ...RUNTIME_USAGE, totalTokens: RUNTIME_USAGE.inputTokens + RUNTIME_USAGE.outputTokens }, metrics: { latencyMs: 410 } } } }),
    sse({ message: { role: "assistant", content: reasoning ? [reasoning, { text }] : [{ text }] } }),
  );
  return steps;
}
