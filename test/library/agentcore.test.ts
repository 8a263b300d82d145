// The AgentCore backends through the library's three surfaces, against the emulator, under Node
// and inside workerd.
import { describe, expect, inject, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  BedrockAgentClient,
  DependencyFailedError,
  InternalServerError,
  PermissionDeniedError,
  RateLimitError,
  costOf,
} from "../../src/index.ts";
import {
  HARNESS_ARN,
  HARNESS_CALL_USAGE,
  HARNESS_PARTIAL_TEXT,
  HARNESS_REASONING_TEXT,
  HARNESS_SERVER_TOOL_TEXT,
  HARNESS_TOOL_ARGUMENTS,
  RUNTIME_ARN,
  RUNTIME_BEARER_TOKEN,
  RUNTIME_PARTIAL_TEXT,
  RUNTIME_USAGE,
  harnessAnswer,
  harnessToolAnswer,
  runtimeAnswer,
} from "../emulator/agentcore-scenarios.ts";
import { CallerScope } from "../../src/caller-scope.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { failure } from "./support/failure.ts";

const emulatorUrl = inject("emulatorUrl");
const harness = `bedrock/agentcore/${HARNESS_ARN}`;
const runtime = `bedrock/agentcore/${RUNTIME_ARN}`;
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  api_base: emulatorUrl,
  num_retries: 0,
});
const scenario = (name: string) => `${emulatorUrl}/scenario/${name}`;
const user = (content: string) => [{ role: "user" as const, content }];
const weatherTool = { type: "function" as const, function: { name: "get_weather", description: "The weather of a city", parameters: { type: "object", properties: { city: { type: "string" } } } } };

async function recorded(session: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((r) => r.sessionId === session);
}

