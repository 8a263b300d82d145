// `include_reasoning: false` keeps reasoning out of `traces` too: the rationale, the model's
// reasoning and raw output, the whole prompt. Every backend, every surface, streamed or not,
// against the emulator; and the redaction on its own. Runs under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { withoutReasoning } from "../../src/backends/trace-redaction.ts";
import { BedrockAgentClient } from "../../src/index.ts";
import { HARNESS_ARN, HARNESS_REASONING_TEXT, RUNTIME_ARN, RUNTIME_REASONING_TEXT } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  COLLABORATOR_MODEL,
  COLLABORATOR_NAME,
  DEMO_MODEL,
  DEMO_PRE_PROCESSING_RATIONALE,
  DEMO_RATIONALE_TEXT,
  DEMO_REASONING_TEXT,
  MODEL_PROMPT_TEXT,
  MODEL_RAW_OUTPUT_TEXT,
  USAGE_ALL_KINDS_REASONING,
  wordPieces,
} from "../emulator/scenarios.ts";
import { collect } from "./support/streams.ts";

const emulatorUrl = inject("emulatorUrl");
const scenario = (name: string) => `${emulatorUrl}/scenario/${name}`;
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  num_retries: 0,
});

interface Backend {
  name: string;
  model: string;
  api_base: string;
  /** Reasoning the emulator puts in this answer's traces; none of it may come back with reasoning off. */
  reasoning: string[];
  /** What is not reasoning and must stay in the traces. */
  kept: string[];
}

const CLASSIC = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const BACKENDS: Backend[] = [
  {
    name: "Agents Classic",
    model: CLASSIC,
    api_base: emulatorUrl,
    reasoning: [DEMO_REASONING_TEXT, DEMO_RATIONALE_TEXT, DEMO_PRE_PROCESSING_RATIONALE, MODEL_PROMPT_TEXT, MODEL_RAW_OUTPUT_TEXT],
    kept: [DEMO_MODEL, '"inputTokens":1536', '"finalResponse"'],
  },
  {
    name: "Agents Classic, every trace kind and a collaborator",
    model: CLASSIC,
    api_base: scenario("usage-all-kinds"),
    reasoning: [...Object.values(USAGE_ALL_KINDS_REASONING), MODEL_PROMPT_TEXT, MODEL_RAW_OUTPUT_TEXT],
    kept: [COLLABORATOR_MODEL, COLLABORATOR_NAME, '"guardrailTrace"', '"agentCollaboratorInvocationInput"', '"inputTokens":950'],
  },
  {
    name: "AgentCore harness",
    model: `bedrock/agentcore/${HARNESS_ARN}`,
    api_base: emulatorUrl,
    reasoning: [HARNESS_REASONING_TEXT],
    kept: ['"metadata"', '"messageStop"'],
  },
  {
    name: "AgentCore runtime, SSE",
    model: `bedrock/agentcore/${RUNTIME_ARN}`,
    api_base: scenario("reasoning"),
    reasoning: wordPieces(RUNTIME_REASONING_TEXT),
    kept: ['"metadata"', '"messageStop"'],
  },
  {
    name: "AgentCore runtime, JSON",
    model: `bedrock/agentcore/${RUNTIME_ARN}`,
    api_base: scenario("reasoning:json"),
    reasoning: [RUNTIME_REASONING_TEXT],
    kept: ['"result"'],
  },
];

type Surface = "chat" | "responses" | "messages";
const SURFACES: Surface[] = ["chat", "responses", "messages"];

/** The raw traces of one call, streamed or not, through a surface. */
async function traces(backend: Backend, surface: Surface, stream: boolean, includeReasoning: boolean): Promise<unknown[]> {
  const common = { model: backend.model, api_base: backend.api_base, include_traces: true, include_reasoning: includeReasoning, stream };
  if (surface === "chat") {
    const answer = await client.completion({ ...common, messages: [{ role: "user", content: "Hello" }] });
    if (!stream) return (answer as { traces?: unknown[] }).traces ?? [];
    return (await collect(answer as AsyncIterable<{ trace?: unknown }>)).flatMap((chunk) => (chunk.trace === undefined ? [] : [chunk.trace]));
  }
  if (surface === "responses") {
    const answer = await client.responses({ ...common, input: "Hello" });
    if (!stream) return (answer as { traces?: unknown[] }).traces ?? [];
    const events = await collect(answer as AsyncIterable<{ type: string; response?: { traces?: unknown[] } }>);
    return events.find((event) => event.type === "response.completed")?.response?.traces ?? [];
  }
  const answer = await client.messages({ ...common, max_tokens: 100, messages: [{ role: "user", content: "Hello" }] });
  if (!stream) return (answer as { traces?: unknown[] }).traces ?? [];
  // message_delta carries every trace of the answer (message_start those before its first event).
  const events = await collect(answer as AsyncIterable<{ type: string; traces?: unknown[] }>);
  return events.find((event) => event.type === "message_delta")?.traces ?? [];
}

describe.each(BACKENDS)("traces of $name", (backend) => {
  describe.each(SURFACES)("through %s", (surface) => {
    it.each([false, true])("with include_reasoning: false hold no reasoning, and keep the rest (stream: %s)", async (stream) => {
      const json = JSON.stringify(await traces(backend, surface, stream, false));
      for (const text of backend.reasoning) expect(json, text).not.toContain(text);
      for (const text of backend.kept) expect(json, text).toContain(text);
    });

    it("hold the reasoning with include_reasoning on, so the search above can find it", async () => {
      const json = JSON.stringify(await traces(backend, surface, false, true));
      for (const text of backend.reasoning) expect(json, text).toContain(text);
    });
  });
});

