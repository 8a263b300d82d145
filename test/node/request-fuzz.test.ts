// Issue 20, point 4 (security hardening, "Low"): malformed input must not reach code as the wrong
// type. `messages[i].tool_calls` of 1, "x", {}, true or [null], or a tool message with
// `content: [null]`, was a 500. Every field of every surface is now checked for its type, and a
// wrong one is a 400 naming the field by its path. This file holds the cases the issue names and
// a seeded, deterministic fuzz over the request shapes of all three client APIs, through the
// real endpoint (in process) and the bundled emulator: no answer may be a 5xx, and every 4xx has
// its API's error shape.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { BadRequestError } from "../../src/errors.ts";
import { completion, messages, responses } from "../../src/index.ts";
import { createApp } from "../../src/proxy/app.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { SESSION_FIELDS, chatRoute, messagesRoute, responsesRoute } from "../../src/proxy/surfaces.ts";
import { HARNESS_ARN, RUNTIME_ARN } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { mulberry32 } from "../emulator/slicing.ts";
import { type Path, type Replacement, describeReplacement, isWrongType, mutate, pathName, pathsOf, replacementsFor, valueAt } from "./support/request-mutations.ts";
import { type Json, MODEL, SHAPES, type Surface } from "./support/request-shapes.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER_KEY = "sk-request-fuzz-0123456789";
const SEED = 20260420;
/** Requests in flight at once: the emulator answers while the app checks the next ones. */
const CONCURRENCY = 16;
/** Mutations of several fields at once per shape, on top of every single-field one. */
const MULTI_MUTATIONS_PER_SHAPE = 100;

const ROUTES: Record<Surface, string> = { chat: "/v1/chat/completions", responses: "/v1/responses", messages: "/v1/messages" };
const MODELS = ["agent", "harness", "runtime", "runtime-openai"] as const;

function config() {
  const model = (name: string, model: string, scenario?: string, more: Record<string, unknown> = {}) => ({
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
  });
  return parseConfig(
    {
      model_list: [
        // demo:0: the classic demo answer without pauses between its streamed pieces.
        model("agent", "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", "demo:0"),
        model("harness", `bedrock/agentcore/${HARNESS_ARN}`),
        model("runtime", `bedrock/agentcore/${RUNTIME_ARN}`),
        // The whole request passed on as OpenAI chat: tools and tool results reach the payload.
        model("runtime-openai", `bedrock/agentcore/${RUNTIME_ARN}`, "echo", { payload_format: "openai" }),
      ],
      general_settings: { master_key: MASTER_KEY },
    },
    { lookup: () => undefined },
  );
}

let app: ReturnType<typeof createApp>;
beforeAll(() => {
  app = createApp({ config: config(), requestLog: false, log: () => {} });
});

interface Answer {
  status: number;
  text: string;
  contentType: string;
}

async function post(surface: Surface, body: unknown): Promise<Answer> {
  const response = await app.request(ROUTES[surface], {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text(), contentType: response.headers.get("content-type") ?? "" };
}

/**
 * What is wrong with an answer, or undefined: no 5xx, 4xx bodies in the surface's error shape, no
 * server error in a stream, and a field given a value of the wrong type refused with a 400 naming it.
 */
function fault(c: Case, answer: Answer): string | undefined {
  const { surface } = c;
  const { status, text } = answer;
  if (status >= 500) return `${status}: ${text.slice(0, 300)}`;
  if (c.wrongType && status !== 400) return `${status} where a 400 naming ${c.wrongType} was due: ${text.slice(0, 200)}`;
  if (status >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return `${status} whose body is not JSON: ${text.slice(0, 200)}`;
    }
    return errorShapeFault(surface, body) ?? (c.wrongType ? namingFault(surface, body, c.wrongType) : undefined);
  }
  if (answer.contentType.startsWith("text/event-stream") && /"(server_error|api_error)"/.test(text)) {
    return `a stream with a server error: ${text.match(/.*"(server_error|api_error)".*/)![0].slice(0, 300)}`;
  }
  return undefined;
}

