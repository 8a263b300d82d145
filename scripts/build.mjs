// Builds what runs outside vitest and wrangler: the library as published (JS and types), the
// Node command line, the demo, and the config the Worker bundles.
// `node scripts/build.mjs [worker-config] [lib] [node]`: the targets named, or all of them.
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { readFile, writeFile, mkdir, rm } from "node:fs/promises";
import { promisify } from "node:util";
import { parse } from "yaml";

const root = new URL("..", import.meta.url);

// The Worker bundles config.yaml as JSON: YAML parsing stays out of the Worker. References
// like os.environ/NAME stay as they are and resolve from the Worker's bindings at run time.
async function workerConfig() {
  const file = process.env.BEDROCK_AGENTS_CONFIG ?? "config.yaml";
  const config = parse(await readFile(new URL(file, root), "utf8"));
  const target = new URL("worker/config.generated.json", root);
  const json = `${JSON.stringify(config, null, 2)}\n`;
  // Unchanged content is not rewritten: wrangler dev watches the file and would reload the
  // Worker mid-request when its own build step (or a parallel one) touched it.
  if ((await readFile(target, "utf8").catch(() => "")) !== json) await writeFile(target, json);
}

// The package's exports: src/ compiled file for file to dist/lib/ by tsc (tsconfig.build.json),
// JS and .d.ts, unbundled so the consumer's bundler can tree-shake. Cleared first: no stale files.
async function lib() {
  await rm(new URL("dist/lib", root), { recursive: true, force: true });
  const tsc = new URL("node_modules/typescript/bin/tsc", root).pathname;
  await promisify(execFile)(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root.pathname }).catch(
    (error) => {
      throw new Error(`tsc -p tsconfig.build.json failed:\n${error.stdout}${error.stderr}`);
    },
  );
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

const targets = { "worker-config": workerConfig, lib, node };
const named = process.argv.slice(2);
for (const name of named) if (!(name in targets)) throw new Error(`unknown build target ${name}`);
await Promise.all((named.length ? named : Object.keys(targets)).map((name) => targets[name]()));
