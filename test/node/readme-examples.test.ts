// The README's examples, as written, against the emulator: the README embeds each file of
// examples/ verbatim, and each file is run here with only environment variables set; the first
// also as npm start says to run it, with the environment it prints.
import { execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const question = "Hi, what can you help me with?";
const run = promisify(execFile);

/** `npm start`'s demo, built (dist/demo.js), on a free port: what it printed once it serves. */
function startDemo(): Promise<{ url: string; output: string; close(): Promise<void> }> {
  const child = spawn(process.execPath, [join(root, "dist", "demo.js"), "--config", "config.yaml", "--port", "0"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, LITELLM_MASTER_KEY: "" },
  });
  const close = () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", () => resolve()), child.kill("SIGTERM"))));
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (data: Buffer) => {
      output += data;
      const url = /serving \d+ model\(s\) on (http:\/\/\S+)/.exec(output)?.[1];
      if (url && /npx tsx examples\/completion\.ts\n/.test(output)) resolve({ url, output, close });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`demo.js exited with ${code}:\n${output}`)));
  });
}

async function example(name: string): Promise<string[]> {
  vi.stubEnv("AWS_ACCESS_KEY_ID", STATIC_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", STATIC_CREDENTIALS.secretAccessKey);
  vi.stubEnv("AWS_REGION", "us-west-2");
  vi.stubEnv("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", inject("emulatorUrl"));
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  await import(`../../examples/${name}.ts`);
  return lines;
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("README examples", () => {
  for (const example of ["completion", "stream"]) {
    it(`embeds examples/${example}.ts verbatim`, () => {
      const source = readFileSync(join(root, "examples", `${example}.ts`), "utf8");
      expect(readme).toContain("```ts\n" + source + "```");
    });
  }

  it("completion: prints the answer and its cost", async () => {
    const [content, cost] = await example("completion");
    expect(content).toBe(demoAnswer(question));
    expect(Number(cost)).toBeGreaterThan(0);
  });

  it("completion runs as written against a started demo, with exactly the environment npm start prints", async () => {
    const demo = await startDemo();
    try {
      const printed = demo.output.slice(demo.output.indexOf("Try it:"));
      // The curl, as printed.
      const curl = /^ {4}curl [\s\S]*?'\n/m.exec(printed)![0];
      const { stdout: answered } = await run("sh", ["-c", curl]);
      expect((JSON.parse(answered) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(demoAnswer("Hello!"));
      // The library's environment and command, as printed: nothing of this process's environment but PATH and HOME.
      const env = Object.fromEntries([...printed.matchAll(/^ {4}export (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(env)).toEqual(["AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
      const command = /^ {4}(npx tsx examples\/completion\.ts)$/m.exec(printed)![1]!;
      const { stdout } = await run("sh", ["-c", command], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });
      const [content, cost] = stdout.trimEnd().split("\n");
      expect(content).toBe(demoAnswer(question));
      expect(Number(cost)).toBeGreaterThan(0);
      // The README's Set-up shows the same: the page, the curl and this environment (npm start's emulator on 4001).
      const setup = readme.slice(readme.indexOf("## Set-up"), readme.indexOf("## Library"));
      expect(setup).toContain("http://localhost:4000/");
      expect(setup).toContain(curl.trim().replaceAll(new URL(demo.url).port, "4000"));
      for (const [name, value] of Object.entries(env)) expect(setup).toContain(`export ${name}=${value.replace(/:\d+$/, ":4001")}`);
      expect(setup).toContain(command);
      expect(setup).toContain("npm run dev:worker");
    } finally {
      await demo.close();
    }
  }, 60_000);

  it("stream: prints the answer piece by piece", async () => {
    const lines = await example("stream");
    expect(lines.join("")).toBe(demoAnswer(question));
    expect(lines.filter(Boolean).length).toBeGreaterThan(2);
  });
});
