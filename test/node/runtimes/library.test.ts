// "Runs wherever fetch runs": the library against the emulator under Node, Bun, Deno and
// workerd, each in a process of its own. Node runs the built package by its name, Bun and Deno
// the TypeScript sources, workerd a Worker bundle made through the exports map, without
// nodejs_compat. (The browser: browser.test.ts.)
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { describe, inject, it } from "vitest";
import type { SmokeResult } from "./fixtures/smoke.mjs";
import { bundle } from "./support/bundle.ts";
import { expectSmoke, smokeInput } from "./support/expect-smoke.ts";
import { bin, run } from "./support/run.ts";

const emulatorUrl = inject("emulatorUrl");
const input = JSON.stringify(smokeInput(emulatorUrl));
const fixture = (name: string) => join(import.meta.dirname, "fixtures", name);

async function inWorkerd(): Promise<string> {
  const script = await bundle("workerd.mjs", ["workerd", "worker", "browser"]);
  const miniflare = new Miniflare({ modules: true, script, compatibilityDate: "2026-04-01" });
  try {
    const response = await miniflare.dispatchFetch("http://smoke/", { method: "POST", body: input });
    return await response.text();
  } finally {
    await miniflare.dispose(); // stops the workerd process it started
  }
}

const runtimes: Array<[string, RegExp, () => Promise<string>]> = [
  ["Node", /^node v\d+/, () => run(process.execPath, [fixture("node.mjs"), input])],
  ["Bun", /^bun 1\./, () => run(bin("bun"), ["run", fixture("bun-deno.ts"), input])],
  [
    "Deno",
    /^deno 2\./,
    // Loopback network only: no env, no file system, no other host.
    () => run(bin("deno"), ["run", "--no-lock", "--no-prompt", "--allow-net=127.0.0.1", fixture("bun-deno.ts"), input]),
  ],
  ["workerd", /^Cloudflare-Workers$/, inWorkerd],
];

describe.each(runtimes)("the library under %s", (_name, runtime, start) => {
  it("answers, streams, decodes split UTF-8 and raises typed errors", async () => {
    const output = await start();
    const result = JSON.parse(output.trim().split("\n").at(-1)!) as SmokeResult & { runtime: string };
    await expectSmoke(result, runtime, emulatorUrl);
  }, 90_000);
});
