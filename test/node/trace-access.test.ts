// Who may ask for raw traces, and what they hold, behind the endpoint: `allow_traces` per model
// (unset: the master key only), a 403 before any call to AWS otherwise, and a model's
// `include_reasoning: false` keeping reasoning out of the traces even for the master key.
// Every backend, every surface, streamed or not, through the Node server.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { checkTraceAccess } from "../../src/proxy/trace-access.ts";
import { HARNESS_ARN, HARNESS_REASONING_TEXT, RUNTIME_ARN, RUNTIME_REASONING_TEXT } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  DEMO_PRE_PROCESSING_RATIONALE,
  DEMO_RATIONALE_TEXT,
  DEMO_REASONING_TEXT,
  MODEL_PROMPT_TEXT,
  MODEL_RAW_OUTPUT_TEXT,
  USAGE_ALL_KINDS_REASONING,
  wordPieces,
} from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-traces-master-0123456789";
const TEAM = "sk-traces-team-0123456789";

const CLASSIC = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const BACKENDS = {
  classic: { model: CLASSIC, scenario: undefined, reasoning: [DEMO_REASONING_TEXT, DEMO_RATIONALE_TEXT, DEMO_PRE_PROCESSING_RATIONALE, MODEL_PROMPT_TEXT, MODEL_RAW_OUTPUT_TEXT] },
  "classic-kinds": { model: CLASSIC, scenario: "usage-all-kinds", reasoning: [...Object.values(USAGE_ALL_KINDS_REASONING), MODEL_PROMPT_TEXT, MODEL_RAW_OUTPUT_TEXT] },
  harness: { model: `bedrock/agentcore/${HARNESS_ARN}`, scenario: undefined, reasoning: [HARNESS_REASONING_TEXT] },
  runtime: { model: `bedrock/agentcore/${RUNTIME_ARN}`, scenario: "reasoning", reasoning: wordPieces(RUNTIME_REASONING_TEXT) },
  "runtime-json": { model: `bedrock/agentcore/${RUNTIME_ARN}`, scenario: "reasoning:json", reasoning: [RUNTIME_REASONING_TEXT] },
} as const;
type BackendName = keyof typeof BACKENDS;
const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

function model(name: string, backend: BackendName, more: Record<string, unknown> = {}) {
  const { model, scenario } = BACKENDS[backend];
  return {
    model_name: name,
    litellm_params: {
      model,
      aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
      aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
      aws_region_name: "us-west-2",
      api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
      num_retries: 0,
      ...more,
    },
  };
}

type Surface = "chat" | "responses" | "messages";
const SURFACES: Surface[] = ["chat", "responses", "messages"];
const PATHS: Record<Surface, string> = { chat: "/v1/chat/completions", responses: "/v1/responses", messages: "/v1/messages" };

let server: { url: string; close(): Promise<void> };

