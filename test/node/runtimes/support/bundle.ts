// Bundles a fixture the way a Worker or browser-extension build would (esbuild, browser
// platform, the package resolved through its exports map), refusing any Node built-in: a
// `node:` import anywhere in the library or its dependencies fails the build, and the test.
import { builtinModules } from "node:module";
import { join } from "node:path";
import { type Plugin, build } from "esbuild";

const root = join(import.meta.dirname, "..", "..", "..", "..");
const builtins = new Set(builtinModules);

const noNodeBuiltins: Plugin = {
  name: "no-node-builtins",
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.split("/")[0]!;
      if (!args.path.startsWith("node:") && !builtins.has(bare) && !builtins.has(args.path)) return undefined;
      return { errors: [{ text: `Node built-in "${args.path}" imported by ${args.importer}` }] };
    });
  },
};

/** Source text, resolved from `resolveDir` (default: the repo), and bundled. */
export interface Snippet {
  contents: string;
  resolveDir?: string;
  loader?: "js" | "ts";
}

/** A fixture or a snippet bundled as one ES module, for the given export conditions. */
export async function bundle(entry: string | Snippet, conditions: string[]): Promise<string> {
  const result = await build({
    ...(typeof entry === "string"
      ? { entryPoints: [join(import.meta.dirname, "..", "fixtures", entry)] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir ?? root, loader: entry.loader ?? "js" } }),
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    conditions,
    plugins: [noNodeBuiltins],
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}
