// The scripted behaviours of the emulated agent, and what a correct client must see for each.
// Pure (Web APIs only): tests running inside workerd import the expectation constants.
import { base64, chunkFrame, errorFrame, eventFrame, exceptionFrame, fromBase64, utf8 } from "./frames.ts";
import { mulberry32, type RandomSlicing } from "./slicing.ts";
import { realQuirks } from "./real-quirks.ts";

// ---------------------------------------------------------------------------------------------
// Types: what a scenario gets and what it returns.

export interface InvokeAgentBody {
  inputText?: string;
  enableTrace?: boolean;
  endSession?: boolean;
  memoryId?: string;
  sessionState?: {
    invocationId?: string;
    returnControlInvocationResults?: InvocationResult[];
    [member: string]: unknown;
  };
  streamingConfigurations?: { streamFinalResponse?: boolean; applyGuardrailInterval?: number };
  [member: string]: unknown;
}

export interface InvocationResult {
  functionResult?: { actionGroup?: string; function?: string; responseBody?: Record<string, { body?: string }> };
  apiResult?: {
    actionGroup?: string;
    apiPath?: string;
    httpMethod?: string;
    httpStatusCode?: number;
    responseBody?: Record<string, { body?: string }>;
  };
}

export interface ScenarioRequest {
  agentId: string;
  agentAliasId: string;
  sessionId: string;
  body: InvokeAgentBody;
  /** Everything after the first `:` of the scenario selector ("" when none). */
  arg: string;
  /** `arg` split on `:`. */
  args: string[];
  /** For `echo`: the request as it arrived (raw wire path, lower-cased headers, no authorization). */
  method: string;
  path: string;
  headers: Record<string, string>;
  /** 1 for the first request of this session id to this scenario, 2 for the next... (flaky). */
  attempt: number;
}

/** One thing the server does: write a frame, wait, or write raw bytes (corruption, truncation). */
export type Step =
  | { frame: Uint8Array; trace?: true }
  | { delayMs: number }
  | { raw: Uint8Array }
  /** Resets the connection (not a clean end of the body). */
  | { reset: true };

export interface HttpErrorPlan {
  status: number;
  errorType: string;
  message: string;
}
export interface StreamPlan {
  steps: Step[];
  /** How bytes go to the socket; default: one write per step. */
  slicing?: RandomSlicing;
}
export type Plan = HttpErrorPlan | StreamPlan;
export type Scenario = (req: ScenarioRequest) => Plan;

export function isHttpErrorPlan(plan: Plan): plan is HttpErrorPlan {
  return "status" in plan;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

// ---------------------------------------------------------------------------------------------
// Errors, as AWS names them and with the statuses AWS uses.

export const HTTP_ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  DependencyFailedException: 424,
  ModelNotReadyException: 424,
  ThrottlingException: 429,
  InternalServerException: 500,
  BadGatewayException: 502,
  ServiceUnavailableException: 503,
};

export const HTTP_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  ValidationException: "Invalid input: the emulator rejected this request as scripted.",
  ServiceQuotaExceededException: "The number of requests exceeds the service quota. Resubmit your request later.",
  AccessDeniedException:
    "User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: bedrock:InvokeAgent because no identity-based policy allows the bedrock:InvokeAgent action",
  ResourceNotFoundException:
    "Failed to retrieve resource because it doesn't exist. Retry the request with a different resource identifier.",
  ConflictException: "There is a conflict performing an operation on this session. Retry your request.",
  DependencyFailedException: "Received failed response from API execution. Retry the request later.",
  ModelNotReadyException: "The model is not ready to serve inference requests. Retry the request later.",
  ThrottlingException: "Your request rate is too high. Reduce the frequency of requests.",
  InternalServerException: "An internal server error occurred. Retry your request.",
  BadGatewayException: "There was an issue with a dependency due to a server issue. Retry your request.",
  ServiceUnavailableException: "Service Unavailable. Please try again later.",
};

/** The message sent for an error code (PascalCase or the stream's lowerCamelCase). */
export function errorMessage(code: string): string {
  const pascal = code.charAt(0).toUpperCase() + code.slice(1);
  return HTTP_ERROR_MESSAGES[pascal] ?? `Emulated ${pascal}.`;
}

const validation = (message: string): HttpErrorPlan => ({ status: 400, errorType: "ValidationException", message });

// ---------------------------------------------------------------------------------------------
// Trace building: one union member per trace event, as the service sends them.

export const DEMO_MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0";
export const COLLABORATOR_MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const ACCOUNT = "123456789012";
const REGION = "us-east-1";

type TraceKind =
  | "preProcessingTrace"
  | "orchestrationTrace"
  | "postProcessingTrace"
  | "routingClassifierTrace"
  | "guardrailTrace"
  | "customOrchestrationTrace"
  | "failureTrace";

/** In every model call's prompt (modelInvocationInput.text) and raw output (rawResponse.content). */
export const MODEL_PROMPT_TEXT = "You are a helpful agent";
export const MODEL_RAW_OUTPUT_TEXT = "model output, reasoning and all";

const PROMPT_TYPE: Partial<Record<TraceKind, string>> = {
  preProcessingTrace: "PRE_PROCESSING",
  orchestrationTrace: "ORCHESTRATION",
  postProcessingTrace: "POST_PROCESSING",
  routingClassifierTrace: "ROUTING_CLASSIFIER",
};

interface TraceOrigin {
  agentId?: string;
  agentAliasId?: string;
  collaboratorName?: string;
  callerChain?: { agentAliasArn: string }[];
}

function aliasArn(agentId: string, aliasId: string): string {
  return `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/${agentId}/${aliasId}`;
}

function trace(req: ScenarioRequest, kind: TraceKind, member: unknown, origin: TraceOrigin = {}): Step {
  const agentAliasId = origin.agentAliasId ?? req.agentAliasId;
  const part: Record<string, unknown> = {
    agentId: origin.agentId ?? req.agentId,
    agentAliasId,
    agentVersion: agentAliasId === "TSTALIASID" ? "DRAFT" : "1",
    sessionId: req.sessionId,
    eventTime: new Date().toISOString(),
    trace: { [kind]: member },
  };
  if (origin.callerChain) part.callerChain = origin.callerChain;
  if (origin.collaboratorName) part.collaboratorName = origin.collaboratorName;
  return { frame: eventFrame("trace", part), trace: true };
}

/**
 * One model call: a trace event with modelInvocationInput (the model id), then a separate,
 * later one with modelInvocationOutput (the usage). Both share a traceId.
 */
function modelCall(
  req: ScenarioRequest,
  kind: TraceKind,
  traceId: string,
  model: string,
  usage: TokenUsage,
  output: Record<string, unknown> = {},
  origin: TraceOrigin = {},
): Step[] {
  const start = new Date();
  const end = new Date(start.getTime() + 850);
  return [
    trace(
      req,
      kind,
      {
        modelInvocationInput: {
          traceId,
          type: PROMPT_TYPE[kind],
          foundationModel: model,
          text: `{"system":"${MODEL_PROMPT_TEXT} (emulated ${PROMPT_TYPE[kind]} prompt).","messages":[{"role":"user","content":${JSON.stringify(req.body.inputText ?? "")}}]}`,
          inferenceConfiguration: {
            maximumLength: 2048,
            stopSequences: ["</invoke>", "</answer>", "</error>"],
            temperature: 0,
            topK: 250,
            topP: 1,
          },
          promptCreationMode: "DEFAULT",
          parserMode: "DEFAULT",
        },
      },
      origin,
    ),
    trace(
      req,
      kind,
      {
        modelInvocationOutput: {
          traceId,
          rawResponse: { content: `(emulated ${PROMPT_TYPE[kind]} ${MODEL_RAW_OUTPUT_TEXT})` },
          metadata: {
            clientRequestId: crypto.randomUUID(),
            startTime: start.toISOString(),
            endTime: end.toISOString(),
            totalTimeMs: 850,
            usage,
          },
          ...output,
        },
      },
      origin,
    ),
  ];
}