function errorShapeFault(surface: Surface, body: unknown): string | undefined {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (surface === "messages") {
    const ok = (body as { type?: unknown }).type === "error" && typeof error?.type === "string" && typeof error.message === "string";
    return ok ? undefined : `not Anthropic's error shape: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const ok =
    typeof error?.message === "string" &&
    typeof error.type === "string" &&
    (error.param === null || typeof error.param === "string") &&
    (error.code === null || typeof error.code === "string");
  return ok ? undefined : `not OpenAI's error shape: ${JSON.stringify(body).slice(0, 200)}`;
}

/** The field an error names: OpenAI's `param`; Anthropic's body has none, so the first word of its message. */
function namedField(surface: Surface, body: unknown): string {
  const error = (body as { error: { param?: string | null; message: string } }).error;
  return surface === "messages" ? error.message.split(/[: ]/)[0]!.replace(/"/g, "") : String(error.param);
}

/** A 400 for a wrong type names the field, or the object or list it is in (a message whose role is not a string, say). */
function namingFault(surface: Surface, body: unknown, field: string): string | undefined {
  const named = namedField(surface, body);
  const names = named === field || (field.startsWith(named) && /^[.[]/.test(field.slice(named.length)) && /[.[]/.test(named));
  return names ? undefined : `the 400 names ${named}, not ${field}: ${JSON.stringify(body).slice(0, 200)}`;
}

interface Case {
  surface: Surface;
  label: string;
  body: Json;
  /** The field a single mutation gave a value of the wrong type: the answer must be a 400 naming it. */
  wrongType?: string;
}

/** Every single-field mutation of every shape, then random multi-field ones; each on a model and stream flag the seed picks. */
function cases(): Case[] {
  const random = mulberry32(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const all: Case[] = [];
  const add = (surface: Surface, shape: string, template: Json, mutations: Array<[Path, Replacement]>, wrongType?: string) => {
    const model = pick(MODELS);
    const stream = random() < 0.5;
    let body: Json | undefined = { ...(template as Record<string, Json>), model, stream };
    for (const [path, replacement] of mutations) body = body && mutate(body, path, replacement);
    if (body === undefined) return;
    const what = mutations.map(([path, replacement]) => `${pathName(surface, path)} = ${describeReplacement(replacement)}`).join(", ");
    all.push({ surface, label: `${surface} "${shape}" on ${model}${stream ? ", streamed" : ""}: ${what}`, body, wrongType });
  };
  for (const surface of Object.keys(SHAPES) as Surface[]) {
    for (const { name, body } of SHAPES[surface]) {
      expect(body.model).toBe(MODEL);
      const paths = pathsOf(body);
      add(surface, name, body, []);
      for (const path of paths) {
        for (const replacement of replacementsFor(path)) {
          const wrong = isWrongType(surface, path, valueAt(body, path), replacement);
          add(surface, name, body, [[path, replacement]], wrong ? pathName(surface, path) : undefined);
        }
      }
      for (let i = 0; i < MULTI_MUTATIONS_PER_SHAPE; i++) {
        const count = 2 + Math.floor(random() * 3);
        const mutations = Array.from({ length: count }, (): [Path, Replacement] => {
          const path = pick(paths);
          return [path, pick(replacementsFor(path))];
        });
        add(surface, name, body, mutations);
      }
    }
  }
  return all;
}

async function inPool<T>(items: T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

async function openAIError(surface: Exclude<Surface, "messages">, body: unknown) {
  const answer = await post(surface, { model: "agent", ...(body as object) });
  expect(answer.status, answer.text).toBe(400);
  return (JSON.parse(answer.text) as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
}

async function anthropicError(body: unknown) {
  const answer = await post("messages", { model: "agent", max_tokens: 10, ...(body as object) });
  expect(answer.status, answer.text).toBe(400);
  return (JSON.parse(answer.text) as { type: string; error: { type: string; message: string } }).error;
}

const user = (content: unknown) => ({ role: "user", content });

describe("issue 20 point 4: the cases the issue names are 400s naming the field", () => {
  it.each([1, "x", {}, true])("chat: messages[i].tool_calls of %j", async (toolCalls) => {
    const error = await openAIError("chat", { messages: [user("hi"), { role: "assistant", content: "hello", tool_calls: toolCalls }, user("again")] });
    expect(error).toMatchObject({ type: "invalid_request_error", param: "messages[1].tool_calls", code: "invalid_type" });
    expect(error.message).toMatch(/^messages\[1\]\.tool_calls must be a list of tool calls, not /);
  });

  it("chat: messages[i].tool_calls of [null]", async () => {
    const error = await openAIError("chat", { messages: [user("hi"), { role: "assistant", content: null, tool_calls: [null] }, user("again")] });
    expect(error).toMatchObject({ param: "messages[1].tool_calls[0]", code: "invalid_type" });
    expect(error.message).toContain("not null");
  });

  it("chat: a tool message with content [null]", async () => {
    const error = await openAIError("chat", {
      messages: [user("hi"), { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }] }, { role: "tool", tool_call_id: "call_1", content: [null] }],
    });
    expect(error).toMatchObject({ param: "messages[2].content[0]", code: "invalid_type" });
  });

  it("chat: a tool call's arguments, id and name, and a tool message's tool_call_id, by their paths", async () => {
    const call = (fn: unknown, id: unknown = "call_1") => ({ messages: [user("hi"), { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: fn }] }, user("again")] });
    expect(await openAIError("chat", call({ name: "f", arguments: { city: "Lisbon" } }))).toMatchObject({ param: "messages[1].tool_calls[0].function.arguments", code: "invalid_type" });
    expect(await openAIError("chat", call({ name: 7, arguments: "{}" }))).toMatchObject({ param: "messages[1].tool_calls[0].function.name" });
    expect(await openAIError("chat", call({ name: "f", arguments: "{}" }, 12))).toMatchObject({ param: "messages[1].tool_calls[0].id" });
    expect(await openAIError("chat", call("f"))).toMatchObject({ param: "messages[1].tool_calls[0].function" });
    const tool = { messages: [user("hi"), { role: "tool", tool_call_id: ["call_1"], content: "24 C" }] };
    expect(await openAIError("chat", tool)).toMatchObject({ param: "messages[1].tool_call_id", code: "invalid_type" });
  });

  it("chat: content parts, tools and stream_options by their paths", async () => {
    expect(await openAIError("chat", { messages: [user([null])] })).toMatchObject({ param: "messages[0].content[0]", code: "invalid_type" });
    expect(await openAIError("chat", { messages: [user([{ type: "text", text: 5 }])] })).toMatchObject({ param: "messages[0].content[0].text" });
    expect(await openAIError("chat", { messages: [user([{ type: "image_url", image_url: "data:image/png;base64,AAAA" }])] })).toMatchObject({ param: "messages[0].content[0].image_url" });
    expect(await openAIError("chat", { messages: [user([{ type: "file", file: { file_data: "data:text/plain;base64,AAAA", filename: 3 } }])] })).toMatchObject({ param: "messages[0].content[0].file.filename" });
    expect(await openAIError("chat", { messages: [user("hi")], tools: [null] })).toMatchObject({ param: "tools[0]", code: "invalid_type" });
    expect(await openAIError("chat", { messages: [user("hi")], tools: [{ type: "function", function: { name: "f", parameters: "x" } }] })).toMatchObject({ param: "tools[0].function.parameters" });
    expect(await openAIError("chat", { messages: [user("hi")], stream: true, stream_options: { include_usage: "yes" } })).toMatchObject({ param: "stream_options.include_usage" });
  });

  it("the session fields, by the name the caller used", async () => {
    expect(await openAIError("chat", { messages: [user("hi")], session_id: ["fuzz-session-0123456789abcdef0123456789"] })).toMatchObject({ param: "session_id", code: "invalid_type" });
    expect(await openAIError("chat", { messages: [user("hi")], sessionId: 12345 })).toMatchObject({ param: "sessionId", code: "invalid_type" });
    expect(await openAIError("chat", { messages: [user("hi")], memoryId: {} })).toMatchObject({ param: "memoryId", code: "invalid_type" });
    expect(await openAIError("chat", { messages: [user("hi")], endSession: "yes" })).toMatchObject({ param: "endSession" });
    expect(await openAIError("chat", { messages: [user("hi")], session_attributes: { team: 1 } })).toMatchObject({ param: "session_attributes.team" });
  });

  it("responses: items, their content and output, and previous_response_id by their paths", async () => {
    expect(await openAIError("responses", { input: [{ type: "function_call", call_id: "c", name: "f", arguments: { a: 1 } }, { type: "function_call_output", call_id: "c", output: "ok" }] })).toMatchObject({
      param: "input[0].arguments",
      code: "invalid_type",
    });
    expect(await openAIError("responses", { input: [{ type: "function_call_output", call_id: "c", output: [null] }] })).toMatchObject({ param: "input[0].output[0]", code: "invalid_type" });
    expect(await openAIError("responses", { input: [{ role: "user", content: [null] }] })).toMatchObject({ param: "input[0].content[0]", code: "invalid_type" });
    expect(await openAIError("responses", { input: [{ type: 3, role: "user", content: "hi" }] })).toMatchObject({ param: "input[0].type", code: "invalid_type" });
    expect(await openAIError("responses", { input: "hi", previous_response_id: 5 })).toMatchObject({ param: "previous_response_id", code: "invalid_response_id" });
    expect(await openAIError("responses", { input: "hi", metadata: { purpose: 1 } })).toMatchObject({ param: "metadata.purpose", code: "invalid_type" });
    expect(await openAIError("responses", { input: "hi", tools: [{ type: "function", name: "f", description: 1 }] })).toMatchObject({ param: "tools[0].description" });
  });

  it("messages: blocks, tool results and tool uses by their paths, in Anthropic's error shape", async () => {
    const toolUse = (input: unknown) => ({ role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "f", input }] });
    let error = await anthropicError({ messages: [user("hi"), toolUse("x"), user([{ type: "tool_result", tool_use_id: "toolu_1", content: "ok" }])] });
    expect(error).toMatchObject({ type: "invalid_request_error" });
    expect(error.message).toMatch(/^messages\.1\.content\.0\.input must be an object/);
    error = await anthropicError({ messages: [user("hi"), toolUse({}), user([{ type: "tool_result", tool_use_id: "toolu_1", content: [null] }])] });
    expect(error.message).toMatch(/^messages\.2\.content\.0\.content\.0 must be/);
    error = await anthropicError({ messages: [user([null])] });
    expect(error.message).toMatch(/^messages\.0\.content\.0 must be a content block/);
    error = await anthropicError({ messages: [user("hi")], system: [null] });
    expect(error.message).toMatch(/^system\.0 must be a text block/);
    error = await anthropicError({ messages: [user([{ type: "image", source: { type: "base64", media_type: 1, data: "AAAA" } }])] });
    expect(error.message).toMatch(/^messages\.0\.content\.0\.source\.media_type must be a media type such as image\/png, not a number$/);
  });

  it("the library raises the same errors before any call to AWS", async () => {
    const aws = { aws_access_key_id: STATIC_CREDENTIALS.accessKeyId, aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey, aws_region_name: "us-west-2", api_base: emulatorUrl };
    const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
    const chat = completion({ ...aws, model, messages: [user("hi"), { role: "assistant", content: null, tool_calls: 1 }, user("again")] } as never);
    await expect(chat).rejects.toBeInstanceOf(BadRequestError);
    await expect(chat).rejects.toMatchObject({ status: 400, param: "messages[1].tool_calls", code: "invalid_type" });
    const response = responses({ ...aws, model, input: [{ type: "function_call_output", call_id: "c", output: [null] }] });
    await expect(response).rejects.toMatchObject({ status: 400, param: "input[0].output[0]", code: "invalid_type" });
    const message = messages({ ...aws, model, max_tokens: 10, messages: [user([{ type: "tool_result", tool_use_id: "t", content: [null] }])] } as never);
    await expect(message).rejects.toMatchObject({ status: 400, param: "messages.0.content.0.content.0", code: "invalid_type" });
  });
});

describe("issue 20 point 4: fuzzed requests of every surface: never a 5xx, and a wrong type a 400 naming the field", () => {
  it("mutates every field the endpoint passes on: each surface's own, and the session fields in all their names", () => {
    const given = (surface: Surface) => new Set(SHAPES[surface].flatMap((shape) => Object.keys(shape.body)));
    const routes = { chat: chatRoute, responses: responsesRoute, messages: messagesRoute };
    for (const surface of Object.keys(routes) as Surface[]) {
      expect(routes[surface].fields.filter((field) => !given(surface).has(field)), surface).toEqual([]);
    }
    const anywhere = new Set((Object.keys(routes) as Surface[]).flatMap((surface) => [...given(surface)]));
    expect(SESSION_FIELDS.filter((field) => !anywhere.has(field))).toEqual([]);
  });

  it("answers every mutation of every request shape with a success or a 4xx in the surface's error shape", async () => {
    const all = cases();
    const faults: string[] = [];
    const statuses = new Map<number, number>();
    await inPool(all, CONCURRENCY, async (c) => {
      const answer = await post(c.surface, c.body);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const problem = fault(c, answer);
      if (problem) faults.push(`${c.label} → ${problem}`);
    });
    expect(faults.slice(0, 25), `${faults.length} of ${all.length} requests failed`).toEqual([]);
    // The fuzz reaches the agents too, not only the checks: some mutations keep a request valid.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(all.length / 20);
    expect(all.length).toBeGreaterThan(5000);
  }, 120_000);
});
