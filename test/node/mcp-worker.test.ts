// The MCP surface served by the Worker (wrangler dev, workerd), with the official client: tools
// listed, a Classic agent and a harness called, progress streamed, a session continued, a key refused.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HARNESS_ARN, harnessAnswer } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";
import { type WranglerDev, startWranglerDev } from "./support/wrangler-dev.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER_KEY = "sk-mcp-worker-master-0123456789";

function config() {
  const model = (name: string, model: string, scenario?: string) => ({
    model_name: name,
    litellm_params: {
      model,
      aws_access_key_id: "os.environ/TEST_KEY_ID",
      aws_secret_access_key: "os.environ/TEST_SECRET",
      aws_region_name: "us-west-2",
      api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
      num_retries: 0,
    },
    model_info: { description: `The ${name} agent` },
  });
  return {
    model_list: [model("classic", "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", "demo:20"), model("harness", `bedrock/agentcore/${HARNESS_ARN}`)],
    general_settings: { master_key: "os.environ/TEST_MASTER_KEY", stream_keepalive_seconds: 0.2 },
  };
}

describe("MCP through the Worker (wrangler dev)", () => {
  let worker: WranglerDev;
  const clients: Client[] = [];
  const connect = async (key?: string) => {
    const client = new Client({ name: "mcp-worker-test", version: "1.0.0" });
    const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
    await client.connect(new StreamableHTTPClientTransport(new URL(`${worker.url}/mcp`), { requestInit: { headers } }));
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    worker = await startWranglerDev({
      CONFIG: JSON.stringify(config()),
      TEST_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
      TEST_SECRET: STATIC_CREDENTIALS.secretAccessKey,
      TEST_MASTER_KEY: MASTER_KEY,
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await worker?.close();
  });

  it("lists the tools and answers a call, with progress while a Classic agent streams", async () => {
    const client = await connect(MASTER_KEY);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => [tool.name, tool.description])).toEqual([
      ["classic", "The classic agent"],
      ["harness", "The harness agent"],
    ]);
    const progress: string[] = [];
    const result = await client.callTool({ name: "classic", arguments: { message: "From the Worker" } }, undefined, { onprogress: (p) => void progress.push(p.message ?? "") });
    const structured = result.structuredContent as { text: string; session_id: string; usage: { input_tokens: number } };
    expect(structured.text).toBe(demoAnswer("From the Worker"));
    expect(structured.usage.input_tokens).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.join("")).toContain(structured.text);
  });

  it("continues a harness session through session_id", async () => {
    const client = await connect(MASTER_KEY);
    const first = (await client.callTool({ name: "harness", arguments: { message: "Hi" } })).structuredContent as { text: string; session_id: string };
    expect(first.text).toBe(harnessAnswer("Hi", 1));
    const second = (await client.callTool({ name: "harness", arguments: { message: "Again", session_id: first.session_id } })).structuredContent as { text: string; session_id: string };
    expect(second).toMatchObject({ text: harnessAnswer("Again", 3), session_id: first.session_id });
  });

  it("refuses a missing key with 401", async () => {
    const error = await connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    const response = await fetch(`${worker.url}/mcp`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.headers.get("www-authenticate")).toBe("Bearer");
  });
});