function traceIdBase(): string {
  return crypto.randomUUID();
}

// ---------------------------------------------------------------------------------------------
// demo: a friendly answer quoting the question, with the traces of a real agent.

/** Usage of each model call in `demo` (pre, orchestration, post), all on DEMO_MODEL. */
const DEMO_CALLS = {
  pre: { inputTokens: 812, outputTokens: 64 },
  orchestration: { inputTokens: 1536, outputTokens: 96 },
  post: { inputTokens: 402, outputTokens: 58 },
};
/** What a client must report for a `demo` answer (sum over the three model calls). */
export const DEMO_EXPECTED_USAGE: TokenUsage = { inputTokens: 2750, outputTokens: 218 };
export const DEMO_MODEL_CALLS = 3;
export const DEMO_REASONING_TEXT = "The user greeted me and asked a question; I will answer directly without tools.";
export const DEMO_RATIONALE_TEXT = "I can answer this directly from the question, without calling any action group.";
export const DEMO_PRE_PROCESSING_RATIONALE = "The input is a legitimate question for the agent.";

/** The `demo` answer for an input text: it quotes the (whitespace-collapsed, capped) question. */
export function demoAnswer(inputText: string | undefined): string {
  const question = (inputText ?? "").replace(/\s+/g, " ").trim();
  const quoted = question.length > 200 ? `${question.slice(0, 200)}…` : question;
  const opening = quoted ? `Hello! You asked: "${quoted}".` : "Hello! Your message was empty.";
  return (
    `${opening} I am the Bedrock Agents emulator, so this answer is scripted, ` +
    "but it travelled over the real InvokeAgent protocol: signed with SigV4, streamed as " +
    "event-stream frames and checked with CRCs. Ask me anything else!"
  );
}

/** Splits text into pieces of a few words (spaces kept), as a streaming agent sends them. */
export function wordPieces(text: string, wordsPerPiece = 3): string[] {
  const words = text.match(/\S+\s*/g) ?? [text];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerPiece) pieces.push(words.slice(i, i + wordsPerPiece).join(""));
  return pieces;
}

function answerSteps(text: string, stream: boolean, delayMs: number): Step[] {
  if (!stream) return [{ frame: chunkFrame(text) }];
  const steps: Step[] = [];
  for (const piece of wordPieces(text)) steps.push({ delayMs }, { frame: chunkFrame(piece) });
  return steps;
}

export const DEMO_PIECE_DELAY_MS = 5;

function demoSteps(req: ScenarioRequest, forceStream = false, pieceDelayMs = DEMO_PIECE_DELAY_MS): Step[] {
  const text = demoAnswer(req.body.inputText);
  const stream = forceStream || req.body.streamingConfigurations?.streamFinalResponse === true;
  const id = traceIdBase();
  const [orchIn, orchOut] = modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, DEMO_CALLS.orchestration, {
    reasoningContent: { reasoningText: { text: DEMO_REASONING_TEXT, signature: "emulator-signature" } },
  }) as [Step, Step];
  const finish: Step[] = [
    orchOut,
    trace(req, "orchestrationTrace", { rationale: { traceId: `${id}-0`, text: DEMO_RATIONALE_TEXT } }),
    trace(req, "orchestrationTrace", {
      observation: { traceId: `${id}-0`, type: "FINISH", finalResponse: { text, metadata: { operationTotalTimeMs: 1200 } } },
    }),
    ...modelCall(req, "postProcessingTrace", `${id}-post-0`, DEMO_MODEL, DEMO_CALLS.post, {
      parsedResponse: { text },
    }),
  ];
  const pre = modelCall(req, "preProcessingTrace", `${id}-pre-0`, DEMO_MODEL, DEMO_CALLS.pre, {
    parsedResponse: { isValid: true, rationale: DEMO_PRE_PROCESSING_RATIONALE },
  });
  // Streaming: text goes out while the orchestration model generates, so its usage (and the
  // post-processing) arrive after the text; otherwise the one chunk comes last.
  return stream
    ? [...pre, { delayMs: 5 }, orchIn, ...answerSteps(text, true, pieceDelayMs), ...finish]
    : [...pre, { delayMs: 5 }, orchIn, { delayMs: 5 }, ...finish, ...answerSteps(text, false, 0)];
}

/** `demo[:<ms>]`: the optional argument is the pause between streamed pieces (a slower demo). */
const demo: Scenario = (req) => {
  const ms = req.args[0] ? Number(req.args[0]) : DEMO_PIECE_DELAY_MS;
  if (!Number.isFinite(ms) || ms < 0) return validation("emulator: demo:<ms> needs a number");
  return { steps: demoSteps(req, false, ms) };
};

// ---------------------------------------------------------------------------------------------
// echo: tells the client what it sent.

const echo: Scenario = (req) => ({
  steps: [
    {
      frame: chunkFrame(JSON.stringify({ method: req.method, path: req.path, headers: req.headers, body: req.body })),
    },
  ],
});

// ---------------------------------------------------------------------------------------------
// usage-all-kinds: a model call in every kind of trace, and a collaborator on another model.

export const COLLABORATOR_NAME = "WeatherExpert";
export const COLLABORATOR_AGENT_ID = "COLLAB0001";
export const COLLABORATOR_ALIAS_ID = "COLLABALIA";
export const USAGE_ALL_KINDS_TEXT = "It will be sunny in Lisbon tomorrow, 24 °C at noon, according to my weather colleague.";
/** Sum over all six model calls. */
export const USAGE_ALL_KINDS_EXPECTED_USAGE: TokenUsage = { inputTokens: 6350, outputTokens: 592 };
/** Per foundation model: summed usage and number of model calls. */
export const USAGE_ALL_KINDS_BY_MODEL: Readonly<Record<string, TokenUsage & { calls: number }>> = {
  [DEMO_MODEL]: { inputTokens: 5100, outputTokens: 370, calls: 4 },
  [COLLABORATOR_MODEL]: { inputTokens: 1250, outputTokens: 222, calls: 2 },
};
/** The reasoning in its traces besides prompts and raw outputs: rationales, a custom orchestrator's step, reasoning text. */
export const USAGE_ALL_KINDS_REASONING = {
  preProcessing: "A weather question.",
  rationale: "I will ask the weather expert.",
  customOrchestration: "custom orchestration step: merge collaborator answer",
  reasoning: "The collaborator answered; I can reply now.",
} as const;
/** Trace kinds (Trace union members) the scenario sends, with usage or not. */
export const USAGE_ALL_KINDS_TRACE_KINDS = [
  "routingClassifierTrace",
  "preProcessingTrace",
  "orchestrationTrace",
  "guardrailTrace",
  "customOrchestrationTrace",
  "postProcessingTrace",
] as const;

