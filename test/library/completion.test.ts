// The library end to end against the emulator, over real HTTP and real event-stream bytes.
// Runs under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import {
  AbortError,
  AuthenticationError,
  BedrockAgentClient,
  ConfigurationError,
  ConnectionError,
  RateLimitError,
  StreamError,
  TimeoutError,
  completion,
  costOf,
  type ChatCompletionChunk,
  type ChatCompletionStream,
} from "../../src/index.ts";
import { STATIC_CREDENTIALS, TEMPORARY_CREDENTIALS } from "../emulator/credentials.ts";
import {
  COLLABORATOR_MODEL,
  CORRUPT_CRC_VALID_TEXT,
  DEMO_EXPECTED_USAGE,
  DEMO_MODEL,
  EXCEPTION_MID_STREAM_TEXT,
  HTTP_ERROR_STATUS,
  MULTI_CHUNK_COUNT,
  MULTI_CHUNK_TEXT,
  STALL_TEXT_BEFORE,
  TRUNCATED_VALID_TEXT,
  USAGE_ALL_KINDS_BY_MODEL,
  USAGE_ALL_KINDS_EXPECTED_USAGE,
  USAGE_ALL_KINDS_TEXT,
  USAGE_BEFORE_MODEL_BY_MODEL,
  USAGE_BEFORE_MODEL_TEXT,
  UTF8_SPLIT_TEXT,
  demoAnswer,
  largeRandomSlicesText,
} from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { failure } from "./support/failure.ts";

const emulatorUrl = inject("emulatorUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const credentials = {
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
};
const client = new BedrockAgentClient({ ...credentials, retry_base_delay_ms: 5 });
const question = "What can you do?";
const user = (content: string) => [{ role: "user" as const, content }];

function scenario(name: string): string {
  return `${emulatorUrl}/scenario/${name}`;
}

function sessionId(): string {
  return `test-${crypto.randomUUID()}`;
}

async function requestsFor(session: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((request) => request.sessionId === session);
}

async function readAll(stream: ChatCompletionStream): Promise<{ chunks: ChatCompletionChunk[]; text: string }> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, text: chunks.map((c) => c.choices[0]?.delta.content ?? "").join("") };
}

