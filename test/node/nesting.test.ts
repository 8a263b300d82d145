// Issue 20.3: nesting in a client's JSON is bounded before anything walks it. Deep bodies used to
// hold the event loop for seconds, and deep objects inside fields overflowed the stack (a 500).
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { MAX_JSON_DEPTH } from "../../src/json-depth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { HARNESS_ARN } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { emulatedModel } from "./support/emulated-model.ts";

const MASTER = "sk-nesting-master-0123456789";
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  const emulatorUrl = inject("emulatorUrl");
  const harness = {
    model_name: "harness-tools",
    litellm_params: {
      model: `bedrock/agentcore/${HARNESS_ARN}`,
      aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
      aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
      api_base: `${emulatorUrl}/scenario/tools`,
      num_retries: 0,
    },
  };
  const raw = { model_list: [emulatedModel("agent"), harness], general_settings: { master_key: MASTER, max_request_size_mb: 20 } };
  server = await startServer({ config: parseConfig(raw, { lookup: () => undefined }), port: 0, log: () => {} });
});
afterAll(() => server?.close());

async function post(path: string, body: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
    body,
  });
  return { status: response.status, json: await response.json() };
}

/** `levels` objects, each inside the last's "a". */
function nested(levels: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

// JSON.stringify itself recurses: deep values are written by hand, where DEEP stands.
const DEEP = "__deep__";
const deepJson = (levels: number) => '{"a":'.repeat(levels) + '"bottom"' + "}".repeat(levels);

const user = [{ role: "user", content: "hi" }];

describe("JSON nesting depth", () => {
  it("refuses a body of nested arrays with a 400 naming the limit, whatever its size", async () => {
    const depth = 5 * 1024 * 1024;
    const { status, json } = await post("/v1/chat/completions", "[".repeat(depth) + "]".repeat(depth));
    expect(status).toBe(400);
    expect(json.error.code).toBe("json_too_deep");
    expect(json.error.message).toContain(`${MAX_JSON_DEPTH} levels`);
    // The server is still there for everyone else.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  const deepFields: Array<[string, string, Record<string, unknown>]> = [
    ["chat metadata", "/v1/chat/completions", { messages: user, metadata: DEEP }],
    ["chat tool parameters", "/v1/chat/completions", { messages: user, tools: [{ type: "function", function: { name: "f", parameters: DEEP } }] }],
    ["knowledge_base_configurations", "/v1/chat/completions", { messages: user, knowledge_base_configurations: [DEEP] }],
    ["Responses metadata", "/v1/responses", { input: "hi", metadata: DEEP }],
    ["Messages tool input_schema", "/v1/messages", { max_tokens: 10, messages: user, tools: [{ name: "f", input_schema: DEEP }] }],
  ];
  for (const [name, path, fields] of deepFields) {
    it(`refuses deep ${name} with a 400 in the surface's error shape, never a 500`, async () => {
      const deep = JSON.stringify({ model: "agent", ...fields }).replace(`"${DEEP}"`, deepJson(10_000));
      const { status, json } = await post(path, deep);
      expect(status).toBe(400);
      if (path === "/v1/messages") expect(json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      else expect(json.error.code).toBe("json_too_deep");
    });
  }

  it("counts no bracket inside a string, escaped quotes included, and serves what is within the limit", async () => {
    const within = { model: "agent", messages: [{ role: "user", content: '[[[[{{{{ \\" "[[[[' + "[".repeat(1000) }], metadata: nested(MAX_JSON_DEPTH - 3) };
    const { status, json } = await post("/v1/chat/completions", JSON.stringify(within));
    expect(status).toBe(200);
    expect(json.object).toBe("chat.completion");
  });

  it("bounds a tool call's arguments too, which the harness gets as JSON in a new session's history", async () => {
    const deepArguments = "[".repeat(100_000) + "]".repeat(100_000);
    const history = [
      ...user,
      { role: "assistant", content: null, tool_calls: [{ id: "call_elsewhere", type: "function", function: { name: "f", arguments: deepArguments } }] },
      { role: "tool", tool_call_id: "call_elsewhere", content: "done" },
      { role: "user", content: "and now?" },
    ];
    const { status, json } = await post("/v1/chat/completions", JSON.stringify({ model: "harness-tools", messages: history }));
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: "json_too_deep", param: "messages[1].tool_calls[0].id" });
  });
});