const usageAllKinds: Scenario = (req) => {
  const id = traceIdBase();
  const collab: TraceOrigin = {
    agentId: COLLABORATOR_AGENT_ID,
    agentAliasId: COLLABORATOR_ALIAS_ID,
    collaboratorName: COLLABORATOR_NAME,
    callerChain: [
      { agentAliasArn: aliasArn(req.agentId, req.agentAliasId) },
      { agentAliasArn: aliasArn(COLLABORATOR_AGENT_ID, COLLABORATOR_ALIAS_ID) },
    ],
  };
  const supervisor: TraceOrigin = { callerChain: [{ agentAliasArn: aliasArn(req.agentId, req.agentAliasId) }] };
  const steps: Step[] = [
    trace(req, "guardrailTrace", {
      traceId: `${id}-guardrail-pre-0`,
      action: "NONE",
      inputAssessments: [{}],
      metadata: { totalTimeMs: 35, startTime: new Date().toISOString(), endTime: new Date().toISOString() },
    }),
    ...modelCall(req, "routingClassifierTrace", `${id}-routing-0`, COLLABORATOR_MODEL, { inputTokens: 300, outputTokens: 12 }, {}, supervisor),
    ...modelCall(req, "preProcessingTrace", `${id}-pre-0`, DEMO_MODEL, { inputTokens: 700, outputTokens: 40 }, {
      parsedResponse: { isValid: true, rationale: USAGE_ALL_KINDS_REASONING.preProcessing },
    }, supervisor),
    ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 1800, outputTokens: 120 }, {}, supervisor),
    trace(req, "orchestrationTrace", { rationale: { traceId: `${id}-0`, text: USAGE_ALL_KINDS_REASONING.rationale } }, supervisor),
    trace(req, "orchestrationTrace", {
      invocationInput: {
        traceId: `${id}-0`,
        invocationType: "AGENT_COLLABORATOR",
        agentCollaboratorInvocationInput: {
          agentCollaboratorName: COLLABORATOR_NAME,
          agentCollaboratorAliasArn: aliasArn(COLLABORATOR_AGENT_ID, COLLABORATOR_ALIAS_ID),
          input: { type: "TEXT", text: "Weather in Lisbon tomorrow?" },
        },
      },
    }, supervisor),
    // The collaborator's own orchestration, on another model.
    ...modelCall(req, "orchestrationTrace", `${id}-collab-0`, COLLABORATOR_MODEL, { inputTokens: 950, outputTokens: 210 }, {}, collab),
    trace(req, "orchestrationTrace", {
      observation: { traceId: `${id}-collab-0`, type: "FINISH", finalResponse: { text: "Sunny, 24 °C at noon." } },
    }, collab),
    trace(req, "customOrchestrationTrace", { traceId: `${id}-custom-0`, event: { text: USAGE_ALL_KINDS_REASONING.customOrchestration } }, supervisor),
    ...modelCall(req, "orchestrationTrace", `${id}-1`, DEMO_MODEL, { inputTokens: 2100, outputTokens: 150 }, {
      reasoningContent: { reasoningText: { text: USAGE_ALL_KINDS_REASONING.reasoning } },
    }, supervisor),
    trace(req, "orchestrationTrace", {
      observation: { traceId: `${id}-1`, type: "FINISH", finalResponse: { text: USAGE_ALL_KINDS_TEXT } },
    }, supervisor),
    ...modelCall(req, "postProcessingTrace", `${id}-post-0`, DEMO_MODEL, { inputTokens: 500, outputTokens: 60 }, {
      parsedResponse: { text: USAGE_ALL_KINDS_TEXT },
    }, supervisor),
    { frame: chunkFrame(USAGE_ALL_KINDS_TEXT) },
  ];
  return { steps };
};

// ---------------------------------------------------------------------------------------------
// usage-before-model: usage reported before any trace names the model that spent it.

export const USAGE_BEFORE_MODEL_TEXT = "Priced in the end, whatever the order of the traces.";
/** Per foundation model: what the calls of `usage-before-model` spent. */
export const USAGE_BEFORE_MODEL_BY_MODEL: Readonly<Record<string, TokenUsage>> = {
  [DEMO_MODEL]: { inputTokens: 1000, outputTokens: 100 },
  [COLLABORATOR_MODEL]: { inputTokens: 700, outputTokens: 80 },
};

const usageBeforeModel: Scenario = (req) => {
  const id = traceIdBase();
  const collab: TraceOrigin = { agentId: COLLABORATOR_AGENT_ID, agentAliasId: COLLABORATOR_ALIAS_ID, collaboratorName: COLLABORATOR_NAME };
  const [orchIn, orchOut] = modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 1000, outputTokens: 100 });
  // A collaborator call whose own step never names its model; the collaborator names it in a later step.
  const [, unnamedOut] = modelCall(req, "orchestrationTrace", `${id}-collab-0`, COLLABORATOR_MODEL, { inputTokens: 400, outputTokens: 50 }, {}, collab);
  const named = modelCall(req, "orchestrationTrace", `${id}-collab-1`, COLLABORATOR_MODEL, { inputTokens: 300, outputTokens: 30 }, {}, collab);
  return { steps: [orchOut!, unnamedOut!, orchIn!, ...named, { frame: chunkFrame(USAGE_BEFORE_MODEL_TEXT) }] };
};

// ---------------------------------------------------------------------------------------------
// usage-raw-response-*: traces shaped like real ones recorded before mid-2025 (and some later),
// whose steps carry no `modelInvocationInput.foundationModel`. The model is named only inside
// `modelInvocationOutput.rawResponse.content`, the model's own answer as text: Anthropic
// Messages JSON (its keys in either order seen), Converse JSON (no model), or plain text.

/** DEMO_MODEL and COLLABORATOR_MODEL as Anthropic's API names them inside a raw response. */
export const RAW_RESPONSE_DEMO_MODEL = "claude-3-5-sonnet-20240620";
export const RAW_RESPONSE_COLLABORATOR_MODEL = "claude-3-haiku-20240307";
export const RAW_RESPONSE_TEXT = "Your Corolla quote is ready: 24,500 EUR, delivered in May.";

interface RawBlock {
  type: "text" | "tool_use";
  [member: string]: unknown;
}

/** Anthropic Messages JSON as Bedrock returns it: `model` before `content`. */
function messagesJson(model: string, content: RawBlock[], usage: TokenUsage): string {
  return JSON.stringify({
    id: `msg_bdrk_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
  });
}

/** The same as agent traces of 2024 show it: `model` after `content`, stopped at a stop sequence. */
function messagesJsonModelLast(model: string, content: RawBlock[], usage: TokenUsage): string {
  return JSON.stringify({
    stop_sequence: "</invoke>",
    type: "message",
    id: `msg_bdrk_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
    content,
    model,
    stop_reason: "stop_sequence",
    usage: { input_tokens: usage.inputTokens, output_tokens: usage.outputTokens },
    role: "assistant",
  });
}

/** Converse JSON: the answer, usage and metrics, but no model. */
function converseJson(text: string, usage: TokenUsage): string {
  return JSON.stringify({
    output: { message: { role: "assistant", content: [{ text }] } },
    stopReason: "end_turn",
    usage: { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, totalTokens: usage.inputTokens + usage.outputTokens },
    metrics: { latencyMs: 912 },
  });
}

