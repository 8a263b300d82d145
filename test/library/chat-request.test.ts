import { describe, expect, it } from "vitest";
import { BadRequestError } from "../../src/errors.ts";
import { INSTRUCTIONS_ATTRIBUTE, toInvokeAgent } from "../../src/backends/agents-classic/request.ts";
import { ToolCallIds } from "../../src/backends/agents-classic/tool-call-id.ts";
import { chatRequest } from "../../src/surfaces/chat/request.ts";
import type { CompletionParams } from "../../src/types.ts";
import { type AgentModel, parseModel } from "../../src/model.ts";

const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const ids = new ToolCallIds("test-secret", "L1RT58GYRW/MFPSBCXYTW");
// The chat surface, then the InvokeAgent request the classic backend makes of it.
const convert = async (params: CompletionParams) => toInvokeAgent(chatRequest(params), parseModel(params.model) as AgentModel, () => ids, undefined);

describe("model strings", () => {
  it("parses bedrock/agent/{AGENT_ID}/{ALIAS_ID}", () => {
    expect(parseModel(model)).toEqual({ kind: "agent", agentId: "L1RT58GYRW", agentAliasId: "MFPSBCXYTW" });
  });

  it("parses bedrock/agentcore/{ARN}, a harness or a runtime, with the ARN's region", () => {
    const harness = "arn:aws:bedrock-agentcore:eu-west-1:123456789012:harness/TravelAgent-a1B2c3D4e5";
    expect(parseModel(`bedrock/agentcore/${harness}`)).toEqual({ kind: "harness", arn: harness, region: "eu-west-1", id: "TravelAgent-a1B2c3D4e5" });
    const runtime = "arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/my-agent-runtime";
    expect(parseModel(`bedrock/agentcore/${runtime}`)).toMatchObject({ kind: "runtime", region: "us-west-2", id: "my-agent-runtime" });
  });

  it.each([
    ["", /required/],
    ["gpt-4o", /expected bedrock\/agent\/\{AGENT_ID\}\/\{ALIAS_ID\}/],
    ["bedrock/anthropic.claude-3", /expected bedrock\/agent/],
    ["bedrock/agent/L1RT58GYRW", /expected bedrock\/agent/],
    ["bedrock/agent/L1RT58GYRW/MFPSBCXYTW/extra", /expected bedrock\/agent/],
    ["bedrock/agent/L1RT58GYRW1/MFPSBCXYTW", /Invalid AGENT_ID/],
    ["bedrock/agent/../MFPSBCXYTW", /Invalid AGENT_ID/],
    ["bedrock/agent/L1RT58GYRW/MFPS%2F", /Invalid ALIAS_ID/],
    ["bedrock/agent/L1RT58GYRW/", /Invalid ALIAS_ID/],
    ["bedrock/agentcore/arn:aws:bedrock-agentcore:us-west-2:123456789012:gateway/x", /Invalid AgentCore ARN/],
    ["bedrock/agentcore/arn:aws:bedrock-agentcore:us-west-2:1234:runtime/x", /Invalid AgentCore ARN/],
    ["bedrock/agentcore/arn:aws:bedrock-agentcore:../x:123456789012:runtime/x", /Invalid AgentCore ARN/],
    ["bedrock/agentcore/arn:aws:bedrock-agentcore:us-west-2:123456789012:runtime/a/../b", /Invalid AgentCore ARN/],
  ])("rejects %j with a 400 naming the expected form", (value, message) => {
    const error = catchError(() => parseModel(value));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "model" });
    expect((error as Error).message).toMatch(message);
  });
});