describe("the harness (InvokeHarness)", () => {
  it("answers with reasoning and text, in a new session signed for the ARN's region", async () => {
    const completion = await client.completion({ model: harness, messages: user("Hello"), env: { AWS_REGION: "eu-central-1" } });
    const message = completion.choices[0]!.message;
    expect(message.content).toBe(harnessAnswer("Hello", 1));
    expect(message.reasoning_content).toBe(HARNESS_REASONING_TEXT);
    expect(completion.usage).toMatchObject({ prompt_tokens: HARNESS_CALL_USAGE.inputTokens, completion_tokens: HARNESS_CALL_USAGE.outputTokens });
    expect(completion.session_id.length).toBeGreaterThanOrEqual(33);
    const [seen] = await recorded(completion.session_id);
    expect(seen!.signingRegion).toBe("us-west-2");
    expect(new URL(`http://x${seen!.path}`).pathname).toBe("/harnesses/invoke");
    // No model named: the cost is unknown, never a guess.
    expect(completion._hidden_params.response_cost).toBeNull();
    const priced = await client.completion({ model: harness, messages: user("Hello"), harness_model: "anthropic.claude-3-haiku-20240307-v1:0" });
    expect(priced._hidden_params.response_cost).toBeCloseTo(costOf("anthropic.claude-3-haiku-20240307-v1:0", HARNESS_CALL_USAGE.inputTokens, HARNESS_CALL_USAGE.outputTokens)!, 12);
    const [pricedSeen] = await recorded(priced.session_id);
    expect((pricedSeen!.body as { model: unknown }).model).toEqual({ bedrockModelConfig: { modelId: "anthropic.claude-3-haiku-20240307-v1:0" } });
  });

  it("gives a new session the whole conversation, a continued one only what is new", async () => {
    const first = await client.completion({
      model: harness,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "My name is Ada." },
        { role: "assistant", content: "Hello Ada!" },
        { role: "user", content: "Remember it." },
      ],
    });
    expect(first.choices[0]!.message.content).toBe(harnessAnswer("Remember it.", 3));
    const second = await client.completion({ model: harness, session_id: first.session_id, messages: [...user("x"), { role: "assistant", content: "y" }, ...user("What is my name?")] });
    expect(second.choices[0]!.message.content).toBe(harnessAnswer("What is my name?", 5));
    const [a, b] = await recorded(first.session_id);
    expect(a!.body).toMatchObject({ systemPrompt: [{ text: "Be brief." }], messages: [{ role: "user" }, { role: "assistant" }, { role: "user" }] });
    expect((b!.body as { messages: unknown[] }).messages).toEqual([{ role: "user", content: [{ text: "What is my name?" }] }]);
  });

  it("hands the client's own tools back as tool calls, and takes the results on the session the ids carry", async () => {
    const messages: Parameters<typeof client.completion>[0]["messages"] = user("What is the weather?");
    const first = await client.completion({ model: harness, api_base: scenario("tools"), tools: [weatherTool], messages });
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    const call = first.choices[0]!.message.tool_calls![0]!;
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual(HARNESS_TOOL_ARGUMENTS);
    const [seen] = await recorded(first.session_id);
    expect((seen!.body as { tools: unknown }).tools).toEqual([
      { type: "inline_function", name: "get_weather", config: { inlineFunction: { description: "The weather of a city", inputSchema: weatherTool.function.parameters } } },
    ]);
    const second = await client.completion({
      model: harness,
      api_base: scenario("tools"),
      tools: [weatherTool],
      messages: [...messages, first.choices[0]!.message, { role: "tool", tool_call_id: call.id, content: "sunny" }],
    });
    expect(second.session_id).toBe(first.session_id);
    expect(second.choices[0]!.message.content).toBe(harnessToolAnswer("sunny"));
    const forged = await failure(client.completion({ model: harness, messages: [...messages, { role: "tool", tool_call_id: "call_forged.AAAA", content: "x" }] }));
    expect(forged).toMatchObject({ code: "invalid_tool_call_id" });
  });

  it("streams a tool call's arguments in the Responses and Messages shapes too", async () => {
    const response = await client.responses({ model: harness, api_base: scenario("tools"), input: "Weather?", tools: [{ type: "function", name: "get_weather", parameters: {} }] });
    const call = response.output.find((item) => item.type === "function_call")!;
    expect(JSON.parse(call.arguments)).toEqual(HARNESS_TOOL_ARGUMENTS);
    const next = await client.responses({ model: harness, api_base: scenario("tools"), input: [{ type: "function_call_output", call_id: call.call_id, output: "rain" }], tools: [{ type: "function", name: "get_weather" }] });
    expect(next.output_text).toBe(harnessToolAnswer("rain"));
    const message = await client.messages({ model: harness, api_base: scenario("tools"), max_tokens: 99, messages: user("Weather?"), tools: [{ name: "get_weather", input_schema: { type: "object" } }] });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content.find((block) => block.type === "tool_use")).toMatchObject({ name: "get_weather", input: HARNESS_TOOL_ARGUMENTS });
  });

  it("keeps the harness's own tools to itself: their use is a line of reasoning, usage over every loop", async () => {
    const completion = await client.completion({ model: harness, api_base: scenario("server-tool"), tools: [weatherTool], messages: user("Weather?") });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
    expect(completion.choices[0]!.message.content).toBe(`Let me check. ${HARNESS_SERVER_TOOL_TEXT}`);
    expect(completion.choices[0]!.message.reasoning_content).toContain("Using shell.");
    expect(completion.usage.prompt_tokens).toBe(2 * HARNESS_CALL_USAGE.inputTokens);
  });

  it("maps stop reasons and errors: max tokens, exceptions mid-stream, a hook's deny, HTTP errors", async () => {
    const long = await client.completion({ model: harness, api_base: scenario("max-tokens"), messages: user("x"), max_tokens: 5 });
    expect(long.choices[0]!.finish_reason).toBe("length");
    expect(long._hidden_params.stop_reason).toBe("max_tokens");
    const stream = await client.completion({ model: harness, api_base: scenario("exception-mid-stream"), messages: user("x"), stream: true });
    let text = "";
    const error = await failure(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(text).toBe(HARNESS_PARTIAL_TEXT);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(await failure(client.completion({ model: harness, api_base: scenario("hook-deny"), messages: user("x") }))).toBeInstanceOf(PermissionDeniedError);
    expect(await failure(client.completion({ model: harness, api_base: scenario("http-error:ThrottlingException"), messages: user("x") }))).toBeInstanceOf(RateLimitError);
    expect(await failure(client.completion({ model: harness, api_base: scenario("http-error:AccessDeniedException"), messages: user("x") }))).toBeInstanceOf(PermissionDeniedError);
  });

  it("refuses what a harness cannot take with a 400, before any call", async () => {
    const image = await failure(client.completion({ model: harness, messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] }] }));
    expect(image).toBeInstanceOf(BadRequestError);
    expect(image.message).toMatch(/text, not files/);
    const empty = await failure(client.completion({ model: harness, messages: user("") }));
    expect(empty).toMatchObject({ param: "messages[0].content", code: "empty_message" });
    const short = await failure(client.completion({ model: harness, session_id: "too-short", messages: user("x") }));
    expect(short).toMatchObject({ param: "session_id", code: "invalid_session_id" });
  });

  it("takes the endpoint from AWS_ENDPOINT_URL_BEDROCK_AGENTCORE, a qualifier, and LiteLLM's runtimeSessionId", async () => {
    const bare = new BedrockAgentClient({ aws_access_key_id: STATIC_CREDENTIALS.accessKeyId, aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey, num_retries: 0 });
    const first = await bare.completion({ model: harness, messages: user("Hi"), qualifier: "DEFAULT", env: { AWS_ENDPOINT_URL_BEDROCK_AGENTCORE: emulatorUrl } });
    expect(first.choices[0]!.message.content).toBe(harnessAnswer("Hi", 1));
    const [seen] = await recorded(first.session_id);
    expect(new URLSearchParams(seen!.query).get("qualifier")).toBe("DEFAULT");
    expect(new URLSearchParams(seen!.query).get("harnessArn")).toBe(HARNESS_ARN);
    const next = await client.completion({ model: harness, messages: user("Again"), runtimeSessionId: first.session_id });
    expect(next.session_id).toBe(first.session_id);
    const run = await client.completion({ model: runtime, messages: user("x"), qualifier: "v2" });
    expect((await recorded(run.session_id))[0]!.query).toBe("qualifier=v2");
  });

  it("passes the end user on as the memory actor and the user id", async () => {
    const completion = await client.completion({ model: harness, messages: user("x"), user: "user-42" });
    const [seen] = await recorded(completion.session_id);
    expect((seen!.body as { actorId: string }).actorId).toBe("user-42");
    expect(seen!.headers["x-amzn-bedrock-agentcore-runtime-user-id"]).toBe("user-42");
    const fixed = await client.completion({ model: harness, messages: user("x"), user: "user-42", actor_id: "shared-actor", pass_user: false });
    const [fixedSeen] = await recorded(fixed.session_id);
    expect((fixedSeen!.body as { actorId: string }).actorId).toBe("shared-actor");
    expect(fixedSeen!.headers["x-amzn-bedrock-agentcore-runtime-user-id"]).toBeUndefined();
  });
  it("namespaces the end user by caller, so no caller reaches another's end users' memory", async () => {
    const asTeam = (team: string, other: string) => new CallerScope(team, [other]);
    const a = await client.completion({ model: harness, messages: user("x"), user: "user-42", scope: asTeam("team-a", "team-b") });
    const b = await client.completion({ model: harness, messages: user("x"), user: "user-42", scope: asTeam("team-b", "team-a") });
    const actorOf = async (session: string) => ((await recorded(session))[0]!.body as { actorId: string }).actorId;
    const [actorA, actorB] = [await actorOf(a.session_id), await actorOf(b.session_id)];
    expect(actorA).toMatch(/^user-42-[\w-]{16}$/);
    expect(actorB).toMatch(/^user-42-[\w-]{16}$/);
    expect(actorA).not.toBe(actorB);
    // Team b naming team a's namespaced actor is refused, before any call.
    expect(await failure(client.completion({ model: harness, messages: user("x"), user: actorA, scope: asTeam("team-b", "team-a") }))).toBeInstanceOf(PermissionDeniedError);
    // The config's actor_id is one memory per caller too, unless shared on purpose (issue 20.8).
    const fixed = async (team: string, other: string, shared?: boolean) =>
      actorOf((await client.completion({ model: harness, messages: user("x"), actor_id: "support-bot", actor_id_shared: shared, scope: asTeam(team, other) })).session_id);
    const [fixedA, fixedB] = [await fixed("team-a", "team-b"), await fixed("team-b", "team-a")];
    expect(fixedA).toMatch(/^support-bot-[\w-]{16}$/);
    expect(fixedB).toMatch(/^support-bot-[\w-]{16}$/);
    expect(fixedA).not.toBe(fixedB);
    expect(await fixed("team-a", "team-b", true)).toBe("support-bot");
    expect(await fixed("team-b", "team-a", true)).toBe("support-bot");
    // And team a's session is not team b's to continue.
    expect(await failure(client.completion({ model: harness, messages: user("x"), session_id: a.session_id, scope: asTeam("team-b", "team-a") }))).toBeInstanceOf(PermissionDeniedError);
  });
});