/** A tool call whose input has a `model` of its own, which names no foundation model. */
const QUOTE_TOOL_USE: RawBlock = {
  type: "tool_use",
  id: "toolu_bdrk_01QuoteCorolla",
  name: "dealership__get_quote",
  input: { model: "corolla", year: 2025 },
};

/** One model call as such traces have it: a step without `foundationModel`, then its output. */
function rawResponseCall(
  req: ScenarioRequest,
  kind: TraceKind,
  traceId: string,
  content: string,
  usage: TokenUsage,
  origin: TraceOrigin = {},
): Step[] {
  return [
    trace(req, kind, {
      modelInvocationInput: {
        traceId,
        type: PROMPT_TYPE[kind],
        text: `{"system":"${MODEL_PROMPT_TEXT} (emulated ${PROMPT_TYPE[kind]} prompt).","messages":[{"role":"user","content":${JSON.stringify(req.body.inputText ?? "")}}]}`,
        inferenceConfiguration: { maximumLength: 2048, stopSequences: ["</invoke>", "</answer>", "</error>"], temperature: 0, topK: 250, topP: 1 },
        promptCreationMode: "DEFAULT",
        parserMode: "DEFAULT",
      },
    }, origin),
    trace(req, kind, { modelInvocationOutput: { traceId, rawResponse: { content }, metadata: { usage } } }, origin),
  ];
}

/** What the calls of `usage-raw-response-model` spent, per model (the Bedrock ids the price table knows). */
export const USAGE_RAW_RESPONSE_MODEL_BY_MODEL: Readonly<Record<string, TokenUsage>> = {
  [DEMO_MODEL]: { inputTokens: 3200, outputTokens: 290 },
  [COLLABORATOR_MODEL]: { inputTokens: 900, outputTokens: 120 },
};

/** Every call names its model only in its raw response: the supervisor's Sonnet, the collaborator's Haiku. */
const usageRawResponseModel: Scenario = (req) => {
  const id = traceIdBase();
  const collab: TraceOrigin = { agentId: COLLABORATOR_AGENT_ID, agentAliasId: COLLABORATOR_ALIAS_ID, collaboratorName: COLLABORATOR_NAME };
  const text = (t: string): RawBlock[] => [{ type: "text", text: t }];
  const pre = { inputTokens: 700, outputTokens: 50 };
  const tool = { inputTokens: 1100, outputTokens: 90 };
  const answer = { inputTokens: 1000, outputTokens: 100 };
  const post = { inputTokens: 400, outputTokens: 50 };
  const collabCall = { inputTokens: 900, outputTokens: 120 };
  return {
    steps: [
      ...rawResponseCall(req, "preProcessingTrace", `${id}-pre-0`, messagesJson(RAW_RESPONSE_DEMO_MODEL, text("<category>D</category>"), pre), pre),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-0`, messagesJsonModelLast(RAW_RESPONSE_DEMO_MODEL, [...text("I will ask for a quote."), QUOTE_TOOL_USE], tool), tool),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-collab-0`, messagesJsonModelLast(RAW_RESPONSE_COLLABORATOR_MODEL, text("<answer>Delivery in May.</answer>"), collabCall), collabCall, collab),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-1`, messagesJson(RAW_RESPONSE_DEMO_MODEL, text(`<answer>${RAW_RESPONSE_TEXT}</answer>`), answer), answer),
      ...rawResponseCall(req, "postProcessingTrace", `${id}-post-0`, messagesJson(RAW_RESPONSE_DEMO_MODEL, text(RAW_RESPONSE_TEXT), post), post),
      { frame: chunkFrame(RAW_RESPONSE_TEXT) },
    ],
  };
};

/** What `usage-raw-response-text` spent; nothing in it names a model. */
export const USAGE_RAW_RESPONSE_TEXT_USAGE: TokenUsage = { inputTokens: 2100, outputTokens: 210 };

/** No step names the model and no raw response does: plain text, and Converse JSON. */
const usageRawResponseText: Scenario = (req) => {
  const id = traceIdBase();
  const pre = { inputTokens: 600, outputTokens: 40 };
  const orchestration = { inputTokens: 1200, outputTokens: 120 };
  const post = { inputTokens: 300, outputTokens: 50 };
  return {
    steps: [
      ...rawResponseCall(req, "preProcessingTrace", `${id}-pre-0`, "<thinking>A question about a car quote.</thinking>\n<category>D</category>", pre),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-0`, converseJson(`<answer>${RAW_RESPONSE_TEXT}</answer>`, orchestration), orchestration),
      ...rawResponseCall(req, "postProcessingTrace", `${id}-post-0`, `{${RAW_RESPONSE_TEXT}} (not JSON, though it opens like it)`, post),
      { frame: chunkFrame(RAW_RESPONSE_TEXT) },
    ],
  };
};

/** What the calls of `usage-raw-response-mixed` spent, per model (the Bedrock ids the price table knows). */
export const USAGE_RAW_RESPONSE_MIXED_BY_MODEL: Readonly<Record<string, TokenUsage>> = {
  [DEMO_MODEL]: { inputTokens: 2700, outputTokens: 260 },
  [COLLABORATOR_MODEL]: { inputTokens: 1150, outputTokens: 115 },
};

/**
 * Some steps name their model and some do not, as in traces of mid-2025: routing names Haiku in
 * its raw response only; the orchestration's first call names Sonnet in its step, its second
 * one nowhere (Converse JSON); post-processing answers in plain text; the collaborator names
 * Haiku in one raw response and nothing in its next.
 */
const usageRawResponseMixed: Scenario = (req) => {
  const id = traceIdBase();
  const collab: TraceOrigin = { agentId: COLLABORATOR_AGENT_ID, agentAliasId: COLLABORATOR_ALIAS_ID, collaboratorName: COLLABORATOR_NAME };
  const text = (t: string): RawBlock[] => [{ type: "text", text: t }];
  const routing = { inputTokens: 250, outputTokens: 15 };
  const named = { inputTokens: 1000, outputTokens: 100 };
  const converse = { inputTokens: 1300, outputTokens: 120 };
  const post = { inputTokens: 400, outputTokens: 40 };
  const collabRead = { inputTokens: 600, outputTokens: 60 };
  const collabText = { inputTokens: 300, outputTokens: 40 };
  return {
    steps: [
      ...rawResponseCall(req, "routingClassifierTrace", `${id}-routing-0`, messagesJson(RAW_RESPONSE_COLLABORATOR_MODEL, text("<a>undecidable</a>"), routing), routing),
      ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, named, {}),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-collab-0`, messagesJsonModelLast(RAW_RESPONSE_COLLABORATOR_MODEL, [QUOTE_TOOL_USE], collabRead), collabRead, collab),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-collab-1`, "<answer>24,500 EUR, delivered in May.</answer>", collabText, collab),
      ...rawResponseCall(req, "orchestrationTrace", `${id}-1`, converseJson(`<answer>${RAW_RESPONSE_TEXT}</answer>`, converse), converse),
      ...rawResponseCall(req, "postProcessingTrace", `${id}-post-0`, RAW_RESPONSE_TEXT, post),
      { frame: chunkFrame(RAW_RESPONSE_TEXT) },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// multi-chunk: one answer in many chunk events.

export const MULTI_CHUNK_COUNT = 50;
export const MULTI_CHUNK_PARTS: readonly string[] = Array.from(
  { length: MULTI_CHUNK_COUNT },
  (_, i) => `Part ${String(i + 1).padStart(2, "0")} of ${MULTI_CHUNK_COUNT}${i + 1 === MULTI_CHUNK_COUNT ? "." : ", "}`,
);
export const MULTI_CHUNK_TEXT = MULTI_CHUNK_PARTS.join("");

const multiChunk: Scenario = () => ({
  steps: MULTI_CHUNK_PARTS.flatMap((part): Step[] => [{ frame: chunkFrame(part) }, { delayMs: 1 }]),
});

// ---------------------------------------------------------------------------------------------
// utf8-split: chunk boundaries cut multi-byte characters in the middle.

export const UTF8_SPLIT_TEXT =
  "Café crème, naïve façade — Ελληνικά, Кириллица, 東京タワー 🗼, 日本語のテキスト, emoji 😀🎉👩‍💻 and 𝄞 music; 한국어 ✓ fin.";

/** The chunks' raw bytes: every multi-byte character is cut after its first byte. */
export const UTF8_SPLIT_CHUNKS: readonly Uint8Array[] = (() => {
  const bytes = utf8(UTF8_SPLIT_TEXT);
  const cuts: number[] = [];
  let at = 0;
  for (const ch of UTF8_SPLIT_TEXT) {
    const size = utf8(ch).length;
    if (size > 1) cuts.push(at + 1);
    if (size === 4) cuts.push(at + 3); // 4-byte characters are cut twice
    at += size;
  }
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.slice(start, cut));
    start = cut;
  }
  chunks.push(bytes.slice(start));
  return chunks;
})();

