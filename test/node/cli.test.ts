// The built command line and the demo behind `npm start`, as separate processes; the
// README's curl and OpenAI SDK snippets run against the demo as written (only the port differs).
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessAnswer, runtimeAnswer } from "../emulator/agentcore-scenarios.ts";
import { demoAnswer } from "../emulator/scenarios.ts";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const run = promisify(execFile);
const children: ChildProcess[] = [];
const temp = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-cli-"));

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  rmSync(temp, { recursive: true, force: true });
});

/** Starts a built script and waits for the URL it says it serves on. */
function serve(script: string, args: string[], env: Record<string, string> = {}): Promise<{ url: string; output: string }> {
  const child = spawn(process.execPath, [join(root, "dist", script), ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LITELLM_MASTER_KEY: "", ...env },
  });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data;
      const match = /serving \d+ model\(s\) on (http:\/\/\S+)/.exec(output);
      if (match) resolve({ url: match[1]!, output });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
}

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [join(root, "dist", "bedrock-agents-openai.js"), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

function writeConfig(name: string, yaml: string): string {
  const path = join(temp, name);
  writeFileSync(path, yaml);
  return path;
}

/** A code block of the README's endpoint section (the demo's), by its opening. */
function snippet(opening: string): string {
  const start = readme.indexOf(opening, readme.indexOf("## The OpenAI-compatible endpoint"));
  expect(start, `README has a snippet starting with ${opening}`).toBeGreaterThan(-1);
  return readme.slice(start, readme.indexOf("```", start));
}

describe("npm start (the demo) and the README's snippets", () => {
  let url: string;
  beforeAll(async () => {
    ({ url } = await serve("demo.js", ["--config", "config.yaml", "--port", "0"]));
  }, 30_000);

  it("npm start runs the built demo on port 4000", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toContain("node dist/demo.js --config config.yaml --port 4000");
    expect(readme).toContain("npm ci && npm start");
  });

  it("answers the README's curl command", async () => {
    const command = snippet("curl http://localhost:4000").replaceAll("http://localhost:4000", url);
    const { stdout } = await run("sh", ["-c", command]);
    const body = JSON.parse(stdout) as { choices: Array<{ message: { content: string } }> };
    expect(body.choices[0]!.message.content).toBe(demoAnswer("Hello!"));
  });

  it("answers the README's migration snippets from the demo harness and the demo runtime", async () => {
    const section = readme.slice(readme.indexOf("## Migrating from Agents Classic"), readme.indexOf("## The OpenAI-compatible endpoint"));
    const block = (opening: string) => section.slice(section.indexOf(opening), section.indexOf("```", section.indexOf(opening)));
    const curl = block("curl http://localhost:4000").replaceAll("http://localhost:4000", url);
    const { stdout } = await run("sh", ["-c", curl]);
    expect((JSON.parse(stdout) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(harnessAnswer("Hello!", 1));
    const file = join(root, "test", "node", `.readme-snippet-${process.pid}-runtime.mjs`);
    writeFileSync(file, block('import OpenAI from "openai";').replaceAll("http://localhost:4000", url));
    try {
      expect((await run(process.execPath, [file], { cwd: root })).stdout).toBe(`${runtimeAnswer("Hello!")}\n`);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it.each([
    ["the Responses API", 'import OpenAI from "openai";\n\nconst client = new OpenAI({ baseURL: "http://localhost:4000/v1", apiKey: "sk-local-demo-key" });\n\nconst first', `${demoAnswer("Hello!")}\n${demoAnswer("And then?")}\n`],
    ["the Anthropic Messages API", 'import Anthropic from "@anthropic-ai/sdk";', `${demoAnswer("Hello!")}\n`],
  ])("answers the README's snippet for %s", async (_name, opening, expected) => {
    const file = join(root, "test", "node", `.readme-snippet-${process.pid}-${crypto.randomUUID().slice(0, 8)}.mjs`);
    writeFileSync(file, snippet(opening).replaceAll("http://localhost:4000", url));
    try {
      const { stdout } = await run(process.execPath, [file], { cwd: root });
      expect(stdout).toBe(expected);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("streams to the README's OpenAI SDK snippet", async () => {
    const file = join(root, "test", "node", `.readme-snippet-${process.pid}.mjs`);
    writeFileSync(file, snippet('import OpenAI from "openai";').replaceAll("http://localhost:4000", url));
    try {
      const { stdout } = await run(process.execPath, [file], { cwd: root });
      expect(stdout).toBe(demoAnswer("Hello!"));
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe("the command line", () => {
  const model = `model_list:
  - model_name: agent
    litellm_params:
      model: bedrock/agent/L1RT58GYRW/MFPSBCXYTW
      aws_region_name: us-west-2
`;

  it("serves a valid config and stops on SIGTERM", async () => {
    const config = writeConfig("ok.yaml", `${model}general_settings:\n  master_key: os.environ/MY_KEY\n`);
    const child = spawn(process.execPath, [join(root, "dist", "bedrock-agents-openai.js"), "--config", config, "--port", "0"], {
      env: { ...process.env, MY_KEY: "sk-0123456789" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const url = await new Promise<string>((resolve) => {
      let out = "";
      child.stdout.on("data", (d: Buffer) => {
        out += d;
        const match = /on (http:\/\/\S+)/.exec(out);
        if (match) resolve(match[1]!);
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer sk-0123456789" } });
    expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(["agent"]);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("refuses to serve without a master key, saying how to set one", async () => {
    const { code, stderr } = await cli(["--config", writeConfig("open.yaml", model), "--port", "0"], { LITELLM_MASTER_KEY: "" });
    expect(code).toBe(1);
    expect(stderr).toContain("Set LITELLM_MASTER_KEY in the environment");
    expect(stderr).toContain("allow_open_access: true");
  });

  it("serves a config without general_settings with the master key from LITELLM_MASTER_KEY", async () => {
    const config = writeConfig("litellm-env.yaml", model);
    const { url } = await serve("bedrock-agents-openai.js", ["--config", config, "--port", "0"], { LITELLM_MASTER_KEY: "sk-env-0123456789" });
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer sk-env-0123456789" } });
    expect(models.status).toBe(200);
    expect((await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer sk-other" } })).status).toBe(401);
  });

  it("refuses an invalid config, naming the key and why", async () => {
    const bad = writeConfig("bad.yaml", model.replace("bedrock/agent/L1RT58GYRW/MFPSBCXYTW", "gpt-4o"));
    const { code, stderr } = await cli(["--config", bad, "--port", "0"]);
    expect(code).toBe(1);
    expect(stderr).toContain("model_list[0].litellm_params.model");
  });

  it("warns about unknown keys and still starts", async () => {
    const config = writeConfig(
      "unknown.yaml",
      `${model}general_settings:\n  master_key: sk-0123456789\n  colour: blue\n`,
    );
    const { url, output } = await serve("bedrock-agents-openai.js", ["--config", config, "--port", "0"]);
    expect(url).toContain("127.0.0.1");
    expect(output).toMatch(/warning: .*general_settings\.colour/);
  });

  it("prints its usage", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--config config.yaml");
    expect(stdout).toContain("[--log-format text|json] [--quiet]");
  });

  it("says which port is busy and how to pick another, without a stack, and exits non-zero", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      for (const script of ["bedrock-agents-openai.js", "demo.js"]) {
        const { code, stderr } = await run(process.execPath, [join(root, "dist", script), "--config", "config.yaml", "--port", String(port)], {
          cwd: root,
          env: { ...process.env, LITELLM_MASTER_KEY: "", EMULATOR_ACCESS_KEY_ID: "x", EMULATOR_SECRET_ACCESS_KEY: "y", BEDROCK_EMULATOR_URL: "http://127.0.0.1:1", BEDROCK_EMULATOR_HARNESS_URL: "http://127.0.0.1:1" },
        }).then(
          () => ({ code: 0, stderr: "" }),
          (error: { code: number; stderr: string }) => error,
        );
        expect(code, script).toBe(1);
        expect(stderr).toContain(`Port ${port} is already in use on 127.0.0.1`);
        expect(stderr).toContain(`pick another port with --port, e.g. --port ${port + 10}`);
        expect(stderr).not.toMatch(/EADDRINUSE|\n\s+at /);
      }
    } finally {
      busy.close();
    }
  });

  it("refuses a log format it does not know", async () => {
    const { code, stderr } = await cli(["--log-format", "xml"]);
    expect(code).toBe(2);
    expect(stderr).toContain('--log-format must be text or json, got "xml"');
  });
});
