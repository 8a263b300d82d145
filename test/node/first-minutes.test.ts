// What a newcomer meets in the first minutes (issue 23, point 8), with the real clients where
// they have the call: a deployment without credentials said as the operator's to fix, a key sent
// without `Bearer`, `models.retrieve`, `messages.countTokens`, a Worker's /health with a bad config.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startServer, type RunningServer } from "../../bin/server.ts";
import { completion } from "../../src/index.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import worker from "../../worker/index.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-first-minutes-master-0123456789";
const OTHER = "sk-first-minutes-other-0123456789";

const model = (name: string, keys: Record<string, string>) => ({
  model_name: name,
  litellm_params: { model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", aws_region_name: "us-west-2", api_base: emulatorUrl, num_retries: 0, ...keys },
});

let server: RunningServer;
beforeAll(async () => {
  // No AWS credentials anywhere but where the config names them.
  vi.stubEnv("AWS_ACCESS_KEY_ID", "");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
  vi.stubEnv("AWS_PROFILE", "");
  const config = parseConfig(
    {
      model_list: [
        model("agent", { aws_access_key_id: STATIC_CREDENTIALS.accessKeyId, aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey }),
        model("unset-keys", { aws_access_key_id: "os.environ/FIRST_MINUTES_KEY_ID", aws_secret_access_key: "os.environ/FIRST_MINUTES_SECRET" }),
        model("no-keys", {}),
        model("team/agent", { aws_access_key_id: STATIC_CREDENTIALS.accessKeyId, aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey }),
      ],
      general_settings: { master_key: MASTER, api_keys: [{ name: "other", key_sha256: await hashKey(OTHER), models: ["agent"] }] },
    },
    { lookup: () => undefined, warn: () => {} },
  );
  server = await startServer({ config, port: 0, requestLog: false, log: () => {} });
});
afterAll(async () => {
  await server?.close();
  vi.unstubAllEnvs();
});

const openai = (apiKey = MASTER) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey, maxRetries: 0 });
const anthropic = (apiKey = MASTER) => new Anthropic({ baseURL: server.url, apiKey, maxRetries: 0 });
const ask = { messages: [{ role: "user" as const, content: "Hello" }] };

