// Builds what runs outside vitest and wrangler: the Node command line, the demo, and the
// config the Worker bundles. `node scripts/build.mjs [worker-config]`.
import { build } from "esbuild";
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { parse } from "yaml";

const root = new URL("..", import.meta.url);

// The Worker bundles config.yaml as JSON: YAML parsing stays out of the Worker. References
// like os.environ/NAME stay as they are and resolve from the Worker's bindings at run time.
async function workerConfig() {
  const file = process.env.BEDROCK_AGENTS_CONFIG ?? "config.yaml";
  const config = parse(await readFile(new URL(file, root), "utf8"));
  await writeFile(new URL("worker/config.generated.json", root), `${JSON.stringify(config, null, 2)}\n`);
}

async function node() {
  await mkdir(new URL("dist", root), { recursive: true });
  await build({
    entryPoints: { "bedrock-agents-openai": "bin/bedrock-agents-openai.ts", demo: "scripts/demo.ts" },
    absWorkingDir: new URL(".", root).pathname,
    outdir: "dist",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "warning",
  });
}

await workerConfig();
if (process.argv[2] !== "worker-config") await node();
