// real-quirks: an answer shaped like those recorded from real InvokeAgent calls: a supervisor
// that routes to a collaborator, which looks in a knowledge base, with guardrails and
// post-processing, streamed in small chunks. It carries every quirk real traces have shown:
// - `__type` keys inside objects (`inferenceConfiguration`), and a `reasoningContent` union
//   as `{"__type": ..., "reasoningText": {}}`, with no text;
// - trace ids of 40 to 53 characters with suffixes (`-pre-0`, `-routing-0`, `-guardrail-post-0`, `-KB-0-0`);
// - `metadata` with `operationTotalTimeMs` instead of `totalTimeMs`;
// - citation spans whose `end` is inclusive, counted from the first word of an answer whose
//   first chunk starts with "\n\n";
// - guardrail traces between the small chunks of `streamFinalResponse`;
// - chunk text that is the post-processing's `parsedResponse.text`;
// - the collaborator's traces with a session id of their own.
// Pure (Web APIs only): tests running inside workerd import the expectations.
import { chunkFrame, eventFrame } from "./frames.ts";
import type { Scenario, ScenarioRequest, Step, TokenUsage } from "./scenarios.ts";

export const QUIRKS_SUPERVISOR_MODEL = "anthropic.claude-3-5-sonnet-20241022-v2:0";
export const QUIRKS_ROUTER_MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
export const QUIRKS_COLLABORATOR_MODEL = "amazon.nova-pro-v1:0";
export const QUIRKS_COLLABORATOR_NAME = "ReturnsPolicyAgent";

const SENTENCES = [
  "You can return an item within 30 days of delivery.",
  "It must be unused and in its original packaging.",
  "Refunds go back to the original payment method within 5 business days.",
];
/** The answer as the chunks carry it: the post-processed text, with the "\n\n" models often start with. */
export const QUIRKS_TEXT = `\n\n${SENTENCES.join(" ")}`;
/** The policy document each sentence is cited from. */
export const QUIRKS_SOURCE_URI = "s3://acme-policies/returns/returns-policy-2025.pdf";

/** Pre-processing's verdict on the input (its parsedResponse.rationale). */
export const QUIRKS_PRE_PROCESSING_RATIONALE = "The user asks about the return policy; this is a valid request for this agent.";
/** Reasoning the traces hold, in order: the supervisor's rationale, the collaborator's reasoning and rationale. */
export const QUIRKS_REASONING = [
  "This is a returns question: I will ask the ReturnsPolicyAgent.",
  "The knowledge base has the returns policy; I should quote its three rules.",
  "I found the policy in the knowledge base and will summarise it.",
] as const;

/** Every model call: its model and usage, as the traces report them. */
export const QUIRKS_CALLS: ReadonlyArray<{ model: string; usage: TokenUsage }> = [
  { model: QUIRKS_ROUTER_MODEL, usage: { inputTokens: 402, outputTokens: 9 } },
  { model: QUIRKS_SUPERVISOR_MODEL, usage: { inputTokens: 1210, outputTokens: 44 } },
  { model: QUIRKS_SUPERVISOR_MODEL, usage: { inputTokens: 2048, outputTokens: 131 } },
  { model: QUIRKS_COLLABORATOR_MODEL, usage: { inputTokens: 1733, outputTokens: 97 } },
  { model: QUIRKS_COLLABORATOR_MODEL, usage: { inputTokens: 3310, outputTokens: 120 } },
  { model: QUIRKS_SUPERVISOR_MODEL, usage: { inputTokens: 2671, outputTokens: 88 } },
  { model: QUIRKS_SUPERVISOR_MODEL, usage: { inputTokens: 512, outputTokens: 61 } },
];

const TRACE_ID = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const COLLABORATOR_TRACE_ID = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const COLLABORATOR_SESSION = "b6c1e0f2-9d3a-4c57-8e21-7f4a0d9c3b18";
const ACCOUNT = "123456789012";
const INFERENCE = {
  __type: "com.amazonaws.bedrockagentruntime#InferenceConfiguration",
  maximumLength: 2048,
  stopSequences: ["</invoke>", "</answer>", "</error>"],
  temperature: 0,
  topK: 250,
  topP: 1,
};

