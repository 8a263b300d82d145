// The package as published: packed, installed from the tarball into a fresh project, and used
// from there by plain Node, TypeScript (nodenext), Bun, Deno and workerd, running the README's
// runtime examples as written (only a permission's host and the port differ).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { STATIC_CREDENTIALS } from "../../emulator/credentials.ts";
import { demoAnswer } from "../../emulator/scenarios.ts";
import { bundle } from "./support/bundle.ts";
import { readmeBlock } from "./support/readme.ts";
import { bin, freePort, root, run, start } from "./support/run.ts";

const emulatorUrl = inject("emulatorUrl");
const question = "Hi, what can you help me with?";
const temp = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-package-"));
const consumer = join(temp, "consumer");
// What a user's shell would hold; AWS_SESSION_TOKEN emptied so a developer's own cannot leak in.
const awsEnv = {
  AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: "",
  AWS_REGION: "us-west-2",
  AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: emulatorUrl,
};
let packed: string[] = [];

function write(name: string, contents: string): string {
  writeFileSync(join(consumer, name), contents);
  return name;
}

beforeAll(async () => {
  // Packs what `npm run build` made (pretest); not rebuilt here, as other suites use dist/ meanwhile.
  if (!existsSync(join(root, "dist", "lib", "index.js"))) throw new Error("dist/lib is missing: run `npm run build` first");
  const [pack] = JSON.parse(await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", temp])) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packed = pack!.files.map((file) => file.path);
  mkdirSync(consumer);
  write("package.json", JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", join(temp, pack!.filename)], {
    cwd: consumer,
    timeout: 120_000,
  });
}, 180_000);
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("the packed package", () => {
  it("holds the built library with its types and the command line, and no tests", () => {
    for (const file of ["dist/lib/index.js", "dist/lib/index.d.ts", "dist/lib/proxy/index.js", "dist/lib/proxy/index.d.ts"])
      expect(packed).toContain(file);
    expect(packed).toContain("dist/bedrock-agents-openai.js");
    expect(packed.filter((file) => file.startsWith("test/") || file === "dist/demo.js")).toEqual([]);
  });

  it("imports from plain Node by its name, both entry points", async () => {
    const script =
      "Promise.all([import('bedrock-agents-openai'), import('bedrock-agents-openai/proxy')])" +
      ".then(([lib, proxy]) => console.log(JSON.stringify([typeof lib.completion, typeof lib.BedrockAgentClient, typeof proxy.createApp])))";
    expect(JSON.parse(await run(process.execPath, ["-e", script], { cwd: consumer }))).toEqual(["function", "function", "function"]);
  });

  it("installs the command line, which runs from node_modules/.bin", async () => {
    expect(await run(join(consumer, "node_modules", ".bin", "bedrock-agents-openai"), ["--help"], { cwd: consumer })).toContain("--config");
  });

  it("type-checks a strict TypeScript consumer (nodenext) against its .d.ts", async () => {
    // skipLibCheck as most projects have it (@smithy/types' own .d.ts need Node's types). The
    // expected errors below are missing, and fail the check, if the types resolved to `any`.
    write(
      "tsconfig.json",
      JSON.stringify({
        compilerOptions: { module: "nodenext", target: "es2022", lib: ["es2023", "dom"], types: [], strict: true, noEmit: true, skipLibCheck: true },
        files: ["check.ts"],
      }),
    );
    write(
      "check.ts",
      [
        'import { completion, AgentError, type ChatCompletion } from "bedrock-agents-openai";',
        'import { createApp, parseConfig } from "bedrock-agents-openai/proxy";',
        'const answer: Promise<ChatCompletion> = completion({ model: "bedrock/agent/A/B", messages: [{ role: "user", content: "x" }] });',
        "const app = createApp({ config: parseConfig({}, { lookup: () => undefined }) });",
        "const handler: (request: Request) => Response | Promise<Response> = app.fetch;",
        "// @ts-expect-error -- a model must be a string",
        "void completion({ model: 1, messages: [] });",
        "// @ts-expect-error -- the status of an error is a number",
        "const status: string = new AgentError(\"x\").status;",
        "export { answer, handler, status };",
        "",
      ].join("\n"),
    );
    await run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", consumer]);
  });

  it("type-checks with every library's .d.ts checked, against the Workers types alone (no Node types)", async () => {
    const workersTypes = join(root, "node_modules", "@cloudflare", "workers-types", "index.d.ts");
    write(
      "tsconfig.workers.json",
      JSON.stringify({
        compilerOptions: { module: "nodenext", target: "es2022", lib: ["es2023"], types: [], strict: true, noEmit: true, skipLibCheck: false },
        files: ["workers-check.ts"],
      }),
    );
    write(
      "workers-check.ts",
      [
        `/// <reference path=${JSON.stringify(workersTypes)} />`,
        'import { completion, messages, responses, type MessageObject, type ResponseObject } from "bedrock-agents-openai";',
        'import { createApp, parseConfigJson } from "bedrock-agents-openai/proxy";',
        'const model = "bedrock/agent/A/B";',
        'const text: Promise<string | null> = completion({ model, messages: [{ role: "user", content: "x" }] }).then((c) => c.choices[0]!.message.content);',
        'const response: Promise<ResponseObject> = responses({ model, input: "x" });',
        'const message: Promise<MessageObject> = messages({ model, max_tokens: 9, messages: [{ role: "user", content: "x" }] });',
        "export default {",
        "  fetch(request: Request, env: Record<string, string>): Response | Promise<Response> {",
        '    return createApp({ config: parseConfigJson(env.CONFIG ?? "{}", { lookup: (name) => env[name] }), env }).fetch(request);',
        "  },",
        "} satisfies ExportedHandler<Record<string, string>>;",
        "export { text, response, message };",
        "",
      ].join("\n"),
    );
    await run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(consumer, "tsconfig.workers.json")]);
  });

  it("publishes types that name no smithy or Node type", () => {
    const dist = join(consumer, "node_modules", "bedrock-agents-openai", "dist", "lib");
    const declarations = readdirSync(dist, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".d.ts"));
    expect(declarations.length).toBeGreaterThan(10);
    for (const file of declarations) {
      const text = readFileSync(join(dist, file), "utf8");
      expect(text, file).not.toMatch(/(from |import\()["'](@smithy\/|node:|@types\/node)|\bNodeJS\.|\bBuffer\b/);
    }
  });

  it("ships no Worker entry whose imports it does not ship", () => {
    expect(packed.filter((file) => file.startsWith("worker/") || file === "wrangler.toml")).toEqual([]);
  });
});