const utf8Split: Scenario = () => ({ steps: UTF8_SPLIT_CHUNKS.map((bytes) => ({ frame: chunkFrame(bytes) })) });

// ---------------------------------------------------------------------------------------------
// citations: chunks carrying attribution.citations. Spans index the whole answer in UTF-16 code
// units (JavaScript string indices), start inclusive, end exclusive.

export interface CitationChunk {
  text: string;
  attribution?: { citations: unknown[] };
}

const CITATION_PARTS = [
  "Lisbon (Lisboa in Portuguese) is the capital of Portugal and its largest city. ",
  "It lies on the estuary of the Tagus river, where São Jorge castle overlooks the old town. ",
  "Anything else you would like to know?",
];
export const CITATIONS_TEXT = CITATION_PARTS.join("");
export const CITATION_WEB_URL = "https://en.wikipedia.org/wiki/Lisbon";
export const CITATION_S3_URI = "s3://emulator-knowledge-base/cities/lisbon.md";

function span(part: number): { start: number; end: number } {
  const start = CITATION_PARTS.slice(0, part).join("").length;
  return { start, end: start + (CITATION_PARTS[part] ?? "").length };
}

/** The chunk payloads exactly as sent (text, then its attribution when it has one). */
export const CITATIONS_CHUNKS: readonly CitationChunk[] = [
  {
    text: CITATION_PARTS[0]!,
    attribution: {
      citations: [
        {
          generatedResponsePart: { textResponsePart: { text: CITATION_PARTS[0]!, span: span(0) } },
          retrievedReferences: [
            {
              content: { text: "Lisbon is the capital and largest city of Portugal.", type: "TEXT" },
              location: { type: "WEB", webLocation: { url: CITATION_WEB_URL } },
              metadata: { "x-amz-bedrock-kb-source-uri": CITATION_WEB_URL, "x-amz-bedrock-kb-chunk-id": "chunk-0001" },
            },
            {
              content: { text: "Lisboa, capital of Portugal, population 545,000 (city).", type: "TEXT" },
              location: { type: "S3", s3Location: { uri: CITATION_S3_URI } },
              metadata: { "x-amz-bedrock-kb-source-uri": CITATION_S3_URI, "x-amz-bedrock-kb-chunk-id": "chunk-0002" },
            },
          ],
        },
      ],
    },
  },
  {
    text: CITATION_PARTS[1]!,
    attribution: {
      citations: [
        {
          generatedResponsePart: { textResponsePart: { text: CITATION_PARTS[1]!, span: span(1) } },
          retrievedReferences: [
            {
              content: { text: "The city lies on the Tagus estuary; São Jorge castle sits on its highest hill.", type: "TEXT" },
              location: { type: "S3", s3Location: { uri: CITATION_S3_URI } },
              metadata: { "x-amz-bedrock-kb-source-uri": CITATION_S3_URI, "x-amz-bedrock-kb-chunk-id": "chunk-0003" },
            },
          ],
        },
      ],
    },
  },
  { text: CITATION_PARTS[2]! },
];