interface Origin {
  agentId: string;
  aliasId: string;
  sessionId: string;
  collaborator?: boolean;
}

function trace(origin: Origin, req: ScenarioRequest, member: Record<string, unknown>): Step {
  const part: Record<string, unknown> = {
    agentAliasId: origin.aliasId,
    agentId: origin.agentId,
    agentVersion: "3",
    callerChain: [{ agentAliasArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/${req.agentId}/${req.agentAliasId}` }],
    eventTime: "2025-03-14T09:26:53.589Z",
    sessionId: origin.sessionId,
    trace: member,
  };
  if (origin.collaborator) {
    part.collaboratorName = QUIRKS_COLLABORATOR_NAME;
    (part.callerChain as unknown[]).push({ agentAliasArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/${origin.agentId}/${origin.aliasId}` });
  }
  return { frame: eventFrame("trace", part), trace: true };
}

/** A model call as two trace events: its input (model, prompt), then its output (usage, what it said). */
function modelCall(origin: Origin, req: ScenarioRequest, kind: string, type: string, traceId: string, call: number, output: Record<string, unknown> = {}): Step[] {
  const { model, usage } = QUIRKS_CALLS[call]!;
  return [
    trace(origin, req, {
      [kind]: {
        modelInvocationInput: { foundationModel: model, inferenceConfiguration: INFERENCE, text: `{"system":"(${type} prompt)"}`, traceId, type },
      },
    }),
    trace(origin, req, {
      [kind]: {
        modelInvocationOutput: {
          metadata: {
            clientRequestId: `${traceId.slice(0, 8)}-request`,
            endTime: "2025-03-14T09:26:54.912Z",
            operationTotalTimeMs: 1323,
            startTime: "2025-03-14T09:26:53.589Z",
            usage,
          },
          rawResponse: { content: `(${type} model output)` },
          traceId,
          ...output,
        },
      },
    }),
  ];
}

const guardrail = (origin: Origin, req: ScenarioRequest, traceId: string): Step =>
  trace(origin, req, {
    guardrailTrace: { action: "NONE", inputAssessments: [{}], metadata: { operationTotalTimeMs: 212, startTime: "2025-03-14T09:26:55.001Z" }, traceId },
  });

/** A sentence's citation: its span counted from the answer's first word, `end` inclusive, as the service sends it. */
function citation(index: number) {
  const start = SENTENCES.slice(0, index).join(" ").length + (index > 0 ? 1 : 0);
  const text = SENTENCES[index]!;
  return {
    citations: [
      {
        generatedResponsePart: { textResponsePart: { span: { end: start + text.length - 1, start }, text } },
        retrievedReferences: [
          {
            content: { text: `Section ${index + 1}: ${text}`, type: "TEXT" },
            location: { s3Location: { uri: QUIRKS_SOURCE_URI }, type: "S3" },
            metadata: { "x-amz-bedrock-kb-chunk-id": `1%3A0%3Ac${index}`, "x-amz-bedrock-kb-data-source-id": "DSRC7Q2XWE", "x-amz-bedrock-kb-source-uri": QUIRKS_SOURCE_URI },
          },
        ],
      },
    ],
  };
}