describe("the README's runtime examples, from the installed package", () => {
  it("Node", async () => {
    const main = write("main.mjs", readmeBlock("// main.mjs: with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION set, `node main.mjs`"));
    expect(await run(process.execPath, [main], { cwd: consumer, env: awsEnv })).toBe(`${demoAnswer(question)}\n`);
  });

  it("Bun", async () => {
    const main = write("bun-main.ts", readmeBlock("// main.ts: `bun add bedrock-agents-openai`, the AWS settings in .env (Bun reads it), then `bun main.ts`"));
    expect(await run(bin("bun"), [main], { cwd: consumer, env: awsEnv })).toBe(demoAnswer(question));
  });

  it("Deno", async () => {
    const source = readmeBlock("// main.ts: `deno add npm:bedrock-agents-openai`, the AWS settings in the environment, then");
    expect(source).toContain("deno run --allow-net=bedrock-agent-runtime.us-west-2.amazonaws.com --allow-env main.ts");
    const main = write("deno-main.ts", source);
    const output = await run(bin("deno"), ["run", "--no-lock", "--allow-net=127.0.0.1", "--allow-env", main], { cwd: consumer, env: awsEnv });
    expect(output).toBe(demoAnswer(question));
  });

  it("Cloudflare Workers (workerd, bundled as wrangler does, no nodejs_compat)", async () => {
    const source = readmeBlock("// src/index.ts: AWS_REGION under [vars] in wrangler.toml, the keys from");
    const script = await bundle({ contents: source, resolveDir: consumer, loader: "ts" }, ["workerd", "worker", "browser"]);
    const { AWS_SESSION_TOKEN: _, ...bindings } = awsEnv;
    const miniflare = new Miniflare({ modules: true, script, compatibilityDate: "2026-04-01", bindings });
    try {
      const response = await miniflare.dispatchFetch(`http://worker/?q=${encodeURIComponent("Hello!")}`);
      expect(await response.text()).toBe(demoAnswer("Hello!"));
    } finally {
      await miniflare.dispose();
    }
  });

  describe.each([
    ["Bun.serve", "// serve.ts: `bun serve.ts`", (file: string) => [bin("bun"), file]],
    ["Deno.serve", "// serve.ts: `deno run --allow-net --allow-env serve.ts`", (file: string) => [bin("deno"), "run", "--no-lock", "--allow-net", "--allow-env", file]],
  ])("the endpoint under %s", (name, firstLine, command) => {
    it("serves the openai chat completions route", async () => {
      const port = await freePort();
      const source = readmeBlock(firstLine);
      expect(source).toContain("port: 4000");
      const file = write(`${name}.ts`, source.replace("port: 4000", `port: ${port}`));
      const config = {
        model_list: [{ model_name: "agent", litellm_params: { model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", aws_region_name: "us-west-2" } }],
        general_settings: { master_key: "os.environ/MASTER_KEY" },
      };
      const [executable, ...args] = command(file);
      const server = start(executable!, args, { cwd: consumer, env: { ...awsEnv, CONFIG: JSON.stringify(config), MASTER_KEY: "sk-readme-0123456789" } });
      try {
        const url = `http://127.0.0.1:${port}`;
        await expect.poll(() => fetch(`${url}/health`).then((r) => r.ok, () => false), { timeout: 20_000, interval: 100 }).toBe(true);
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer sk-readme-0123456789", "content-type": "application/json" },
          body: JSON.stringify({ model: "agent", messages: [{ role: "user", content: "Hello!" }] }),
        });
        const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
        expect(body.choices[0]!.message.content, server.output()).toBe(demoAnswer("Hello!"));
      } finally {
        await server.close();
      }
    }, 30_000);
  });
});
