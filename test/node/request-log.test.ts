// The request log of real server runs: the built command line (text, JSON lines, --quiet) and the
// Worker in workerd, read from their own output, with every secret of the run searched for.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { hashKey } from "../../src/proxy/auth.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { DEMO_EXPECTED_USAGE } from "../emulator/scenarios.ts";
import { type WranglerDev, startWranglerDev } from "./support/wrangler-dev.ts";

const root = join(import.meta.dirname, "..", "..");
const emulatorUrl = inject("emulatorUrl");
const temp = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-log-"));
const MASTER = "sk-log-master-key-0123456789";
const TEAM_KEY = "sk-log-team-key-0123456789";
// Message content is never logged: a marker to look for.
const CONTENT = "confidential-question-7f3a";
const secrets = { MASTER, TEAM_KEY, CONTENT, ...STATIC_CREDENTIALS };
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  rmSync(temp, { recursive: true, force: true });
});

async function config(): Promise<Record<string, unknown>> {
  const model = (name: string, api_base: string) => ({
    model_name: name,
    litellm_params: {
      model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
      aws_access_key_id: "os.environ/AWS_ACCESS_KEY_ID",
      aws_secret_access_key: "os.environ/AWS_SECRET_ACCESS_KEY",
      aws_region_name: "us-west-2",
      api_base,
      num_retries: 0,
    },
  });
  return {
    model_list: [model("agent", emulatorUrl), model("throttled", `${emulatorUrl}/scenario/http-error:ThrottlingException`)],
    general_settings: { api_keys: [{ name: "team-a", key_sha256: await hashKey(TEAM_KEY), models: ["agent", "throttled"] }] },
  };
}

/** The built command line with `args`, the master key and AWS keys in its environment; its output. */
async function cli(args: string[]): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const file = join(temp, `${crypto.randomUUID()}.json`); // JSON is YAML
  writeFileSync(file, JSON.stringify(await config()));
  const child = spawn(process.execPath, [join(root, "dist", "bedrock-agents-openai.js"), "--config", file, "--port", "0", ...args], {
    env: { ...process.env, LITELLM_MASTER_KEY: MASTER, AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  child.stdout!.on("data", (data: Buffer) => (stdout += data));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", () => {
      const match = /serving \d+ model\(s\) on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
  });
  const stop = () => new Promise<void>((resolve) => (child.once("exit", () => resolve()), child.kill("SIGTERM")));
  return { url, output: () => stdout, stop };
}

/** The same traffic for every run: four requests, one line each. */
async function traffic(url: string): Promise<{ session: string; requestId: string }> {
  const master = new OpenAI({ baseURL: `${url}/v1`, apiKey: MASTER, maxRetries: 0 });
  const team = new OpenAI({ baseURL: `${url}/v1`, apiKey: TEAM_KEY, maxRetries: 0 });
  const { response } = await team.chat.completions.create({ model: "agent", messages: [{ role: "user", content: CONTENT }] }).withResponse();
  const stream = await master.chat.completions.create({ model: "agent", messages: [{ role: "user", content: CONTENT }], stream: true });
  for await (const _ of stream);
  await team.chat.completions.create({ model: "throttled", messages: [{ role: "user", content: CONTENT }] }).catch(() => {});
  await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer sk-wrong-${MASTER}` } });
  return { session: response.headers.get("x-bedrock-agent-session-id")!, requestId: response.headers.get("x-amzn-requestid")! };
}

function expectNoSecrets(log: string) {
  for (const [name, secret] of Object.entries(secrets)) expect(log, name).not.toContain(secret);
}

describe("the request log of the command line", () => {
  it("writes one text line per request, with what an operator needs and no secret or content", async () => {
    const server = await cli([]);
    const { session, requestId } = await traffic(server.url);
    await expect.poll(() => server.output().split("\n").filter((l) => / \/v1\//.test(l)).length).toBe(4);
    await server.stop();
    const lines = server.output().split("\n").filter((l) => / \/v1\//.test(l));
    const [chat, stream, throttled, unauthorized] = lines as [string, string, string, string];
    expect(chat).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z POST \/v1\/chat\/completions 200 route=\/v1\/chat\/completions /);
    expect(chat).toContain("model=agent");
    expect(chat).toContain(`input_tokens=${DEMO_EXPECTED_USAGE.inputTokens} output_tokens=${DEMO_EXPECTED_USAGE.outputTokens}`);
    expect(chat).toMatch(/ duration_ms=[\d.]+ ttfb_ms=[\d.]+ /);
    expect(chat).toMatch(/ cost_usd=0\.\d+/);
    expect(chat).toContain(`session_id=${session}`);
    expect(chat).toContain(`aws_request_id=${requestId}`);
    expect(chat).toContain("caller=team-a");
    expect(stream).toMatch(/POST \/v1\/chat\/completions 200 .*stream=true .*caller="master key"/);
    expect(stream).toContain(`output_tokens=${DEMO_EXPECTED_USAGE.outputTokens}`);
    expect(throttled).toMatch(/POST \/v1\/chat\/completions 429 route=\S+ model=throttled .*error=ThrottlingException aws_code=ThrottlingException/);
    expect(unauthorized).toMatch(/GET \/v1\/models 401 .*error=invalid_api_key/);
    expectNoSecrets(server.output());
  });

  it("writes JSON lines with --log-format json, and nothing with --quiet", async () => {
    const json = await cli(["--log-format", "json"]);
    await traffic(json.url);
    await expect.poll(() => json.output().split("\n").filter((l) => l.startsWith("{")).length).toBe(4);
    await json.stop();
    const records = json.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.method, r.route, r.status])).toEqual([
      ["POST", "/v1/chat/completions", 200],
      ["POST", "/v1/chat/completions", 200],
      ["POST", "/v1/chat/completions", 429],
      ["GET", "/v1/models", 401],
    ]);
    expect(records[0]).toMatchObject({ model: "agent", caller: "team-a", input_tokens: DEMO_EXPECTED_USAGE.inputTokens });
    expect(typeof records[1]!.ttfb_ms).toBe("number");
    expectNoSecrets(json.output());

    const quiet = await cli(["--quiet"]);
    await traffic(quiet.url);
    await quiet.stop();
    expect(quiet.output()).not.toMatch(/\/v1\//);
  });
});

describe("the request log of the Worker", () => {
  let worker: WranglerDev;
  beforeAll(async () => {
    worker = await startWranglerDev({
      CONFIG: JSON.stringify(await config()),
      LITELLM_MASTER_KEY: MASTER,
      AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
    });
  }, 60_000);
  afterAll(() => worker?.close());

  it("writes the same lines with console.log, which Workers Logs collect", async () => {
    const { session } = await traffic(worker.url);
    const lines = () => worker.output().split("\n").filter((l) => /Z (POST|GET) \/v1\//.test(l));
    await expect.poll(() => lines().length, { timeout: 5000 }).toBe(4);
    expect(lines()[0]).toContain(`session_id=${session}`);
    expect(lines()[0]).toContain("caller=team-a");
    expect(lines()[2]).toContain("aws_code=ThrottlingException");
    expectNoSecrets(worker.output());
    // Metrics are the Node server's: the Worker has no such route.
    expect((await fetch(`${worker.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } })).status).toBe(404);
  });
});