/** One request through a surface; the whole body as text (every SSE event when streamed). */
async function ask(key: string, surface: Surface, fields: Record<string, unknown>): Promise<{ status: number; text: string }> {
  const content = surface === "responses" ? { input: "Hello" } : { messages: [{ role: "user", content: "Hello" }], max_tokens: 100 };
  const response = await fetch(`${server.url}${PATHS[surface]}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ ...content, ...fields }),
  });
  return { status: response.status, text: await response.text() };
}

async function reachedAws(sessionPrefix: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((r) => r.sessionId?.startsWith(sessionPrefix));
}

beforeAll(async () => {
  const models = BACKEND_NAMES.flatMap((backend) => [
    model(backend, backend),
    model(`${backend}-private`, backend, { include_reasoning: false, allow_traces: true }),
  ]);
  models.push(model("classic-open", "classic", { allow_traces: true }), model("classic-closed", "classic", { allow_traces: false }));
  const raw = {
    model_list: models,
    general_settings: {
      master_key: MASTER,
      api_keys: [{ name: "team", key_sha256: await hashKey(TEAM), models: models.map((m) => m.model_name) }],
    },
  };
  server = await startServer({ config: parseConfig(raw, { lookup: () => undefined }), port: 0, log: () => {} });
});
afterAll(() => server?.close());

describe("allow_traces in the config", () => {
  const parse = (allow: unknown) => parseConfig({ model_list: [model("m", "classic", { allow_traces: allow })], general_settings: { master_key: MASTER } }, { lookup: () => undefined });

  it("is read per model, a boolean, and kept out of what the library is given", () => {
    expect(parse(true).models[0]).toMatchObject({ allowTraces: true });
    expect(parse(false).models[0]).toMatchObject({ allowTraces: false });
    expect(parse(null).models[0]!.allowTraces).toBeUndefined();
    expect(parse(true).models[0]!.params).not.toHaveProperty("allow_traces");
    expect(() => parse("yes")).toThrow('model_list[0].litellm_params.allow_traces: expected true or false, got "yes"');
  });
});

describe("allow_traces without a key (allow_open_access)", () => {
  it("lets nobody ask unless it is true: there is no master key to be the operator", () => {
    const deployment = (allowTraces?: boolean) => ({ model_name: "m", id: "m-1", params: { model: CLASSIC }, allowTraces });
    expect(() => checkTraceAccess(deployment(), undefined, true)).toThrow(/only the master key/);
    expect(() => checkTraceAccess(deployment(false), undefined, true)).toThrow(/nobody/);
    expect(() => checkTraceAccess(deployment(true), undefined, true)).not.toThrow();
    expect(() => checkTraceAccess(deployment(), undefined, false)).not.toThrow();
  });
});

describe("allow_traces decides who may ask for raw traces", () => {
  const refusals = BACKEND_NAMES.flatMap((backend) => SURFACES.flatMap((surface) => [false, true].map((stream) => [backend, surface, stream] as const)));

  it.each(refusals)("unset: an API key asking for %s's traces through %s (stream: %s) gets a 403 before anything reaches AWS", async (backend, surface, stream) => {
    const session = `trace-refused-${crypto.randomUUID()}`;
    const { status, text } = await ask(TEAM, surface, { model: backend, stream, include_traces: true, session_id: session });
    expect(status).toBe(403);
    const body = JSON.parse(text) as { type?: string; error: { type: string; code?: string; param?: string; message: string } };
    if (surface === "messages") {
      expect(body).toMatchObject({ type: "error", error: { type: "permission_error" } });
      expect(body.error.message).toContain("include_traces");
    } else {
      expect(body.error).toMatchObject({ type: "permission_error", code: "traces_not_allowed", param: "include_traces" });
    }
    expect(await reachedAws(session)).toHaveLength(0);
  });

  it("unset: the master key gets the traces; an API key gets its answer without them", async () => {
    const master = JSON.parse((await ask(MASTER, "chat", { model: "classic", include_traces: true })).text) as { traces?: unknown[] };
    expect(master.traces?.length).toBeGreaterThan(0);
    const team = await ask(TEAM, "chat", { model: "classic", include_traces: false });
    expect(team.status).toBe(200);
    expect(JSON.parse(team.text)).not.toHaveProperty("traces");
  });

  it("true: every caller allowed to use the model gets them", async () => {
    const team = JSON.parse((await ask(TEAM, "chat", { model: "classic-open", include_traces: true })).text) as { traces?: unknown[] };
    expect(team.traces?.length).toBeGreaterThan(0);
  });

  it("false: nobody, not even the master key", async () => {
    const session = `trace-closed-${crypto.randomUUID()}`;
    const { status, text } = await ask(MASTER, "responses", { model: "classic-closed", include_traces: true, session_id: session });
    expect(status).toBe(403);
    expect(JSON.parse(text)).toMatchObject({ error: { code: "traces_not_allowed", param: "include_traces" } });
    expect(await reachedAws(session)).toHaveLength(0);
  });
});

describe.each(BACKEND_NAMES)("a model's include_reasoning: false keeps %s's reasoning out of the traces", (backend) => {
  it.each(SURFACES.flatMap((surface) => [false, true].map((stream) => [surface, stream] as const)))(
    "for the master key, through %s (stream: %s)",
    async (surface, stream) => {
      const { status, text } = await ask(MASTER, surface, { model: `${backend}-private`, stream, include_traces: true, include_reasoning: true });
      expect(status).toBe(200);
      expect(text).toMatch(/"traces?"/); // traces asked for and sent, not silently refused
      for (const reasoning of BACKENDS[backend].reasoning) expect(text, reasoning).not.toContain(reasoning);
    },
  );

  it("for an API key the model allows traces to", async () => {
    const { status, text } = await ask(TEAM, "chat", { model: `${backend}-private`, stream: true, include_traces: true });
    expect(status).toBe(200);
    for (const reasoning of BACKENDS[backend].reasoning) expect(text, reasoning).not.toContain(reasoning);
  });

  it("while the same agent with reasoning on sends it, so the search above can find it", async () => {
    const { text } = await ask(MASTER, "chat", { model: backend, include_traces: true });
    for (const reasoning of BACKENDS[backend].reasoning) expect(text, reasoning).toContain(reasoning);
  });
});