describe("completion()", () => {
  it("answers in OpenAI's ChatCompletion shape, with usage, cost and the session id", async () => {
    const response = await completion({ model, messages: user(question), ...credentials, api_base: emulatorUrl });
    expect(response.object).toBe("chat.completion");
    expect(response.id).toMatch(/^chatcmpl-/);
    expect(response.model).toBe(model);
    expect(response.choices).toHaveLength(1);
    expect(response.choices[0]!.message).toMatchObject({ role: "assistant", content: demoAnswer(question), refusal: null });
    expect(response.choices[0]!.finish_reason).toBe("stop");
    expect(response.usage).toEqual({
      prompt_tokens: DEMO_EXPECTED_USAGE.inputTokens,
      completion_tokens: DEMO_EXPECTED_USAGE.outputTokens,
      total_tokens: DEMO_EXPECTED_USAGE.inputTokens + DEMO_EXPECTED_USAGE.outputTokens,
    });
    expect(response._hidden_params.response_cost).toBeCloseTo(
      costOf(DEMO_MODEL, DEMO_EXPECTED_USAGE.inputTokens, DEMO_EXPECTED_USAGE.outputTokens)!,
      12,
    );
    expect(response._hidden_params.response_cost).toBeGreaterThan(0);
    expect(response._hidden_params.foundation_models).toEqual([DEMO_MODEL]);
    expect(response._hidden_params.aws_request_id).toMatch(/[0-9a-f-]{36}/);
    const [seen] = await requestsFor(response.session_id);
    expect(seen?.body).toMatchObject({ inputText: question, enableTrace: true });
    expect(response._hidden_params.session_id).toBe(response.session_id);
  });

  it("streams chunks: role first, each piece of text, finish_reason last, then usage", async () => {
    const stream = await client.completion({
      model,
      messages: user(question),
      api_base: emulatorUrl,
      stream: true,
      stream_options: { include_usage: true },
    });
    const { chunks, text } = await readAll(stream);
    expect(text).toBe(demoAnswer(question));
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: "assistant", content: "" });
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(2);
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.slice(0, -2).every((c) => c.choices[0]!.finish_reason === null)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      prompt_tokens: DEMO_EXPECTED_USAGE.inputTokens,
      completion_tokens: DEMO_EXPECTED_USAGE.outputTokens,
      total_tokens: DEMO_EXPECTED_USAGE.inputTokens + DEMO_EXPECTED_USAGE.outputTokens,
    });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === model)).toBe(true);
    expect(stream._hidden_params.response_cost).toBeGreaterThan(0);
    const [seen] = await requestsFor(stream.sessionId);
    expect(seen?.body).toMatchObject({ streamingConfigurations: { streamFinalResponse: true } });
  });

  it("sends no usage chunk unless asked", async () => {
    const { chunks } = await readAll(
      await client.completion({ model, messages: user(question), api_base: emulatorUrl, stream: true }),
    );
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  it("forwards text the moment it arrives, while the agent is still working", async () => {
    const started = Date.now();
    const stream = await client.completion({
      model,
      messages: user(question),
      api_base: scenario("stall:5000"),
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (text.length >= STALL_TEXT_BEFORE.length) break;
    }
    expect(text).toBe(STALL_TEXT_BEFORE);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it("closes the upstream connection when the consumer cancels or stops reading", async () => {
    for (const stop of ["cancel", "break"] as const) {
      const session = sessionId();
      const stream = await client.completion({
        model,
        messages: user(question),
        session_id: session,
        api_base: scenario("stall:20000"),
        stream: true,
      });
      for await (const chunk of stream) {
        if (!chunk.choices[0]?.delta.content) continue;
        if (stop === "cancel") await stream.cancel();
        break;
      }
      await expect
        .poll(async () => (await requestsFor(session))[0]?.closedEarlyAt, { timeout: 2000, interval: 20 })
        .toBeDefined();
    }
  });

  it("passes many chunks through one by one", async () => {
    const { chunks, text } = await readAll(
      await client.completion({ model, messages: user("x"), api_base: scenario("multi-chunk"), stream: true }),
    );
    expect(text).toBe(MULTI_CHUNK_TEXT);
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(MULTI_CHUNK_COUNT);
  });
});

describe("sessions", () => {
  it("continues the session it is given, and sends no history into it", async () => {
    const session = `my:session.${crypto.randomUUID()}`;
    const response = await client.completion({
      model,
      session_id: session,
      api_base: emulatorUrl,
      messages: [
        { role: "user", content: "one" },
        { role: "assistant", content: "two" },
        { role: "user", content: "three" },
      ],
    });
    expect(response.session_id).toBe(session);
    const [seen] = await requestsFor(session);
    expect(seen?.path).toContain("/sessions/my%3Asession.");
    expect(seen?.body).toEqual({ inputText: "three", enableTrace: true });
  });

  it("refuses \"..\" as a session or memory id, which a URL would resolve to the path above (issue 20.9)", async () => {
    const count = async () => ((await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[]).length;
    const before = await count();
    for (const ids of [{ session_id: ".." }, { memory_id: ".." }]) {
      const error = await failure(client.completion({ model, api_base: emulatorUrl, messages: user("x"), ...ids }));
      expect(error).toMatchObject({ status: 400, code: "invalid_session_id", param: Object.keys(ids)[0] });
    }
    expect(await count()).toBe(before);
    // Dots are fine otherwise.
    const dotted = await client.completion({ model, api_base: emulatorUrl, messages: user("x"), session_id: "..." });
    expect(dotted.session_id).toBe("...");
  });

  it("accepts LiteLLM's sessionID", async () => {
    const session = sessionId();
    const response = await client.completion({ model, sessionID: session, api_base: emulatorUrl, messages: user("x") });
    expect(response.session_id).toBe(session);
  });

  it("starts a new session with the whole conversation and returns its id", async () => {
    const response = await client.completion({
      model,
      api_base: emulatorUrl,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "one" },
        { role: "assistant", content: "two" },
        { role: "user", content: "three" },
      ],
    });
    const [seen] = await requestsFor(response.session_id);
    expect(seen?.body).toEqual({
      inputText: "three",
      enableTrace: true,
      sessionState: {
        promptSessionAttributes: { instructions: "You are terse." },
        conversationHistory: {
          messages: [
            { role: "user", content: [{ text: "one" }] },
            { role: "assistant", content: [{ text: "two" }] },
          ],
        },
      },
    });
  });
});

describe("AWS settings", () => {
  it("signs with temporary credentials and their session token", async () => {
    const response = await completion({
      model,
      messages: user("x"),
      api_base: emulatorUrl,
      aws_region_name: "eu-west-1",
      aws_access_key_id: TEMPORARY_CREDENTIALS.accessKeyId,
      aws_secret_access_key: TEMPORARY_CREDENTIALS.secretAccessKey,
      aws_session_token: TEMPORARY_CREDENTIALS.sessionToken,
    });
    const [seen] = await requestsFor(response.session_id);
    expect(seen?.headers["x-amz-security-token"]).toBe(TEMPORARY_CREDENTIALS.sessionToken);
    expect(JSON.stringify(seen?.body)).not.toContain(TEMPORARY_CREDENTIALS.secretAccessKey);
  });

  it("reads credentials, region and endpoint from an env object (a Worker's bindings)", async () => {
    const response = await completion({
      model,
      messages: user(question),
      env: {
        AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
        AWS_REGION: "us-west-2",
        AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: emulatorUrl,
      },
    });
    expect(response.choices[0]!.message.content).toBe(demoAnswer(question));
    const [seen] = await requestsFor(response.session_id);
    expect(seen?.headers["x-amz-date"]).toBeDefined();
  });

  it("names the missing setting", async () => {
    const noCredentials = await failure(
      completion({ model, messages: user("x"), aws_region_name: "us-east-1", api_base: emulatorUrl, aws_access_key_id: "AKIA" }),
    );
    expect(noCredentials).toBeInstanceOf(ConfigurationError);
    expect(noCredentials.message).toContain("aws_secret_access_key");
  });

  it("signs for us-west-2, LiteLLM's default, when nothing names a region", async () => {
    const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
    if (env.AWS_REGION_NAME || env.AWS_REGION || env.AWS_DEFAULT_REGION) return; // the machine names one
    const session = `default-region-${crypto.randomUUID()}`;
    await completion({ ...credentials, aws_region_name: undefined, model, messages: user("x"), api_base: emulatorUrl, session_id: session });
    expect((await requestsFor(session))[0]?.signingRegion).toBe("us-west-2");
  });

  it("surfaces AWS's refusal of a bad signature as an AuthenticationError, without the secret", async () => {
    const error = await failure(
      completion({ ...credentials, aws_secret_access_key: "not-the-secret", model, messages: user("x"), api_base: emulatorUrl }),
    );
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.awsCode).toBe("InvalidSignatureException");
    expect(JSON.stringify(error.toJSON())).not.toContain("not-the-secret");
  });

  it("rejects a bad model before any request is made", async () => {
    const before = ((await (await fetch(`${emulatorUrl}/__emulator/stats`)).json()) as { requests: number }).requests;
    const error = await failure(
      completion({ ...credentials, model: "bedrock/agent/../x", messages: user("x"), api_base: emulatorUrl }),
    );
    expect(error.status).toBe(400);
    const after = ((await (await fetch(`${emulatorUrl}/__emulator/stats`)).json()) as { requests: number }).requests;
    expect(after).toBe(before);
  });
});

describe("the event stream", () => {
  it("decodes UTF-8 across chunk boundaries, streaming and not", async () => {
    const whole = await client.completion({ model, messages: user("x"), api_base: scenario("utf8-split") });
    expect(whole.choices[0]!.message.content).toBe(UTF8_SPLIT_TEXT);
    const { text } = await readAll(
      await client.completion({ model, messages: user("x"), api_base: scenario("utf8-split"), stream: true }),
    );
    expect(text).toBe(UTF8_SPLIT_TEXT);
    expect(text).not.toContain("\uFFFD");
  });

  it("reassembles a large answer written to the socket in random slices, byte for byte", async () => {
    const { text } = await readAll(
      await client.completion({ model, messages: user("x"), api_base: scenario("large-random-slices:7"), stream: true }),
    );
    expect(text.length).toBe(largeRandomSlicesText(7).length);
    expect(text === largeRandomSlicesText(7)).toBe(true);
  });

  it("raises a StreamError on a corrupt CRC, after the intact text", async () => {
    const stream = await client.completion({ model, messages: user("x"), api_base: scenario("corrupt-crc"), stream: true });
    let text = "";
    const error = await failure(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(error).toBeInstanceOf(StreamError);
    expect(text).toBe(CORRUPT_CRC_VALID_TEXT);
  });

  it("raises a StreamError when the stream ends inside a frame, never a silent stop", async () => {
    const error = await failure(client.completion({ model, messages: user("x"), api_base: scenario("truncated") }));
    expect(error).toBeInstanceOf(StreamError);
    expect(error.message).toMatch(/truncated/);
    const stream = await client.completion({ model, messages: user("x"), api_base: scenario("truncated"), stream: true });
    let text = "";
    const streamed = await failure(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(streamed).toBeInstanceOf(StreamError);
    expect(text).toBe(TRUNCATED_VALID_TEXT);
  });
});

describe("usage and cost", () => {
  it("sums every model call in every trace kind, collaborators included, and prices each with its model", async () => {
    const response = await client.completion({ model, messages: user("x"), api_base: scenario("usage-all-kinds") });
    expect(response.choices[0]!.message.content).toBe(USAGE_ALL_KINDS_TEXT);
    expect(response.usage.prompt_tokens).toBe(USAGE_ALL_KINDS_EXPECTED_USAGE.inputTokens);
    expect(response.usage.completion_tokens).toBe(USAGE_ALL_KINDS_EXPECTED_USAGE.outputTokens);
    const expectedCost = Object.entries(USAGE_ALL_KINDS_BY_MODEL).reduce(
      (sum, [id, usage]) => sum + costOf(id, usage.inputTokens, usage.outputTokens)!,
      0,
    );
    expect(response._hidden_params.response_cost).toBeCloseTo(expectedCost, 12);
    expect(response._hidden_params.foundation_models).toContain(COLLABORATOR_MODEL);
    // Pricing everything with one model would give another figure.
    const oneModelCost = costOf(DEMO_MODEL, response.usage.prompt_tokens, response.usage.completion_tokens)!;
    expect(Math.abs(oneModelCost - expectedCost)).toBeGreaterThan(1e-6);
  });

  it("prices usage that arrives before the model id: by its trace step, else by its agent", async () => {
    for (const stream of [false, true]) {
      let cost: number | null;
      if (stream) {
        const chunks = await client.completion({ model, messages: user("x"), api_base: scenario("usage-before-model"), stream: true });
        for await (const _ of chunks);
        cost = chunks._hidden_params.response_cost;
      } else {
        const response = await client.completion({ model, messages: user("x"), api_base: scenario("usage-before-model") });
        expect(response.choices[0]!.message.content).toBe(USAGE_BEFORE_MODEL_TEXT);
        cost = response._hidden_params.response_cost;
      }
      const expected = Object.entries(USAGE_BEFORE_MODEL_BY_MODEL).reduce(
        (sum, [id, usage]) => sum + costOf(id, usage.inputTokens, usage.outputTokens)!,
        0,
      );
      expect(cost, stream ? "streamed" : "not streamed").toBeCloseTo(expected, 12);
    }
  });

  it("prices with custom per-token prices when given", async () => {
    const response = await client.completion({
      model,
      messages: user("x"),
      api_base: emulatorUrl,
      input_cost_per_token: 0.001,
      output_cost_per_token: 0.002,
    });
    expect(response._hidden_params.response_cost).toBeCloseTo(
      DEMO_EXPECTED_USAGE.inputTokens * 0.001 + DEMO_EXPECTED_USAGE.outputTokens * 0.002,
      9,
    );
  });
});

describe("errors", () => {
  for (const [code, status] of Object.entries(HTTP_ERROR_STATUS)) {
    it(`maps HTTP ${status} ${code} by its code`, async () => {
      const error = await failure(
        client.completion({ model, messages: user("x"), api_base: scenario(`http-error:${code}`), num_retries: 0 }),
      );
      expect(error.awsCode).toBe(code);
      expect(error.requestId).toMatch(/[0-9a-f-]{36}/);
      expect(error.toJSON().error).toMatchObject({ type: error.type, code });
    });
  }

  it("keeps codes that share a status apart", async () => {
    const get = (code: string) =>
      failure(client.completion({ model, messages: user("x"), api_base: scenario(`http-error:${code}`), num_retries: 0 }));
    const [validation, quota, dependency, notReady] = await Promise.all([
      get("ValidationException"),
      get("ServiceQuotaExceededException"),
      get("DependencyFailedException"),
      get("ModelNotReadyException"),
    ]);
    expect([validation.status, quota.status, dependency.status, notReady.status]).toEqual([400, 429, 424, 503]);
    expect([validation.retryable, quota.retryable, dependency.retryable, notReady.retryable]).toEqual([
      false,
      false,
      false,
      true,
    ]);
  });

  it("raises an exception frame after the partial text of a stream", async () => {
    const stream = await client.completion({
      model,
      messages: user("x"),
      api_base: scenario("exception-mid-stream:throttlingException"),
      stream: true,
    });
    let text = "";
    const error = await failure(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(text).toBe(EXCEPTION_MID_STREAM_TEXT);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.requestId).toBe(stream.requestId);
  });

  it("raises an exception frame in a non-streaming call too", async () => {
    const error = await failure(
      client.completion({ model, messages: user("x"), api_base: scenario("exception-mid-stream:dependencyFailedException") }),
    );
    expect(error.status).toBe(424);
    expect(error.awsCode).toBe("DependencyFailedException");
  });

  it("retries throttling with backoff and succeeds", async () => {
    const session = sessionId();
    const response = await client.completion({
      model,
      messages: user(question),
      session_id: session,
      api_base: scenario("flaky:2:ThrottlingException"),
      num_retries: 2,
    });
    expect(response.choices[0]!.message.content).toBe(demoAnswer(question));
    expect((await requestsFor(session)).map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it("retries an exception frame that arrives before any event", async () => {
    const session = sessionId();
    const { text } = await readAll(
      await client.completion({
        model,
        messages: user(question),
        session_id: session,
        api_base: scenario("flaky-frame:1:internalServerException"),
        stream: true,
      }),
    );
    expect(text).toBe(demoAnswer(question));
    expect(await requestsFor(session)).toHaveLength(2);
  });

  it("gives up after num_retries", async () => {
    const session = sessionId();
    const error = await failure(
      client.completion({
        model,
        messages: user("x"),
        session_id: session,
        api_base: scenario("flaky:5:InternalServerException"),
        num_retries: 1,
      }),
    );
    expect(error.status).toBe(500);
    expect(await requestsFor(session)).toHaveLength(2);
  });

  it("does not retry what cannot succeed", async () => {
    const session = sessionId();
    await failure(
      client.completion({ model, messages: user("x"), session_id: session, api_base: scenario("flaky:1:ValidationException") }),
    );
    expect(await requestsFor(session)).toHaveLength(1);
  });

  it("reports a refused connection as a ConnectionError", async () => {
    const error = await failure(
      client.completion({ model, messages: user("x"), api_base: "http://127.0.0.1:9", num_retries: 0 }),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain("127.0.0.1:9");
  });

  it("stops at the caller's signal with an AbortError", async () => {
    const controller = new AbortController();
    const pending = client.completion({
      model,
      messages: user("x"),
      api_base: scenario("slow-first-token:3000"),
      stream: true,
      signal: controller.signal,
    });
    const stream = await pending;
    setTimeout(() => controller.abort(), 50);
    const error = await failure(readAll(stream));
    expect(error).toBeInstanceOf(AbortError);
  });

  it("gives up after `timeout` seconds with a TimeoutError", async () => {
    const started = Date.now();
    const error = await failure(
      client.completion({ model, messages: user("x"), api_base: scenario("slow-first-token:3000"), timeout: 0.3 }),
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