describe("the runtime (InvokeAgentRuntime)", () => {
  it("reads a Strands agent's SSE, each text once though it comes in two shapes, with its usage", async () => {
    const completion = await client.completion({ model: runtime, messages: user("Hello") });
    expect(completion.choices[0]!.message.content).toBe(runtimeAnswer("Hello"));
    expect(completion.usage).toMatchObject({ prompt_tokens: RUNTIME_USAGE.inputTokens, completion_tokens: RUNTIME_USAGE.outputTokens });
    const [seen] = await recorded(completion.session_id);
    expect(seen!.body).toEqual({ prompt: "Hello" });
    expect(seen!.headers.accept).toBe("application/json, text/event-stream");
    const stream = await client.completion({ model: runtime, messages: user("Hello"), stream: true });
    const pieces: string[] = [];
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content) pieces.push(chunk.choices[0].delta.content);
    expect(pieces.join("")).toBe(runtimeAnswer("Hello"));
    expect(pieces.length).toBeGreaterThan(2);
  });

  it("reads JSON answers and JSON-string events", async () => {
    expect((await client.completion({ model: runtime, api_base: scenario("json"), messages: user("Hi") })).choices[0]!.message.content).toBe(runtimeAnswer("Hi"));
    expect((await client.completion({ model: runtime, api_base: scenario("strings"), messages: user("Hi") })).choices[0]!.message.content).toBe(runtimeAnswer("Hi"));
  });

  it("sends the payload the config asks for: the prompt, the conversation, or an OpenAI request", async () => {
    const messages = [{ role: "system" as const, content: "Be kind." }, ...user("A"), { role: "assistant" as const, content: "B" }, ...user("C")];
    const echo = async (payload_format: "prompt" | "conversation" | "openai") =>
      JSON.parse((await client.completion({ model: runtime, api_base: scenario("echo"), messages, payload_format })).choices[0]!.message.content!) as Record<string, unknown>;
    expect(await echo("prompt")).toEqual({ prompt: "C" });
    expect(await echo("conversation")).toEqual({
      prompt: "C",
      messages: [{ role: "system", content: "Be kind." }, { role: "user", content: "A" }, { role: "assistant", content: "B" }, { role: "user", content: "C" }],
    });
    expect(await echo("openai")).toMatchObject({ model: runtime, stream: false, messages: [{ role: "system" }, { role: "user" }, { role: "assistant" }, { role: "user", content: "C" }] });
  });

  it("continues a session it is given, and sends a bearer token instead of SigV4 when the config has one", async () => {
    const first = await client.completion({ model: runtime, messages: user("x") });
    const second = await client.completion({ model: runtime, messages: user("y"), session_id: first.session_id });
    expect(second.session_id).toBe(first.session_id);
    const bearer = await client.completion({ model: runtime, messages: user("x"), api_key: RUNTIME_BEARER_TOKEN, aws_access_key_id: undefined });
    expect(bearer.choices[0]!.message.content).toBe(runtimeAnswer("x"));
    const [seen] = await recorded(bearer.session_id);
    expect(seen!.signingRegion).toBeUndefined();
    const refused = await failure(client.completion({ model: runtime, messages: user("x"), api_key: "not-the-token-0123456789" }));
    expect(refused).toBeInstanceOf(AuthenticationError);
    expect(JSON.stringify(refused.toJSON()) + refused.message).not.toContain("not-the-token-0123456789");
  });

  it("settles the secret of its response ids before the agent runs: id_secret, or a clear error and no call (issue 20.6)", async () => {
    const bearerOnly = new BedrockAgentClient({ api_base: emulatorUrl, num_retries: 0, env: {} });
    const before = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
    const refused = await failure(bearerOnly.responses({ model: runtime, input: "x", api_key: RUNTIME_BEARER_TOKEN }));
    expect(refused).toMatchObject({ status: 500, code: "id_secret_missing" });
    expect(refused.message).toContain("id_secret");
    const after = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
    expect(after.length).toBe(before.length);

    const withSecret = new BedrockAgentClient({ api_base: emulatorUrl, num_retries: 0, env: {}, id_secret: "an-id-secret-of-at-least-32-characters" });
    const first = await withSecret.responses({ model: runtime, input: "x", api_key: RUNTIME_BEARER_TOKEN });
    expect(first.output_text).toBe(runtimeAnswer("x"));
    const second = await withSecret.responses({ model: runtime, input: "y", previous_response_id: first.id, api_key: RUNTIME_BEARER_TOKEN });
    expect(second.session_id).toBe(first.session_id);
    // Ids signed with one secret are no good with another.
    const otherSecret = new BedrockAgentClient({ api_base: emulatorUrl, num_retries: 0, env: {}, id_secret: "another-id-secret-of-32-characters!!" });
    expect(await failure(otherSecret.responses({ model: runtime, input: "y", previous_response_id: first.id, api_key: RUNTIME_BEARER_TOKEN }))).toMatchObject({ code: "invalid_response_id" });
  });

  it("raises the agent's error event and failing statuses as typed errors", async () => {
    const stream = await client.completion({ model: runtime, api_base: scenario("error-event"), messages: user("x"), stream: true });
    let text = "";
    const error = await failure(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      })(),
    );
    expect(text).toBe(RUNTIME_PARTIAL_TEXT);
    expect(error).toBeInstanceOf(DependencyFailedError);
    expect(error.message).toContain("division by zero");
    expect(await failure(client.completion({ model: runtime, api_base: scenario("http-error:RuntimeClientError"), messages: user("x") }))).toBeInstanceOf(DependencyFailedError);
  });
});