describe("withoutReasoning", () => {
  const classic = {
    agentId: "AGENT",
    collaboratorName: "Helper",
    callerChain: [{ agentAliasArn: "arn:aws:bedrock:us-east-1:123456789012:agent-alias/AGENT/ALIAS" }],
    trace: {
      orchestrationTrace: {
        modelInvocationInput: { traceId: "t-0", type: "ORCHESTRATION", foundationModel: "m", text: "SYSTEM PROMPT", inferenceConfiguration: { temperature: 0 } },
        modelInvocationOutput: {
          traceId: "t-0",
          rawResponse: { content: "RAW" },
          reasoningContent: { reasoningText: { text: "THINKING", signature: "SIG" } },
          metadata: { usage: { inputTokens: 10, outputTokens: 2 } },
        },
        rationale: { traceId: "t-0", text: "RATIONALE" },
        invocationInput: { actionGroupInvocationInput: { actionGroupName: "weather", function: "forecast", parameters: [{ name: "city", type: "string", value: "Lisbon" }] } },
        observation: { type: "REPROMPT", repromptResponse: { source: "PARSER", text: "PLEASE ANSWER AGAIN" }, knowledgeBaseLookupOutput: { retrievedReferences: [{ content: { text: "a document" } }] } },
      },
    },
  };

  it("removes the prompt, raw output, reasoning, rationale and reprompt of a Classic trace, and keeps the rest", () => {
    const kept = withoutReasoning(classic) as typeof classic;
    const json = JSON.stringify(kept);
    for (const secret of ["SYSTEM PROMPT", "RAW", "THINKING", "SIG", "RATIONALE", "PLEASE ANSWER AGAIN"]) expect(json).not.toContain(secret);
    expect(kept).toEqual({
      agentId: "AGENT",
      collaboratorName: "Helper",
      callerChain: classic.callerChain,
      trace: {
        orchestrationTrace: {
          modelInvocationInput: { traceId: "t-0", type: "ORCHESTRATION", foundationModel: "m", inferenceConfiguration: { temperature: 0 } },
          modelInvocationOutput: { traceId: "t-0", metadata: { usage: { inputTokens: 10, outputTokens: 2 } } },
          invocationInput: classic.trace.orchestrationTrace.invocationInput,
          observation: { type: "REPROMPT", repromptResponse: { source: "PARSER" }, knowledgeBaseLookupOutput: { retrievedReferences: [{ content: { text: "a document" } }] } },
        },
      },
    });
  });

  it("covers every trace kind that holds a prompt or reasoning", () => {
    const call = { modelInvocationInput: { foundationModel: "m", text: "PROMPT" }, modelInvocationOutput: { rawResponse: { content: "RAW" }, reasoningContent: { redactedContent: "QUJD" } } };
    const traces = {
      preProcessingTrace: { ...call, modelInvocationOutput: { ...call.modelInvocationOutput, parsedResponse: { isValid: true, rationale: "RATIONALE" } } },
      postProcessingTrace: { ...call, modelInvocationOutput: { ...call.modelInvocationOutput, parsedResponse: { text: "the answer" } } },
      routingClassifierTrace: call,
      customOrchestrationTrace: { traceId: "c-0", event: { text: '{"actionEvent":"INVOKE_MODEL","output":{"text":"PROMPT"}}' } },
    };
    const json = JSON.stringify(withoutReasoning({ trace: traces }));
    for (const secret of ["PROMPT", "RAW", "QUJD", "RATIONALE"]) expect(json).not.toContain(secret);
    expect(json).toContain('"isValid":true');
    expect(json).toContain("the answer");
    expect(json).toContain('"traceId":"c-0"');
  });

  it("removes reasoning in the shapes runtimes stream: Strands, OpenAI-compatible and Anthropic", () => {
    expect(withoutReasoning({ reasoningText: "R", delta: { reasoningContent: { text: "R" } }, reasoning: true })).toBeUndefined();
    expect(withoutReasoning({ choices: [{ index: 0, delta: { reasoning_content: "R" } }] })).toEqual({ choices: [{ index: 0 }] });
    expect(withoutReasoning({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "R" } })).toEqual({ type: "content_block_delta", index: 0 });
    expect(withoutReasoning({ content: [{ type: "thinking", thinking: "R", signature: "S" }, { type: "text", text: "hi" }] })).toEqual({ content: [{ type: "text", text: "hi" }] });
    expect(withoutReasoning({ message: { content: [{ reasoningContent: { reasoningText: { text: "R" } } }, { text: "hi" }] } })).toEqual({ message: { content: [{ text: "hi" }] } });
    expect(withoutReasoning("plain text")).toBe("plain text");
  });

  it("copies, never changes what it was given", () => {
    const before = JSON.stringify(classic);
    withoutReasoning(classic);
    expect(JSON.stringify(classic)).toBe(before);
  });

  it("keeps nothing beyond a depth no trace reaches, without recursing on", () => {
    let deep: Record<string, unknown> = { text: "DEEP" };
    for (let i = 0; i < 100_000; i++) deep = { next: deep };
    expect(withoutReasoning({ usage: 1, deep })).toEqual({ usage: 1 });
  });

  it('keeps a "__proto__" key from JSON as a plain key', () => {
    const kept = withoutReasoning(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(kept)).toBe(Object.prototype);
    expect((kept as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(kept)).toEqual(["__proto__", "a"]);
  });
});
