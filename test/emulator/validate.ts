// Input validation as the service does it (constraints from the service model), with messages in
// AWS's "N validation errors detected: ..." style. Pure: no `node:` imports.

const ID = /^[0-9a-zA-Z]+$/;
const SESSION = /^[0-9a-zA-Z._:-]+$/;
const SOURCE_ARN = /^arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:agent\/[0-9a-zA-Z]{10}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

type Errors = string[];

function fail(errors: Errors, value: unknown, at: string, constraint: string): void {
  const shown = value === undefined || value === null ? "null" : `'${String(typeof value === "object" ? JSON.stringify(value) : value).slice(0, 100)}'`;
  errors.push(`Value ${shown} at '${at}' failed to satisfy constraint: ${constraint}`);
}

/** The AWS message for a list of constraint violations, or undefined when there are none. */
export function validationMessage(errors: Errors): string | undefined {
  if (errors.length === 0) return undefined;
  return `${errors.length} validation error${errors.length > 1 ? "s" : ""} detected: ${errors.join("; ")}`;
}

function checkPattern(errors: Errors, value: string, at: string, pattern: RegExp, min: number, max: number): void {
  if (!pattern.test(value)) fail(errors, value, at, `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
  if (value.length < min) fail(errors, value, at, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) fail(errors, value, at, `Member must have length less than or equal to ${max}`);
}

/** Path labels, already percent-decoded. */
export function validateLabels(agentId: string, agentAliasId: string, sessionId: string): string | undefined {
  const errors: Errors = [];
  checkPattern(errors, agentId, "agentId", ID, 0, 10);
  checkPattern(errors, agentAliasId, "agentAliasId", ID, 0, 10);
  checkPattern(errors, sessionId, "sessionId", SESSION, 2, 100);
  return validationMessage(errors);
}

export function validateSourceArn(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const errors: Errors = [];
  checkPattern(errors, value, "sourceArn", SOURCE_ARN, 0, 2048);
  return validationMessage(errors);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

// Small typed checkers: each records a violation and returns whether the value may be inspected further.
function optBoolean(errors: Errors, o: Record<string, unknown>, key: string, at: string): void {
  if (o[key] !== undefined && typeof o[key] !== "boolean") fail(errors, o[key], at, "Member must be a boolean");
}
function optString(errors: Errors, o: Record<string, unknown>, key: string, at: string): o is Record<string, string> {
  if (o[key] === undefined) return false;
  if (typeof o[key] !== "string") {
    fail(errors, o[key], at, "Member must be a string");
    return false;
  }
  return true;
}
function optInteger(errors: Errors, o: Record<string, unknown>, key: string, at: string, min?: number, max?: number): void {
  const v = o[key];
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isInteger(v)) return fail(errors, v, at, "Member must be an integer");
  if (min !== undefined && v < min) fail(errors, v, at, `Member must have value greater than or equal to ${min}`);
  if (max !== undefined && v > max) fail(errors, v, at, `Member must have value less than or equal to ${max}`);
}
function optEnum(errors: Errors, o: Record<string, unknown>, key: string, at: string, values: string[]): void {
  if (o[key] !== undefined && !values.includes(o[key] as string)) {
    fail(errors, o[key], at, `Member must satisfy enum value set: [${values.join(", ")}]`);
  }
}
function optObject(errors: Errors, o: Record<string, unknown>, key: string, at: string): Record<string, unknown> | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!isObject(v)) {
    fail(errors, v, at, "Member must be a structure");
    return undefined;
  }
  return v;
}
function optArray(errors: Errors, o: Record<string, unknown>, key: string, at: string, min = 0, max = Infinity): unknown[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    fail(errors, v, at, "Member must be a list");
    return undefined;
  }
  if (v.length < min) fail(errors, v, at, `Member must have length greater than or equal to ${min}`);
  if (v.length > max) fail(errors, v, at, `Member must have length less than or equal to ${max}`);
  return v;
}
function stringMap(errors: Errors, o: Record<string, unknown>, key: string, at: string): void {
  const map = optObject(errors, o, key, at);
  if (map) for (const k of Object.keys(map)) optString(errors, map, k, `${at}.${k}`);
}

function validateResult(errors: Errors, item: unknown, at: string): void {
  if (!isObject(item)) return fail(errors, item, at, "Member must be a structure");
  const kinds = ["apiResult", "functionResult"].filter((k) => item[k] !== undefined);
  if (kinds.length !== 1) return fail(errors, item, at, "Member must have exactly one of apiResult, functionResult");
  const kind = kinds[0]!;
  const r = optObject(errors, item, kind, `${at}.${kind}`);
  if (!r) return;
  if (typeof r.actionGroup !== "string") fail(errors, r.actionGroup, `${at}.${kind}.actionGroup`, "Member must not be null");
  optString(errors, r, "function", `${at}.${kind}.function`);
  optString(errors, r, "apiPath", `${at}.${kind}.apiPath`);
  optString(errors, r, "httpMethod", `${at}.${kind}.httpMethod`);
  optInteger(errors, r, "httpStatusCode", `${at}.${kind}.httpStatusCode`);
  optEnum(errors, r, "confirmationState", `${at}.${kind}.confirmationState`, ["CONFIRM", "DENY"]);
  optEnum(errors, r, "responseState", `${at}.${kind}.responseState`, ["FAILURE", "REPROMPT"]);
  const body = optObject(errors, r, "responseBody", `${at}.${kind}.responseBody`);
  if (body) {
    for (const [type, content] of Object.entries(body)) {
      if (!isObject(content)) fail(errors, content, `${at}.${kind}.responseBody.${type}`, "Member must be a structure");
      else optString(errors, content, "body", `${at}.${kind}.responseBody.${type}.body`);
    }
  }
}

function validateFile(errors: Errors, item: unknown, at: string): void {
  if (!isObject(item)) return fail(errors, item, at, "Member must be a structure");
  if (typeof item.name !== "string") fail(errors, item.name, `${at}.name`, "Member must not be null");
  if (item.useCase === undefined) fail(errors, item.useCase, `${at}.useCase`, "Member must not be null");
  optEnum(errors, item, "useCase", `${at}.useCase`, ["CODE_INTERPRETER", "CHAT"]);
  const source = optObject(errors, item, "source", `${at}.source`);
  if (!source) {
    if (item.source === undefined) fail(errors, undefined, `${at}.source`, "Member must not be null");
    return;
  }
  if (source.sourceType === undefined) fail(errors, undefined, `${at}.source.sourceType`, "Member must not be null");
  optEnum(errors, source, "sourceType", `${at}.source.sourceType`, ["S3", "BYTE_CONTENT"]);
  const bytes = optObject(errors, source, "byteContent", `${at}.source.byteContent`);
  if (bytes) {
    if (typeof bytes.data !== "string" || !BASE64.test(bytes.data) || bytes.data.length === 0) {
      fail(errors, bytes.data === undefined ? undefined : "<blob>", `${at}.source.byteContent.data`, "Member must be non-empty base64");
    }
    if (typeof bytes.mediaType !== "string") fail(errors, bytes.mediaType, `${at}.source.byteContent.mediaType`, "Member must not be null");
  }
  const s3 = optObject(errors, source, "s3Location", `${at}.source.s3Location`);
  if (s3 && (typeof s3.uri !== "string" || !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.{1,1024}$/.test(s3.uri))) {
    fail(errors, s3.uri, `${at}.source.s3Location.uri`, "Member must satisfy regular expression pattern: ^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.{1,1024}$");
  }
  if (source.sourceType === "BYTE_CONTENT" && !bytes) fail(errors, undefined, `${at}.source.byteContent`, "Member must not be null");
  if (source.sourceType === "S3" && !s3) fail(errors, undefined, `${at}.source.s3Location`, "Member must not be null");
}

function validateSessionState(errors: Errors, state: Record<string, unknown>): void {
  stringMap(errors, state, "sessionAttributes", "sessionState.sessionAttributes");
  stringMap(errors, state, "promptSessionAttributes", "sessionState.promptSessionAttributes");
  optString(errors, state, "invocationId", "sessionState.invocationId");
  optArray(errors, state, "returnControlInvocationResults", "sessionState.returnControlInvocationResults", 1, 5)?.forEach((r, i) =>
    validateResult(errors, r, `sessionState.returnControlInvocationResults.${i + 1}.member`),
  );
  optArray(errors, state, "files", "sessionState.files")?.forEach((f, i) => validateFile(errors, f, `sessionState.files.${i + 1}.member`));
  optArray(errors, state, "knowledgeBaseConfigurations", "sessionState.knowledgeBaseConfigurations", 1)?.forEach((kb, i) => {
    const at = `sessionState.knowledgeBaseConfigurations.${i + 1}.member`;
    if (!isObject(kb)) return fail(errors, kb, at, "Member must be a structure");
    if (typeof kb.knowledgeBaseId !== "string") fail(errors, kb.knowledgeBaseId, `${at}.knowledgeBaseId`, "Member must not be null");
    if (!isObject(kb.retrievalConfiguration)) fail(errors, kb.retrievalConfiguration, `${at}.retrievalConfiguration`, "Member must not be null");
  });
  const history = optObject(errors, state, "conversationHistory", "sessionState.conversationHistory");
  if (history) {
    optArray(errors, history, "messages", "sessionState.conversationHistory.messages")?.forEach((m, i) => {
      const at = `sessionState.conversationHistory.messages.${i + 1}.member`;
      if (!isObject(m)) return fail(errors, m, at, "Member must be a structure");
      if (m.role === undefined) fail(errors, undefined, `${at}.role`, "Member must not be null");
      optEnum(errors, m, "role", `${at}.role`, ["user", "assistant"]);
      if (m.content === undefined) fail(errors, undefined, `${at}.content`, "Member must not be null");
      optArray(errors, m, "content", `${at}.content`)?.forEach((block, j) => {
        if (!isObject(block) || typeof block.text !== "string") fail(errors, block, `${at}.content.${j + 1}.member.text`, "Member must be a string");
      });
    });
  }
}

/**
 * The InvokeAgent body: returns the constraint violations' message, or undefined when valid.
 * Unknown members are ignored, as the service does (the emulator records them for tests).
 */
export function validateBody(body: unknown): string | undefined {
  const errors: Errors = [];
  if (!isObject(body)) {
    fail(errors, body, "body", "Member must be a structure");
    return validationMessage(errors);
  }
  const state = optObject(errors, body, "sessionState", "sessionState");
  const hasResults = Array.isArray(state?.returnControlInvocationResults) && state.returnControlInvocationResults.length > 0;
  if (body.inputText === undefined && !hasResults) {
    fail(errors, undefined, "inputText", "Member must not be null (it may only be omitted when sessionState.returnControlInvocationResults is present)");
  } else if (optString(errors, body, "inputText", "inputText") && (body.inputText as string).length > 25_000_000) {
    fail(errors, "<text>", "inputText", "Member must have length less than or equal to 25000000");
  }
  optBoolean(errors, body, "enableTrace", "enableTrace");
  optBoolean(errors, body, "endSession", "endSession");
  if (optString(errors, body, "memoryId", "memoryId")) checkPattern(errors, body.memoryId as string, "memoryId", SESSION, 2, 100);
  if (state) validateSessionState(errors, state);
  const streaming = optObject(errors, body, "streamingConfigurations", "streamingConfigurations");
  if (streaming) {
    optBoolean(errors, streaming, "streamFinalResponse", "streamingConfigurations.streamFinalResponse");
    optInteger(errors, streaming, "applyGuardrailInterval", "streamingConfigurations.applyGuardrailInterval", 1);
  }
  const models = optObject(errors, body, "bedrockModelConfigurations", "bedrockModelConfigurations");
  const perf = models && optObject(errors, models, "performanceConfig", "bedrockModelConfigurations.performanceConfig");
  if (perf) optEnum(errors, perf, "latency", "bedrockModelConfigurations.performanceConfig.latency", ["standard", "optimized"]);
  const prompt = optObject(errors, body, "promptCreationConfigurations", "promptCreationConfigurations");
  if (prompt) {
    optBoolean(errors, prompt, "excludePreviousThinkingSteps", "promptCreationConfigurations.excludePreviousThinkingSteps");
    optInteger(errors, prompt, "previousConversationTurnsToInclude", "promptCreationConfigurations.previousConversationTurnsToInclude", 0);
  }
  return validationMessage(errors);
}
