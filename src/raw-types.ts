// InvokeAgent's own records that reach callers as they are: raw citations (`include_citations`)
// and trace events (`include_traces`). The agents-classic backend reads them and the OpenAI shapes
// in types.ts carry them, so they live here, below both: imports run one way.

export interface Citation {
  generatedResponsePart?: { textResponsePart?: { text?: string; span?: { start?: number; end?: number } } };
  retrievedReferences?: Array<Record<string, unknown>>;
}

/** One model call's report inside a trace; every trace kind has this shape where it calls a model. */
export interface ModelInvocationTrace {
  modelInvocationInput?: { traceId?: string; foundationModel?: string; [key: string]: unknown };
  modelInvocationOutput?: {
    traceId?: string;
    metadata?: { usage?: { inputTokens?: number; outputTokens?: number } };
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface TracePart {
  agentId?: string;
  agentAliasId?: string;
  sessionId?: string;
  collaboratorName?: string;
  callerChain?: unknown[];
  eventTime?: string;
  /** One of preProcessingTrace, orchestrationTrace, postProcessingTrace, routingClassifierTrace, ... */
  trace?: Record<string, ModelInvocationTrace | undefined>;
  [key: string]: unknown;
}
