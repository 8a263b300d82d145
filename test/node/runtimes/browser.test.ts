// The library in a browser: the package bundled for the browser platform (no Node built-in
// allowed) and run in headless Chromium, calling the emulator over loopback: in a Web Worker of
// a page, and as the README's browser-extension service worker, as written.
// Without Chromium this suite is skipped, saying so; CI installs Chromium and sets
// REQUIRE_CHROMIUM=1, so there it can only pass or fail.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { STATIC_CREDENTIALS } from "../../emulator/credentials.ts";
import { demoAnswer } from "../../emulator/scenarios.ts";
import type { SmokeResult } from "./fixtures/smoke.mjs";
import { bundle } from "./support/bundle.ts";
import { type Chromium, chromiumAvailable, chromiumPath, launchChromium } from "./support/chromium.ts";
import { expectSmoke, smokeInput } from "./support/expect-smoke.ts";
import { readmeBlock } from "./support/readme.ts";
import { serveSameOrigin } from "./support/same-origin.ts";

const emulatorUrl = inject("emulatorUrl");
const required = process.env.REQUIRE_CHROMIUM === "1";
const skip = !chromiumAvailable && !required;
if (skip) console.warn(`SKIPPED the browser tests: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);

describe.skipIf(skip)(`the library in headless Chromium (${chromiumPath})`, () => {
  let chromium: Chromium;
  let site: Awaited<ReturnType<typeof serveSameOrigin>>;
  let extension: string | undefined;

  beforeAll(async () => {
    if (!chromiumAvailable) throw new Error(`REQUIRE_CHROMIUM=1, but there is no Chromium at ${chromiumPath}`);
    const worker = await bundle("browser-worker.mjs", ["browser"]);
    site = await serveSameOrigin(emulatorUrl, { "/": "<!doctype html><title>smoke</title>", "/worker.js": worker });
    extension = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-extension-"));
    await writeExtension(extension);
    chromium = await launchChromium([`--disable-extensions-except=${extension}`, `--load-extension=${extension}`]);
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await site?.close();
    if (extension) rmSync(extension, { recursive: true, force: true });
  });

  it("runs in a Web Worker: answers, streams, decodes split UTF-8 and raises typed errors", async () => {
    const page = await chromium.browser.contexts()[0]!.newPage();
    await page.goto(site.url);
    const result = await page.evaluate(
      (input) =>
        new Promise<unknown>((resolve) => {
          const worker = new Worker("/worker.js", { type: "module" });
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => resolve({ failure: event.message });
          worker.postMessage(input);
        }),
      smokeInput(site.url),
    );
    expect(result).not.toHaveProperty("failure");
    await expectSmoke(result as SmokeResult & { runtime: string }, /HeadlessChrome\//, emulatorUrl);
  }, 60_000);

  it("runs the README's extension service worker, which answers its popup", async () => {
    const context = chromium.browser.contexts()[0]!;
    const isOurs = (url: string) => url.startsWith("chrome-extension://") && url.endsWith("/background.js");
    const worker =
      context.serviceWorkers().find((w) => isOurs(w.url())) ??
      (await context.waitForEvent("serviceworker", { predicate: (w) => isOurs(w.url()), timeout: 15_000 }));
    const popup = await context.newPage();
    await popup.goto(`chrome-extension://${new URL(worker.url()).host}/popup.html`);
    const question = "Hello from the popup";
    const answer = await popup.evaluate(
      async ({ aws, question }) => {
        type Chrome = { storage: { local: { set(items: object): Promise<void> } }; runtime: { sendMessage(message: object): Promise<unknown> } };
        const { chrome } = globalThis as unknown as { chrome: Chrome };
        await chrome.storage.local.set({ aws }); // what the extension's options page would save
        return chrome.runtime.sendMessage({ messages: [{ role: "user", content: question }] });
      },
      {
        aws: {
          aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
          aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
          aws_region_name: "us-west-2",
          api_base: emulatorUrl, // another origin than the extension's: host_permissions, no CORS
        },
        question,
      },
    );
    expect(answer).toMatchObject({ object: "chat.completion", choices: [{ message: { content: demoAnswer(question) } }] });
  }, 60_000);
});

/** The README's extension, as written: only its host permission points at the emulator instead. */
async function writeExtension(dir: string) {
  const manifest = readmeBlock("{", "\"manifest_version\": 3").replace("https://bedrock-agent-runtime.us-west-2.amazonaws.com/*", "http://127.0.0.1/*");
  const background = readmeBlock("// background.js, bundled with its imports for the browser, e.g.");
  writeFileSync(join(dir, "manifest.json"), manifest);
  writeFileSync(join(dir, "background.js"), await bundle({ contents: background }, ["browser"]));
  // Stands in for the extension's popup, which the README leaves to the reader.
  writeFileSync(join(dir, "popup.html"), "<!doctype html><title>popup</title>");
}
