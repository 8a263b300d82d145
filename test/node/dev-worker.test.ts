// `npm run dev:worker`: the Worker under wrangler dev with the shipped config.yaml answers the demo
// models (the emulator started beside it), prints what to try next, and stops both when stopped.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { harnessAnswer } from "../emulator/agentcore-scenarios.ts";
import { demoAnswer } from "../emulator/scenarios.ts";

const root = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Up or not: anything that answers HTTP on the port. */
const answers = (url: string) => fetch(url, { signal: AbortSignal.timeout(2000) }).then(() => true, () => false);

/** wrangler dev may reload the Worker once after start-up (its build watcher): a request then fails, the next one works. */
async function retried<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (i === 4) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

describe("npm run dev:worker", () => {
  let child: ChildProcess;
  let output = "";
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const [command, ...args] = pkg.scripts["dev:worker"]!.split(" ");
    child = spawn(join(root, "node_modules", ".bin", command!), [...args, "--port", String(port)], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, CI: "true" },
    });
    child.stdout!.on("data", (data: Buffer) => (output += data));
    child.stderr!.on("data", (data: Buffer) => (output += data));
    const deadline = Date.now() + 90_000;
    while (!output.includes("npx tsx examples/completion.ts\n")) {
      if (child.exitCode !== null) throw new Error(`dev:worker exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`dev:worker printed no "Try it" within 90 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);
  afterAll(() => {
    if (child?.exitCode === null) child.kill("SIGTERM");
  });

  it("is a documented npm script", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain("npm run dev:worker");
    expect(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts["dev:worker"]).toBe("tsx scripts/dev-worker.ts");
  });

  it("answers the demo models with the shipped config, through the curl it prints as printed", async () => {
    const printed = output.slice(output.indexOf("Try it:"));
    expect(printed).toContain(`http://localhost:${port}/`);
    const curl = /^ {4}curl [\s\S]*?'\n/m.exec(printed)![0];
    const body = await retried(async () => JSON.parse((await run("sh", ["-c", curl])).stdout) as { choices: Array<{ message: { content: string } }> });
    expect(body.choices[0]!.message.content).toBe(demoAnswer("Hello!"));
    const harness = await retried(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: "Bearer sk-local-demo-key", "content-type": "application/json" },
        body: JSON.stringify({ model: "demo-harness", messages: [{ role: "user", content: "Hello!" }] }),
      });
      if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
      return (await response.json()) as { choices: Array<{ message: { content: string } }> };
    });
    expect(harness.choices[0]!.message.content).toBe(harnessAnswer("Hello!", 1));
  }, 60_000);

  it("stops wrangler dev (workerd too) and the emulator when it is stopped", async () => {
    const emulatorUrl = /export AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME=(\S+)/.exec(output)![1]!;
    expect(await answers(emulatorUrl)).toBe(true);
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    expect(await answers(`http://127.0.0.1:${port}/health`)).toBe(false);
    expect(await answers(emulatorUrl)).toBe(false);
  }, 30_000);
});
