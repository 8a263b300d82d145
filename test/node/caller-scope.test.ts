// Sessions and memory belong to the caller that made them: two API keys against a real server.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { emulatedModel } from "./support/emulated-model.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-scope-master-0123456789";
const TEAM_A = "sk-scope-team-a-0123456789";
const TEAM_A_ROTATED = "sk-scope-team-a-rotated-0123";
const TEAM_B = "sk-scope-team-b-0123456789";

let server: { url: string; close(): Promise<void> };
const client = (key: string) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 });
const user = (content: string) => [{ role: "user" as const, content }];

async function requests(filter: (r: RecordedRequest) => boolean): Promise<RecordedRequest[]> {
  return ((await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[]).filter(filter);
}

/** Chat with extra body fields; the session id the endpoint answered with. */
async function chat(key: string, model: string, extra: Record<string, unknown> = {}, messages: OpenAI.ChatCompletionMessageParam[] = user("hi")) {
  const { data, response } = await client(key)
    .chat.completions.create({ model, messages, ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming)
    .withResponse();
  return { data, session: response.headers.get("x-bedrock-agent-session-id")! };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
  expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("id_of_another_caller");
}

beforeAll(async () => {
  const raw = {
    model_list: [
      emulatedModel("agent"),
      emulatedModel("tools", "return-control"),
    ],
    general_settings: {
      master_key: MASTER,
      api_keys: [
        { name: "team-a", key_sha256: await hashKey(TEAM_A), models: ["agent", "tools"] },
        { name: "team-a", key_sha256: await hashKey(TEAM_A_ROTATED), models: ["agent", "tools"] },
        { name: "team-b", key_sha256: await hashKey(TEAM_B), models: ["agent", "tools"] },
      ],
    },
  };
  server = await startServer({ config: parseConfig(raw, { lookup: () => undefined }), port: 0, log: () => {} });
});
afterAll(() => server?.close());

describe("sessions and memory scoped by caller", () => {
  it("tags the session a caller starts, continues it for that caller, and refuses it to another", async () => {
    const { session } = await chat(TEAM_A, "agent");
    expect(session).toMatch(/^[0-9a-f-]{36}-[\w-]{16}$/);
    expect((await chat(TEAM_A, "agent", { session_id: session })).session).toBe(session);
    expect((await chat(TEAM_A_ROTATED, "agent", { session_id: session })).session).toBe(session);
    await refusal(chat(TEAM_B, "agent", { session_id: session }));
    await refusal(
      client(TEAM_B).chat.completions.create({ model: "agent", messages: user("hi") }, { headers: { "x-bedrock-agent-session-id": session } }),
    );
    // Refused before any call to AWS: the session saw team-a's three requests only.
    expect(await requests((r) => r.sessionId === session)).toHaveLength(3);
  });

  it("namespaces a session id a caller names itself, so two callers' same name are two sessions", async () => {
    const name = `my-conversation-${crypto.randomUUID().slice(0, 8)}`;
    const a = (await chat(TEAM_A, "agent", { session_id: name })).session;
    const b = (await chat(TEAM_B, "agent", { session_id: name })).session;
    expect(a.startsWith(`${name}-`) && b.startsWith(`${name}-`)).toBe(true);
    expect(a).not.toBe(b);
    expect((await chat(TEAM_A, "agent", { session_id: name })).session).toBe(a);
    expect(await requests((r) => r.sessionId === name)).toHaveLength(0);
  });

  it("namespaces memory ids by caller before they reach AWS, and refuses another caller's", async () => {
    const memory = `memory-${crypto.randomUUID().slice(0, 8)}`;
    const a = await chat(TEAM_A, "agent", { memory_id: memory });
    const b = await chat(TEAM_B, "agent", { memory_id: memory });
    const memoryOf = async (session: string) =>
      ((await requests((r) => r.sessionId === session))[0]!.body as { memoryId?: string }).memoryId!;
    const [awsA, awsB] = [await memoryOf(a.session), await memoryOf(b.session)];
    expect(awsA).toMatch(new RegExp(`^${memory}-[\\w-]{16}$`));
    expect(awsB).toMatch(new RegExp(`^${memory}-[\\w-]{16}$`));
    expect(awsA).not.toBe(awsB);
    await refusal(chat(TEAM_B, "agent", { memory_id: awsA }));
  });

  it("refuses another caller's tool call ids, which carry its session", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = user("Plan my trip");
    const first = await chat(TEAM_A, "tools", {}, messages);
    const message = first.data.choices[0]!.message;
    expect(message.tool_calls?.length).toBeGreaterThan(0);
    const answered = [...messages, message, ...message.tool_calls!.map((call) => ({ role: "tool" as const, tool_call_id: call.id, content: "done" }))];
    await refusal(chat(TEAM_B, "tools", {}, answered));
    // Nor may a history that went through them continue that session.
    await refusal(chat(TEAM_B, "tools", {}, [...answered, { role: "assistant", content: "Booked." }, ...user("And now?")]));
    const own = await chat(TEAM_A, "tools", {}, answered);
    expect(own.session).toBe(first.session);
  });

  it("lets the master key, the admin, use any caller's session as it is", async () => {
    const { session } = await chat(TEAM_A, "agent");
    expect((await chat(MASTER, "agent", { session_id: session })).session).toBe(session);
    expect(await requests((r) => r.sessionId === session)).toHaveLength(2);
  });
});