describe("messages → InvokeAgent body", () => {
  it("sends the last user message as inputText, with traces on", async () => {
    const request = await convert({ model, messages: [{ role: "user", content: "Hi there" }] });
    expect(request.body).toEqual({ inputText: "Hi there", enableTrace: true });
    expect(request.newSession).toBe(true);
    expect(request.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps earlier turns as conversation history for a new session", async () => {
    const request = await convert({
      model,
      messages: [
        { role: "user", content: "My name is Ada." },
        { role: "assistant", content: "Hello Ada!" },
        { role: "user", content: [{ type: "text", text: "What is" }, { type: "text", text: "my name?" }] },
      ],
    });
    expect(request.body.inputText).toBe("What is\nmy name?");
    expect(request.body.sessionState?.conversationHistory).toEqual({
      messages: [
        { role: "user", content: [{ text: "My name is Ada." }] },
        { role: "assistant", content: [{ text: "Hello Ada!" }] },
      ],
    });
  });

  it("merges consecutive turns of one role, so roles alternate", async () => {
    const request = await convert({
      model,
      messages: [
        { role: "user", content: "one" },
        { role: "user", content: "two" },
        { role: "assistant", content: "three" },
        { role: "assistant", content: "" },
        { role: "user", content: "four" },
        { role: "user", content: "five" },
      ],
    });
    expect(request.body.sessionState?.conversationHistory?.messages).toEqual([
      { role: "user", content: [{ text: "one\n\ntwo" }] },
      { role: "assistant", content: [{ text: "three" }] },
    ]);
    expect(request.body.inputText).toBe("four\n\nfive");
  });

  it("carries system and developer messages in promptSessionAttributes, never in history", async () => {
    const request = await convert({
      model,
      messages: [
        { role: "system", content: "Answer in French." },
        { role: "user", content: "Hello" },
        { role: "assistant", content: "Bonjour" },
        { role: "developer", content: [{ type: "text", text: "Be brief." }] },
        { role: "user", content: "How are you?" },
      ],
    });
    expect(request.body.sessionState?.promptSessionAttributes).toEqual({
      [INSTRUCTIONS_ATTRIBUTE]: "Answer in French.\n\nBe brief.",
    });
    expect(request.body.sessionState?.conversationHistory?.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("continues a given session without resending history (the session holds it)", async () => {
    for (const key of ["session_id", "sessionID", "sessionId"]) {
      const request = await convert({
        model,
        [key]: "my-session:42",
        messages: [
          { role: "user", content: "a" },
          { role: "assistant", content: "b" },
          { role: "user", content: "c" },
        ],
      });
      expect(request.sessionId).toBe("my-session:42");
      expect(request.newSession).toBe(false);
      expect(request.body.sessionState).toBeUndefined();
    }
  });

  it("asks for a streamed final response only when streaming", async () => {
    const messages = [{ role: "user" as const, content: "x" }];
    expect((await convert({ model, messages, stream: true })).body.streamingConfigurations).toEqual({
      streamFinalResponse: true,
    });
    expect((await convert({ model, messages })).body.streamingConfigurations).toBeUndefined();
  });

  it("never puts credentials or unrelated parameters in the body", async () => {
    const request = await convert({
      model,
      messages: [{ role: "user", content: "x" }],
      aws_access_key_id: "AKIDSECRETLEAK",
      aws_secret_access_key: "shh-secret",
      aws_session_token: "token-secret",
      temperature: 0.2,
    });
    const body = JSON.stringify(request.body);
    expect(body).not.toMatch(/AKIDSECRETLEAK|shh-secret|token-secret|temperature/);
  });

  it.each([
    [{ messages: [] }, /non-empty array/],
    [{ messages: "hi" }, /non-empty array/],
    [{ messages: [{ role: "robot", content: "x" }] }, /^messages\[0\]\.role must be one of/],
    [{ messages: [null] }, /^messages\[0\] must be a message \(an object with a role\), not null$/],
    [{ messages: [{ role: "user", content: "x" }, { role: "assistant", content: "y" }] }, /last message must be a user/],
    [{ messages: [{ role: "user", content: "" }] }, /^messages\[0\]\.content is empty/],
    [{ messages: [{ role: "user", content: [] }] }, /^messages\[0\]\.content is empty/],
    [{ messages: [{ role: "user", content: "x" }], stream: "yes" }, /^stream must be true or false/],
    [{ messages: [{ role: "user", content: "x" }], stream: 1 }, /^stream must be true or false/],
    [{ messages: [{ role: "user", content: "x" }], include_reasoning: "no" }, /^include_reasoning must be true or false/],
    [{ messages: [{ role: "user", content: "x" }], stream_options: "usage" }, /^stream_options must be an object/],
    [{ messages: [{ role: "system", content: "only rules" }] }, /last message must be a user/],
    [{ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://x.example.com/a.png" } }] }] }, /data URLs/],
    [{ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] }, /input_audio/],
    [{ messages: [{ role: "user", content: 42 }] }, /^messages\[0\]\.content must be a string or a list of content parts, not a number$/],
    [{ messages: [{ role: "user", content: "x" }], session_id: "a" }, /session_id/],
    [{ messages: [{ role: "user", content: "x" }], session_id: "../../etc" }, /session_id/],
  ])("rejects bad input %j with a clear 400", async (params, message) => {
    const error = await convert({ model, ...(params as object) } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(message);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