const citations: Scenario = (req) => {
  const id = traceIdBase();
  return {
    steps: [
      ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 900, outputTokens: 80 }),
      ...CITATIONS_CHUNKS.flatMap((c): Step[] => [{ delayMs: 2 }, { frame: chunkFrame(c.text, c.attribution) }]),
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// citation-sources: knowledge-base references without a URL in their location (CUSTOM, SQL,
// KENDRA without a URI, S3 with only `x-amz-bedrock-kb-source-uri`), and references that
// repeat a source for one span (two chunks of one document, one citation given twice, one URL
// twice): 5 sources-and-spans in all.

const SOURCES_PARTS = [
  "Staff may work from Lisbon for up to 30 days a year. ",
  "Lisbon has about 545,000 inhabitants. ",
  "Porto is the second city, on the Douro. ",
  "Shall I look up more?",
];
export const CITATION_SOURCES_TEXT = SOURCES_PARTS.join("");
export const CITATION_CUSTOM_ID = "policy-handbook-2026";
export const CITATION_SQL_QUERY = "SELECT city, population FROM cities WHERE city = 'Lisbon'";
export const CITATION_KENDRA_ID = "kendra-doc-8f2c";
export const CITATION_KENDRA_TITLE = "Portuguese cities: a gazetteer";
/** Longer than the 1,000 characters a citation keeps of it. */
export const CITATION_KENDRA_PASSAGE = `Lisbon, population 545,000. ${"Gazetteer entry. ".repeat(80)}`;
export const CITATION_METADATA_URI = "s3://emulator-knowledge-base/cities/porto.md";
export const CITATION_PORTO_URL = "https://en.wikipedia.org/wiki/Porto";
/** Each distinct source and span, in the order cited: what a client should see once each. */
export const CITATION_SOURCES_EXPECTED = [
  { source: CITATION_CUSTOM_ID, url: false, text: SOURCES_PARTS[0]!, passage: "Remote work from Lisbon: up to 30 days in a calendar year." },
  { source: CITATION_SQL_QUERY, url: false, text: SOURCES_PARTS[1]!, passage: "city: Lisbon, population: 545000" },
  { source: CITATION_KENDRA_ID, url: false, text: SOURCES_PARTS[1]!, passage: CITATION_KENDRA_PASSAGE.slice(0, 1000) },
  { source: CITATION_METADATA_URI, url: true, text: SOURCES_PARTS[2]!, passage: "Porto, on the Douro, is Portugal's second city." },
  { source: CITATION_PORTO_URL, url: true, text: SOURCES_PARTS[2]!, passage: "Porto is the second-largest city in Portugal." },
] as const;

function sourcesSpan(part: number) {
  const start = SOURCES_PARTS.slice(0, part).join("").length;
  return { textResponsePart: { text: SOURCES_PARTS[part]!, span: { start, end: start + SOURCES_PARTS[part]!.length } } };
}

const customReference = (chunk: string, text: string) => ({
  content: { text, type: "TEXT" },
  location: { type: "CUSTOM", customDocumentLocation: { id: CITATION_CUSTOM_ID } },
  metadata: { "x-amz-bedrock-kb-chunk-id": chunk, "x-amz-bedrock-kb-data-source-id": "CUSTOMDS01" },
});
const portoWebReference = {
  content: { text: "Porto is the second-largest city in Portugal.", type: "TEXT" },
  location: { type: "WEB", webLocation: { url: CITATION_PORTO_URL } },
};

export const CITATION_SOURCES_CHUNKS: readonly CitationChunk[] = [
  {
    text: SOURCES_PARTS[0]!,
    attribution: {
      citations: [
        {
          generatedResponsePart: sourcesSpan(0),
          retrievedReferences: [
            customReference("chunk-0101", "Remote work from Lisbon: up to 30 days in a calendar year."),
            customReference("chunk-0102", "Requests go to your manager 2 weeks ahead."),
          ],
        },
        { generatedResponsePart: sourcesSpan(0), retrievedReferences: [customReference("chunk-0103", "Applies to all staff.")] },
      ],
    },
  },
  {
    text: SOURCES_PARTS[1]!,
    attribution: {
      citations: [
        {
          generatedResponsePart: sourcesSpan(1),
          retrievedReferences: [
            {
              content: {
                type: "ROW",
                row: [
                  { columnName: "city", columnValue: "Lisbon", type: "STRING" },
                  { columnName: "population", columnValue: "545000", type: "LONG" },
                ],
              },
              location: { type: "SQL", sqlLocation: { query: CITATION_SQL_QUERY } },
            },
            {
              content: { text: CITATION_KENDRA_PASSAGE, type: "TEXT" },
              location: { type: "KENDRA", kendraDocumentLocation: {} },
              metadata: { "x-amz-kendra-document-id": CITATION_KENDRA_ID, "x-amz-kendra-document-title": CITATION_KENDRA_TITLE },
            },
          ],
        },
      ],
    },
  },
  {
    text: SOURCES_PARTS[2]!,
    attribution: {
      citations: [
        {
          generatedResponsePart: sourcesSpan(2),
          retrievedReferences: [
            {
              content: { text: "Porto, on the Douro, is Portugal's second city.", type: "TEXT" },
              location: { type: "S3" },
              metadata: { "x-amz-bedrock-kb-source-uri": CITATION_METADATA_URI, "x-amz-bedrock-kb-chunk-id": "chunk-0201" },
            },
            portoWebReference,
            portoWebReference,
          ],
        },
      ],
    },
  },
  { text: SOURCES_PARTS[3]! },
];

const citationSources: Scenario = (req) => {
  const id = traceIdBase();
  return {
    steps: [
      ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 700, outputTokens: 60 }),
      ...CITATION_SOURCES_CHUNKS.flatMap((c): Step[] => [{ delayMs: 2 }, { frame: chunkFrame(c.text, c.attribution) }]),
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// return-control: the agent asks the caller to run two actions, then uses their results.

export const RETURN_CONTROL_INPUTS = [
  {
    functionInvocationInput: {
      actionGroup: "WeatherTools",
      actionInvocationType: "RESULT",
      function: "get_forecast",
      parameters: [
        { name: "city", type: "string", value: "Lisbon" },
        { name: "days", type: "integer", value: "3" },
        { name: "min_temperature", type: "number", value: "12.5" },
        { name: "include_hourly", type: "boolean", value: "false" },
        { name: "units", type: "array", value: '["celsius","mm"]' },
      ],
    },
  },
  {
    apiInvocationInput: {
      actionGroup: "BookingAPI",
      actionInvocationType: "RESULT",
      apiPath: "/bookings/{city}",
      httpMethod: "POST",
      parameters: [{ name: "city", type: "string", value: "Lisbon" }],
      requestBody: {
        content: {
          "application/json": {
            properties: [
              { name: "nights", type: "integer", value: "2" },
              { name: "guests", type: "integer", value: "2" },
              { name: "breakfast", type: "boolean", value: "true" },
            ],
          },
        },
      },
    },
  },
] as const;

/** FNV-1a, to derive stable ids from a session id without server state. */
function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The invocationId of the returnControl event sent on a session (stable, uuid-shaped). */
export function returnControlInvocationId(sessionId: string): string {
  const hex = [1, 2, 3, 4].map((s) => fnv1a(sessionId, s).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The answer to a follow-up carrying the results: it quotes each result body. */
export function returnControlFollowUpText(results: readonly InvocationResult[]): string {
  const parts = results.map((r) => {
    if (r.functionResult) {
      const f = r.functionResult;
      return `${f.function ?? f.actionGroup} returned ${JSON.stringify(f.responseBody?.TEXT?.body ?? "")}`;
    }
    const a = r.apiResult!;
    const body = Object.values(a.responseBody ?? {})[0]?.body ?? "";
    return `${a.httpMethod ?? "?"} ${a.apiPath ?? "?"} returned ${a.httpStatusCode ?? 200} ${JSON.stringify(body)}`;
  });
  return `Thanks, I have the results: ${parts.join("; ")}. Your trip to Lisbon is planned.`;
}

const returnControl: Scenario = (req) => {
  const state = req.body.sessionState;
  const results = state?.returnControlInvocationResults;
  const expectedId = returnControlInvocationId(req.sessionId);
  const id = traceIdBase();
  if (results && results.length > 0) {
    if (state?.invocationId !== expectedId) {
      return validation(
        `The invocationId ${JSON.stringify(state?.invocationId ?? null)} in sessionState does not match the pending invocation of this session.`,
      );
    }
    const text = returnControlFollowUpText(results);
    return {
      steps: [
        ...modelCall(req, "orchestrationTrace", `${id}-1`, DEMO_MODEL, { inputTokens: 1400, outputTokens: 70 }),
        { frame: chunkFrame(text) },
      ],
    };
  }
  return {
    steps: [
      ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 1300, outputTokens: 140 }),
      trace(req, "orchestrationTrace", { rationale: { traceId: `${id}-0`, text: "I need the forecast and a booking." } }),
      { frame: eventFrame("returnControl", { invocationId: expectedId, invocationInputs: RETURN_CONTROL_INPUTS }) },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// files: a code-interpreter style files event, then the answer.

const PNG_1X1 = fromBase64(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
);
export const FILES_EXPECTED: readonly { name: string; type: string; bytes: Uint8Array }[] = [
  { name: "forecast.csv", type: "text/csv", bytes: utf8("day,city,max_c\n1,Lisbon,24\n2,Lisbon,22\n3,Lisbon,21\n") },
  { name: "chart.png", type: "image/png", bytes: PNG_1X1 },
];
export const FILES_TEXT = "I generated a CSV of the forecast and a chart; both files are attached.";

const files: Scenario = (req) => {
  const id = traceIdBase();
  return {
    steps: [
      ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 1100, outputTokens: 220 }),
      trace(req, "orchestrationTrace", {
        invocationInput: {
          traceId: `${id}-0`,
          invocationType: "ACTION_GROUP_CODE_INTERPRETER",
          codeInterpreterInvocationInput: { code: "import pandas as pd\n# build forecast.csv and chart.png", files: [] },
        },
      }),
      { frame: eventFrame("files", { files: FILES_EXPECTED.map((f) => ({ name: f.name, type: f.type, bytes: base64(f.bytes) })) }) },
      { frame: chunkFrame(FILES_TEXT) },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// unknown-event: an event type this client does not know yet, which it must skip.

export const UNKNOWN_EVENT_TYPE = "agentFutureEvent";
export const UNKNOWN_EVENT_PARTS = ["Before the unknown event. ", "After it."];
export const UNKNOWN_EVENT_TEXT = UNKNOWN_EVENT_PARTS.join("");
const unknownEvent: Scenario = () => ({
  steps: [
    { frame: chunkFrame(UNKNOWN_EVENT_PARTS[0]!) },
    { frame: eventFrame(UNKNOWN_EVENT_TYPE, { note: "a member added to ResponseStream after this client was built" }) },
    { frame: chunkFrame(UNKNOWN_EVENT_PARTS[1]!) },
  ],
});

// ---------------------------------------------------------------------------------------------
// Failures: HTTP errors, exceptions and error frames in the stream, corruption, truncation.

const httpError: Scenario = (req) => {
  const code = req.args[0] || "ThrottlingException";
  const status = req.args[1] ? Number(req.args[1]) : HTTP_ERROR_STATUS[code];
  if (!status || !Number.isInteger(status) || status < 400 || status > 599) {
    return validation(`emulator: http-error:${code} needs a status, e.g. http-error:${code}:418`);
  }
  return { status, errorType: code, message: errorMessage(code) };
};

export const EXCEPTION_MID_STREAM_PARTS = ["Here is the beginning ", "of an answer that ", "will never be finished"];
export const EXCEPTION_MID_STREAM_TEXT = EXCEPTION_MID_STREAM_PARTS.join("");
/** Payload of an exception frame (resourceName only for the two exceptions that model it). */
export function exceptionPayload(exceptionType: string): { message: string; resourceName?: string } {
  const message = errorMessage(exceptionType);
  return exceptionType === "dependencyFailedException" || exceptionType === "badGatewayException"
    ? { message, resourceName: "emulator-action-group-lambda" }
    : { message };
}

const exceptionMidStream: Scenario = (req) => {
  const type = req.args[0] || "throttlingException";
  const id = traceIdBase();
  return {
    steps: [
      ...modelCall(req, "preProcessingTrace", `${id}-pre-0`, DEMO_MODEL, DEMO_CALLS.pre),
      ...EXCEPTION_MID_STREAM_PARTS.flatMap((p): Step[] => [{ delayMs: 3 }, { frame: chunkFrame(p) }]),
      { delayMs: 3 },
      { frame: exceptionFrame(type, exceptionPayload(type)) },
    ],
  };
};

export const ERROR_FRAME_TEXT = "Text before an unmodeled error frame. ";
const errorFrameScenario: Scenario = (req) => ({
  steps: [
    { frame: chunkFrame(ERROR_FRAME_TEXT) },
    { frame: errorFrame(req.args[0] || "InternalFailure", req.args[1] || "emulated unmodeled error frame") },
  ],
});

export const CORRUPT_CRC_VALID_TEXT = "This chunk is intact. ";
const corruptCrc: Scenario = () => {
  const bad = chunkFrame("This chunk is corrupted on the wire and must never be shown.");
  const headersLength = new DataView(bad.buffer, bad.byteOffset).getUint32(4);
  bad[12 + headersLength + 5] = bad[12 + headersLength + 5]! ^ 0x01; // a payload byte: the prelude stays valid, the message CRC fails
  return { steps: [{ frame: chunkFrame(CORRUPT_CRC_VALID_TEXT) }, { delayMs: 2 }, { raw: bad }] };
};

export const TRUNCATED_VALID_TEXT = "This chunk arrives whole. ";
export const TRUNCATED_DEFAULT_BYTES = 20;
const truncated: Scenario = (req) => {
  const whole = chunkFrame("This chunk is cut short by the connection.");
  const keep = req.args[0] ? Number(req.args[0]) : TRUNCATED_DEFAULT_BYTES;
  if (!Number.isInteger(keep) || keep < 1 || keep >= whole.length) {
    return validation(`emulator: truncated:<bytes> must be 1..${whole.length - 1}`);
  }
  return { steps: [{ frame: chunkFrame(TRUNCATED_VALID_TEXT) }, { delayMs: 2 }, { raw: whole.slice(0, keep) }] };
};

// ---------------------------------------------------------------------------------------------
// Timing: slow first token, stalls.

export const SLOW_FIRST_TOKEN_DEFAULT_MS = 1500;
const slowFirstToken: Scenario = (req) => {
  const ms = req.args[0] ? Number(req.args[0]) : SLOW_FIRST_TOKEN_DEFAULT_MS;
  if (!Number.isFinite(ms) || ms < 0) return validation("emulator: slow-first-token:<ms> needs a number");
  return { steps: [{ delayMs: ms }, ...demoSteps(req, true)] };
};

export const STALL_DEFAULT_MS = 60_000;
export const STALL_TEXT_BEFORE = "The agent starts answering, ";
export const STALL_TEXT_AFTER = "then finishes after a long silence.";
export const STALL_TEXT = STALL_TEXT_BEFORE + STALL_TEXT_AFTER;
const stall: Scenario = (req) => {
  const ms = req.args[0] ? Number(req.args[0]) : STALL_DEFAULT_MS;
  if (!Number.isFinite(ms) || ms < 0) return validation("emulator: stall:<ms> needs a number");
  const id = traceIdBase();
  return {
    steps: [
      ...modelCall(req, "preProcessingTrace", `${id}-pre-0`, DEMO_MODEL, DEMO_CALLS.pre),
      { frame: chunkFrame(STALL_TEXT_BEFORE) },
      { delayMs: ms },
      { frame: chunkFrame(STALL_TEXT_AFTER) },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// large-random-slices: ≈1 MB over ~2,000 chunks, written in random slices.

export const LARGE_CHUNK_COUNT = 2000;
export const LARGE_TEXT_MIN_BYTES = 1_000_000;
const LARGE_WORDS = ["agent", "stream", "frame", "bytes", "naïve", "façade", "東京", "データ", "🚀", "𝄞", "Ωmega", "crc", "the", "of", "and"];

let largeCache: { text: string; chunks: Uint8Array[] } | undefined;

/** The large answer and its chunk bytes; independent of the slicing seed. Cut anywhere, even inside characters. */
export function largeAnswer(): { text: string; chunks: readonly Uint8Array[] } {
  if (largeCache) return largeCache;
  const rng = mulberry32(0x5eed);
  const words: string[] = [];
  let bytes = 0;
  while (bytes < LARGE_TEXT_MIN_BYTES) {
    const word = LARGE_WORDS[Math.floor(rng() * LARGE_WORDS.length)]!;
    const sep = rng() < 0.08 ? ".\n" : " ";
    words.push(word + sep);
    bytes += utf8(word + sep).length;
  }
  const text = words.join("");
  const all = utf8(text);
  // Chunk sizes vary around the mean, so boundaries fall everywhere.
  const mean = all.length / LARGE_CHUNK_COUNT;
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; i < LARGE_CHUNK_COUNT - 1; i++) {
    const size = Math.max(1, Math.round(mean * (0.5 + rng())));
    const end = Math.min(all.length - (LARGE_CHUNK_COUNT - 1 - i), at + size);
    chunks.push(all.slice(at, end));
    at = end;
  }
  chunks.push(all.slice(at));
  largeCache = { text, chunks };
  return largeCache;
}

/** The expected text of `large-random-slices:<seed>`: the same for every seed. */
export function largeRandomSlicesText(_seed?: number): string {
  return largeAnswer().text;
}

const largeRandomSlices: Scenario = (req) => {
  const seed = req.args[0] ? Number(req.args[0]) : 1;
  if (!Number.isInteger(seed)) return validation("emulator: large-random-slices:<seed> needs an integer");
  const id = traceIdBase();
  const steps: Step[] = [];
  largeAnswer().chunks.forEach((bytes, i) => {
    if (i % 100 === 0) {
      steps.push(trace(req, "orchestrationTrace", { rationale: { traceId: `${id}-${i / 100}`, text: `Still writing, part ${i / 100 + 1}.` } }));
    }
    steps.push({ frame: chunkFrame(bytes) });
  });
  return { steps, slicing: { kind: "random", seed, maxBytes: 2500, pauseMs: 1, pauseEvery: 4 } };
};

// ---------------------------------------------------------------------------------------------
// flaky: the first n requests of a session fail, then the demo answer.

const flaky: Scenario = (req) => {
  const n = req.args[0] ? Number(req.args[0]) : 1;
  const code = req.args[1] || "ThrottlingException";
  if (!Number.isInteger(n) || n < 0) return validation("emulator: flaky:<n>:<Code> needs an integer n");
  if (req.attempt <= n) return { status: HTTP_ERROR_STATUS[code] ?? 500, errorType: code, message: errorMessage(code) };
  return { steps: demoSteps(req) };
};

const flakyFrame: Scenario = (req) => {
  const n = req.args[0] ? Number(req.args[0]) : 1;
  const type = req.args[1] || "throttlingException";
  if (!Number.isInteger(n) || n < 0) return validation("emulator: flaky-frame:<n>:<type> needs an integer n");
  if (req.attempt <= n) return { steps: [{ frame: exceptionFrame(type, exceptionPayload(type)) }] };
  return { steps: demoSteps(req) };
};

// ---------------------------------------------------------------------------------------------
// guardrail-intervened: a guardrail blocks the answer and the agent says so.

export const GUARDRAIL_TEXT = "Sorry, I cannot help with that request.";

const guardrailIntervened: Scenario = (req) => {
  const id = traceIdBase();
  return {
    steps: [
      trace(req, "guardrailTrace", {
        traceId: `${id}-guardrail-pre-0`,
        action: "INTERVENED",
        inputAssessments: [{ topicPolicy: { topics: [{ name: "Investment advice", type: "DENY", action: "BLOCKED" }] } }],
      }),
      { frame: chunkFrame(GUARDRAIL_TEXT) },
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// failure-trace: the agent fails (e.g. an action group's Lambda), reported as a failureTrace.

export const FAILURE_REASON = "The Lambda function of action group WeatherTools returned an error.";

const failureTraceScenario: Scenario = (req) => {
  const id = traceIdBase();
  return {
    steps: [
      ...modelCall(req, "orchestrationTrace", `${id}-0`, DEMO_MODEL, { inputTokens: 900, outputTokens: 40 }),
      trace(req, "failureTrace", { traceId: `${id}-failure`, failureReason: FAILURE_REASON, failureCode: 424 }),
    ],
  };
};

// ---------------------------------------------------------------------------------------------
// reset: some text, then the connection is reset mid-stream.

export const RESET_TEXT_BEFORE = "The connection will drop after this. ";

const reset: Scenario = (req) => ({
  steps: [
    ...modelCall(req, "orchestrationTrace", `${traceIdBase()}-0`, DEMO_MODEL, { inputTokens: 500, outputTokens: 20 }),
    { frame: chunkFrame(RESET_TEXT_BEFORE) },
    { delayMs: 20 },
    { reset: true },
  ],
});

// ---------------------------------------------------------------------------------------------
// huge:<MB>: a long answer (default 16 MB of text in 16 KiB chunks), for backpressure and memory.

export const HUGE_CHUNK_TEXT = "All work and no play makes a long answer. ".repeat(390).slice(0, 16 * 1024);

const huge: Scenario = (req) => {
  const megabytes = Number(req.args[0] ?? 16);
  const count = Math.max(1, Math.round((megabytes * 1024 * 1024) / HUGE_CHUNK_TEXT.length));
  const frame = chunkFrame(HUGE_CHUNK_TEXT);
  return { steps: Array.from({ length: count }, () => ({ frame })) };
};

// ---------------------------------------------------------------------------------------------
// The registry and the dispatcher.

export const SCENARIOS: Readonly<Record<string, Scenario>> = {
  demo,
  echo,
  "usage-all-kinds": usageAllKinds,
  "usage-before-model": usageBeforeModel,
  "usage-raw-response-model": usageRawResponseModel,
  "usage-raw-response-text": usageRawResponseText,
  "usage-raw-response-mixed": usageRawResponseMixed,
  "real-quirks": realQuirks,
  "multi-chunk": multiChunk,
  "utf8-split": utf8Split,
  citations,
  "citation-sources": citationSources,
  "return-control": returnControl,
  files,
  "unknown-event": unknownEvent,
  "http-error": httpError,
  "exception-mid-stream": exceptionMidStream,
  "error-frame": errorFrameScenario,
  "corrupt-crc": corruptCrc,
  truncated,
  "slow-first-token": slowFirstToken,
  "large-random-slices": largeRandomSlices,
  flaky,
  "flaky-frame": flakyFrame,
  stall,
  "guardrail-intervened": guardrailIntervened,
  "failure-trace": failureTraceScenario,
  reset,
  huge,
};

export const DEFAULT_SCENARIO = "demo";

/** `"name:arg1:arg2"` → its parts. */
export function parseScenarioSelector(selector: string): { name: string; arg: string; args: string[] } {
  const colon = selector.indexOf(":");
  const name = colon < 0 ? selector : selector.slice(0, colon);
  const arg = colon < 0 ? "" : selector.slice(colon + 1);
  return { name, arg, args: arg ? arg.split(":") : [] };
}

/** The scenario named in a session id of the form `scn.<selector>.<anything>`, if any. */
export function scenarioFromSessionId(sessionId: string): string | undefined {
  const match = /^scn\.([^.]+)/.exec(sessionId);
  return match?.[1];
}

/** A session id selecting a scenario (valid for InvokeAgent: `[0-9a-zA-Z._:-]`, ≤ 100). */
export function scenarioSessionId(selector: string, suffix: string = crypto.randomUUID().slice(0, 8)): string {
  return `scn.${selector}.${suffix}`;
}

/**
 * The plan for a request. Trace events are dropped unless the body has `enableTrace: true`,
 * as the service does.
 */
export function planScenario(selector: string, req: Omit<ScenarioRequest, "arg" | "args">): Plan {
  const { name, arg, args } = parseScenarioSelector(selector);
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (!scenario) {
    return validation(`emulator: unknown scenario ${JSON.stringify(name)}; known: ${Object.keys(SCENARIOS).join(", ")}`);
  }
  const plan = scenario({ ...req, arg, args });
  if (isHttpErrorPlan(plan) || req.body.enableTrace === true) return plan;
  return { ...plan, steps: plan.steps.filter((s) => !("trace" in s && s.trace)) };
}
