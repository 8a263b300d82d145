// The README's examples, as written, against the emulator: the README embeds each file of
// examples/ verbatim, and each file is run here with only environment variables set.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";

const root = join(import.meta.dirname, "..", "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
const question = "Hi, what can you help me with?";

async function run(example: string): Promise<string[]> {
  vi.stubEnv("AWS_ACCESS_KEY_ID", STATIC_CREDENTIALS.accessKeyId);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", STATIC_CREDENTIALS.secretAccessKey);
  vi.stubEnv("AWS_REGION", "us-west-2");
  vi.stubEnv("AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME", inject("emulatorUrl"));
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  await import(`../../examples/${example}.ts`);
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
    const [content, cost] = await run("completion");
    expect(content).toBe(demoAnswer(question));
    expect(Number(cost)).toBeGreaterThan(0);
  });

  it("stream: prints the answer piece by piece", async () => {
    const lines = await run("stream");
    expect(lines.join("")).toBe(demoAnswer(question));
    expect(lines.filter(Boolean).length).toBeGreaterThan(2);
  });
});
