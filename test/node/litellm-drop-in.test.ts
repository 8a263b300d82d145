// A LiteLLM user's files and habits, as the README's "Coming from LiteLLM" shows them: LiteLLM's
// config.yaml (no general_settings), the one command, curl, the OpenAI SDK and completion(), with
// only LITELLM_MASTER_KEY and AWS keys in the environment (and the agent runtime's endpoint
// variable pointing at the emulator). The built command line runs in a clean environment.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";

const root = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);
const emulatorUrl = inject("emulatorUrl");
const readme = readFileSync(join(root, "README.md"), "utf8");
const section = readme.slice(readme.indexOf("## Coming from LiteLLM"), readme.indexOf("## The OpenAI-compatible endpoint"));
const temp = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-litellm-"));
const MASTER_KEY = "sk-litellm-user-0123456789";
let child: ChildProcess | undefined;
afterAll(() => {
  if (child?.exitCode === null) child.kill("SIGTERM");
  rmSync(temp, { recursive: true, force: true });
});

/** What a LiteLLM user has in the environment, and nothing else (HOME has no ~/.aws). */
const env = {
  PATH: process.env.PATH!,
  HOME: temp,
  LITELLM_MASTER_KEY: MASTER_KEY,
  AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: emulatorUrl,
};

function block(opening: string): string {
  const start = section.indexOf(opening);
  expect(start, `the section has a block starting with ${opening}`).toBeGreaterThan(-1);
  return section.slice(start, section.indexOf("```", start));
}

async function signingRegions(inputText: string): Promise<string[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((r) => (r.body as { inputText?: string }).inputText === inputText).map((r) => r.signingRegion!);
}

describe("coming from LiteLLM", () => {
  let url: string;
  beforeAll(async () => {
    writeFileSync(join(temp, "config.yaml"), block("model_list:"));
    const command = block("npx bedrock-agents-openai").trim();
    expect(command).toBe("npx bedrock-agents-openai --config config.yaml");
    // The command as written, with a port of the test's choosing.
    child = spawn(process.execPath, [join(root, "dist", "bedrock-agents-openai.js"), "--config", "config.yaml", "--port", "0"], {
      cwd: temp,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    url = await new Promise<string>((resolve, reject) => {
      const onData = (data: Buffer) => {
        output += data;
        const match = /serving 2 model\(s\) on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      };
      child!.stdout!.on("data", onData);
      child!.stderr!.on("data", onData);
      child!.once("exit", (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
  }, 30_000);

  it("answers the streaming curl request, for the agent in us-east-1", async () => {
    const curl = block("curl http://localhost:4000").replaceAll("http://localhost:4000", url);
    const { stdout } = await run("sh", ["-c", curl], { env: { PATH: env.PATH, LITELLM_API_KEY: MASTER_KEY } });
    const question = "Create a comprehensive social media strategy for our new product";
    const text = stdout
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe(demoAnswer(question));
    expect(stdout.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(await signingRegions(question)).toEqual(["us-east-1"]);
  });

  it("answers LiteLLM's basic curl request", async () => {
    const question = "Analyze our customer data and suggest retention strategies";
    const curl = `curl ${url}/v1/chat/completions \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer $LITELLM_API_KEY" \\
  -d '{
    "model": "bedrock-agent-1",
    "messages": [
      {
        "role": "user", 
        "content": "${question}"
      }
    ]
  }'`;
    const { stdout } = await run("sh", ["-c", curl], { env: { PATH: env.PATH, LITELLM_API_KEY: MASTER_KEY } });
    expect((JSON.parse(stdout) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(demoAnswer(question));
    expect(await signingRegions(question)).toEqual(["us-west-2"]);
  });

  it("answers the OpenAI SDK with LiteLLM's base URL", async () => {
    const file = join(root, "test", "node", `.litellm-sdk-${process.pid}.mjs`);
    writeFileSync(file, block('// The OpenAI SDK with').replaceAll("http://localhost:4000", url));
    try {
      const { stdout } = await run(process.execPath, [file], { cwd: root, env: { PATH: env.PATH, LITELLM_API_KEY: MASTER_KEY } });
      expect(stdout.trim()).toBe(demoAnswer("Help me prepare for the quarterly business review meeting"));
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("runs completion() with no region, as litellm.completion() does, priced", async () => {
    const file = join(root, "test", "node", `.litellm-completion-${process.pid}.mjs`);
    writeFileSync(file, block('import { completion } from "bedrock-agents-openai";'));
    try {
      const { stdout } = await run(process.execPath, [file], { cwd: root, env });
      const question = "Hi, I need help with analyzing our Q3 sales data and generating a summary report";
      const [content, cost] = stdout.trim().split("\n");
      expect(content).toBe(demoAnswer(question));
      expect(cost).toMatch(/^Response cost: \$0\.\d+$/);
      expect(await signingRegions(question)).toEqual(["us-west-2"]);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