export const realQuirks: Scenario = (req) => {
  const supervisor: Origin = { agentId: req.agentId, aliasId: req.agentAliasId, sessionId: req.sessionId };
  const collaborator: Origin = { agentId: "RPOLICY123", aliasId: "RPALIAS001", sessionId: COLLABORATOR_SESSION, collaborator: true };
  const id = TRACE_ID;
  const collaboratorId = COLLABORATOR_TRACE_ID;
  const reference = citation(0).citations[0]!.retrievedReferences;
  const steps: Step[] = [
    guardrail(supervisor, req, `${id}-guardrail-pre-0`),
    ...modelCall(supervisor, req, "routingClassifierTrace", "ROUTING_CLASSIFIER", `${id}-routing-0`, 0),
    ...modelCall(supervisor, req, "preProcessingTrace", "PRE_PROCESSING", `${id}-pre-0`, 1, {
      parsedResponse: { isValid: true, rationale: QUIRKS_PRE_PROCESSING_RATIONALE },
    }),
    // The reasoning union with nothing in it, then the rationale.
    ...modelCall(supervisor, req, "orchestrationTrace", "ORCHESTRATION", `${id}-0`, 2, {
      reasoningContent: { __type: "com.amazonaws.bedrockagentruntime#ReasoningContentBlock", reasoningText: {} },
    }),
    trace(supervisor, req, { orchestrationTrace: { rationale: { text: QUIRKS_REASONING[0], traceId: `${id}-0` } } }),
    trace(supervisor, req, {
      orchestrationTrace: {
        invocationInput: {
          agentCollaboratorInvocationInput: { agentCollaboratorAliasArn: `arn:aws:bedrock:us-east-1:${ACCOUNT}:agent-alias/RPOLICY123/RPALIAS001`, agentCollaboratorName: QUIRKS_COLLABORATOR_NAME, input: { text: "What is the return policy?", type: "TEXT" } },
          invocationType: "AGENT_COLLABORATOR",
          traceId: `${id}-0`,
        },
      },
    }),
    // The collaborator, in a session of its own: reasoning with text this time, then a knowledge-base lookup.
    ...modelCall(collaborator, req, "orchestrationTrace", "ORCHESTRATION", `${collaboratorId}-0`, 3, {
      reasoningContent: { __type: "com.amazonaws.bedrockagentruntime#ReasoningContentBlock", reasoningText: { signature: "c2lnbmF0dXJl", text: QUIRKS_REASONING[1] } },
    }),
    trace(collaborator, req, {
      orchestrationTrace: {
        invocationInput: {
          invocationType: "KNOWLEDGE_BASE",
          knowledgeBaseLookupInput: { knowledgeBaseId: "KB12345678", text: "return policy" },
          traceId: `${collaboratorId}-KB-0-0`,
        },
      },
    }),
    trace(collaborator, req, {
      orchestrationTrace: {
        observation: { knowledgeBaseLookupOutput: { metadata: { operationTotalTimeMs: 688 }, retrievedReferences: reference }, traceId: `${collaboratorId}-KB-0-0`, type: "KNOWLEDGE_BASE" },
      },
    }),
    ...modelCall(collaborator, req, "orchestrationTrace", "ORCHESTRATION", `${collaboratorId}-1`, 4),
    trace(collaborator, req, { orchestrationTrace: { rationale: { text: QUIRKS_REASONING[2], traceId: `${collaboratorId}-1` } } }),
    trace(collaborator, req, {
      orchestrationTrace: { observation: { finalResponse: { metadata: { operationTotalTimeMs: 5120 }, text: SENTENCES.join(" ") }, traceId: `${collaboratorId}-1`, type: "FINISH" } },
    }),
    ...modelCall(supervisor, req, "orchestrationTrace", "ORCHESTRATION", `${id}-1`, 5),
    trace(supervisor, req, {
      orchestrationTrace: { observation: { finalResponse: { metadata: { operationTotalTimeMs: 9981 }, text: SENTENCES.join(" ") }, traceId: `${id}-1`, type: "FINISH" } },
    }),
    ...modelCall(supervisor, req, "postProcessingTrace", "POST_PROCESSING", `${id}-post-0`, 6, { parsedResponse: { text: QUIRKS_TEXT } }),
  ];
  // The answer in small chunks, the first one opening with "\n\n", a guardrail check between
  // them, and each sentence's citation with the chunk that ends it.
  let sentence = 0;
  let written = "";
  const pieces = QUIRKS_TEXT.match(/\n\n\S+ ?|\S+(?: \S+){0,2} ?/g)!;
  pieces.forEach((piece, i) => {
    written += piece;
    const ends = sentence < SENTENCES.length && written.trimEnd().endsWith(SENTENCES[sentence]!);
    steps.push({ delayMs: 1 }, { frame: chunkFrame(piece, ends ? citation(sentence++) : undefined) });
    if (i % 3 === 2) steps.push(guardrail(supervisor, req, `${id}-guardrail-post-${i}`));
  });
  return { steps };
};