describe("a deployment without AWS credentials", () => {
  it("tells an HTTP caller what the operator must set, naming the config's variables", async () => {
    const error = await openai().chat.completions.create({ model: "unset-keys", ...ask }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    const { message, code } = error as InstanceType<typeof OpenAI.InternalServerError>;
    expect(code).toBe("missing_credentials");
    expect(message).toContain("FIRST_MINUTES_KEY_ID and FIRST_MINUTES_SECRET");
    expect(message).toContain("`unset-keys`");
    expect(message).toContain("litellm_params.aws_access_key_id: os.environ/FIRST_MINUTES_KEY_ID");
    expect(message).not.toMatch(/pass aws_access_key_id/);
  });

  it("names the config keys and the environment when the config names no variable, on every surface", async () => {
    const streamed = await openai().chat.completions.create({ model: "no-keys", ...ask, stream: true }).catch((e: unknown) => e);
    expect((streamed as Error).message).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the endpoint's environment");
    expect((streamed as Error).message).toContain("litellm_params.aws_access_key_id and aws_secret_access_key of model_list's `no-keys`");
    expect((streamed as Error).message).not.toMatch(/pass aws_access_key_id/);
    const messages = await anthropic().messages.create({ model: "no-keys", max_tokens: 100, ...ask }).catch((e: unknown) => e);
    expect(messages).toBeInstanceOf(Anthropic.InternalServerError);
    expect((messages as Error).message).toContain("`no-keys` has no AWS credentials");
    const responses = await openai().responses.create({ model: "unset-keys", input: "Hello" }).catch((e: unknown) => e);
    expect((responses as Error).message).toContain("FIRST_MINUTES_KEY_ID");
  });

  it("keeps the library's own message for library callers", async () => {
    const error = await completion({ model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", ...ask, api_base: emulatorUrl }).catch((e: unknown) => e);
    expect((error as Error).message).toContain("pass aws_access_key_id and aws_secret_access_key");
  });
});

describe("Authorization without Bearer", () => {
  const status = async (authorization: string) => {
    const response = await fetch(`${server.url}/v1/models`, { headers: { authorization } });
    return { status: response.status, message: ((await response.json()) as { error: { message: string } }).error.message };
  };

  it("is told how to send the key, not that it is missing, and the key is never quoted", async () => {
    const raw = await status(MASTER);
    expect(raw.status).toBe(401);
    expect(raw.message).toBe("The Authorization header lacks the 'Bearer ' before the key: send it in the Authorization header, after 'Bearer' and a space (or as the x-api-key header)");
    expect(raw.message).not.toContain(MASTER);
    expect((await status(`Basic ${btoa("user:pass")}`)).message).toMatch(/^The Authorization header uses the Basic scheme, which this endpoint does not take: send it/);
    expect((await status("Bearer")).message).toMatch(/^Missing API key after 'Bearer'/);
    expect((await status(`Bearer ${MASTER} extra`)).message).toMatch(/^The Authorization header must hold 'Bearer' and one key without spaces/);
    const missing = await fetch(`${server.url}/v1/models`);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^Missing API key: send it in the Authorization header, after 'Bearer' and a space/);
  });
});

describe("GET /v1/models/{id}", () => {
  it("gives the model object to the openai package's models.retrieve, a slash in the name too", async () => {
    expect(await openai().models.retrieve("agent")).toEqual({ id: "agent", object: "model", created: 0, owned_by: "bedrock-agents-openai" });
    expect((await openai().models.retrieve("team/agent")).id).toBe("team/agent");
    const listed = (await openai().models.list()).data.find((m) => m.id === "agent");
    expect(await openai().models.retrieve("agent")).toEqual(listed);
  });

  it("is a 404 in OpenAI's shape for an unknown model and for one the key may not use", async () => {
    for (const [key, id] of [[MASTER, "nope"], [OTHER, "no-keys"]] as const) {
      const error = await openai(key).models.retrieve(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.NotFoundError);
      expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe("model_not_found");
      expect((error as Error).message).toContain(`\`${id}\` does not exist or you do not have access to it`);
    }
    expect((await openai(OTHER).models.retrieve("agent")).id).toBe("agent");
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("answers Anthropic's messages.countTokens with an estimate, and says it is one", async () => {
    const small = await anthropic().messages.countTokens({ model: "agent", messages: [{ role: "user", content: "Hello there" }] });
    expect(small.input_tokens).toBeGreaterThan(0);
    expect((small as unknown as { estimated: boolean }).estimated).toBe(true);
    const text = "A sentence of about forty characters.. ".repeat(100);
    const large = await anthropic().messages.countTokens({
      model: "agent",
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text }] }],
      tools: [{ name: "lookup", description: "Looks a thing up", input_schema: { type: "object", properties: { q: { type: "string" } } } }],
    });
    expect(large.input_tokens).toBeGreaterThan(text.length / 5);
    expect(large.input_tokens).toBeLessThan(text.length / 3);
    const raw = await anthropic().messages.countTokens({ model: "agent", messages: [{ role: "user", content: "Hi" }] }).asResponse();
    expect(raw.headers.get("x-token-count")).toBe("estimate");
    // The key as Anthropic's own clients send it (x-api-key), without /v1 too.
    const bare = await fetch(`${server.url}/messages/count_tokens`, {
      method: "POST",
      headers: { "x-api-key": OTHER, "content-type": "application/json" },
      body: JSON.stringify({ model: "agent", messages: [{ role: "user", content: "Hi" }] }),
    });
    expect(bare.status).toBe(200);
  });

  it("refuses in Anthropic's error shape: an unknown model, one the key may not use, no messages, a bad key", async () => {
    const unknown = await anthropic().messages.countTokens({ model: "nope", ...ask }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect((unknown as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    const forbidden = await anthropic(OTHER).messages.countTokens({ model: "no-keys", ...ask }).catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const invalid = await anthropic()
      .messages.countTokens({ model: "agent" } as unknown as Anthropic.MessageCountTokensParams)
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
    expect((invalid as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const badKey = await anthropic("sk-wrong-key-0123456789").messages.countTokens({ model: "agent", ...ask }).catch((e: unknown) => e);
    expect(badKey).toBeInstanceOf(Anthropic.AuthenticationError);
  });
});

describe("a Worker with an invalid config", () => {
  afterEach(() => vi.restoreAllMocks());

  it("answers GET /health with {status: ok} and fails its readiness", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const env = { CONFIG: '{"model_list": "not a list"}' };
    const health = await worker.fetch(new Request("http://worker/health"), env, {});
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await worker.fetch(new Request("http://worker/health/readiness"), env, {})).status).toBe(503);
    const models = await worker.fetch(new Request("http://worker/v1/models"), env, {});
    expect(models.status).toBe(500);
  });
});
