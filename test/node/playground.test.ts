// The playground page (ui/) in headless Chromium, against the Node server and the Worker
// (wrangler dev, the page as Workers Static Assets), every answer from the emulator.
// Without Chromium this suite is skipped, saying so; with REQUIRE_CHROMIUM=1 (CI) it fails.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CITATION_WEB_URL, DEMO_EXPECTED_USAGE, STALL_TEXT_BEFORE, demoAnswer } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import { startServer } from "../../bin/server.ts";
import { createApp } from "../../src/proxy/app.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { uiFiles } from "../../bin/ui-files.ts";
import { emulatedModel } from "./support/emulated-model.ts";
import { startWranglerDev } from "./support/wrangler-dev.ts";
import { type Chromium, chromiumAvailable, chromiumPath, launchChromium } from "./runtimes/support/chromium.ts";

const emulatorUrl = inject("emulatorUrl");
const required = process.env.REQUIRE_CHROMIUM === "1";
const skip = !chromiumAvailable && !required;
if (skip) console.warn(`SKIPPED the playground tests: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);

const root = join(import.meta.dirname, "..", "..");
const SCREENSHOTS = join(root, "test", "screenshots");
const MASTER_KEY = "sk-playground-master-key-0123";
const TEAM_KEY = "sk-playground-team-key-4567"; // no traces: allow_traces is unset
const CSP = "default-src 'self'; script-src 'self'";
const NO_ENV = { lookup: () => undefined };

function config(general: Record<string, unknown> = {}) {
  return {
    model_list: [
      emulatedModel("agent"),
      emulatedModel("tools", "return-control"),
      emulatedModel("cited", "citations"),
      emulatedModel("stalls", "stall:30000"),
      emulatedModel("echo", "echo"),
    ],
    general_settings: {
      master_key: MASTER_KEY,
      api_keys: [{ name: "team", key_sha256: createHash("sha256").update(TEAM_KEY).digest("hex"), models: ["agent"] }],
      stream_keepalive_seconds: 0.5,
      ...general,
    },
  };
}

async function requestsFor(session: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((request) => request.sessionId === session);
}

describe.skipIf(skip)(`the playground in headless Chromium (${chromiumPath})`, () => {
  let chromium: Chromium;
  beforeAll(async () => {
    if (!chromiumAvailable) throw new Error(`REQUIRE_CHROMIUM=1, but there is no Chromium at ${chromiumPath}`);
    chromium = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);
  afterAll(() => chromium?.close());

  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
  });

  /** A fresh browser profile on the page; connected with `key` when given. */
  async function open(url: string, key?: string): Promise<Page> {
    const context = await chromium.browser.newContext({ viewport: { width: 1100, height: 820 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    (page as Page & { errors?: string[] }).errors = errors;
    await page.goto(url);
    if (key !== undefined) {
      await page.getByLabel("API key").fill(key);
      await page.getByRole("button", { name: "Connect" }).click();
      await expect.poll(() => page.locator("#status").textContent()).toMatch(/Connected|Wrong key|Refused|reach/);
    }
    return page;
  }

  async function ask(page: Page, model: string, text: string) {
    await page.getByLabel("Model").selectOption(model);
    await page.getByRole("textbox", { name: /^Message/ }).fill(text);
    await page.getByRole("textbox", { name: /^Message/ }).press("Enter");
  }

  const lastAnswer = (page: Page) => page.locator("article.agent").last();
  const finished = (page: Page) => expect.poll(() => lastAnswer(page).getAttribute("aria-busy"), { timeout: 15_000 }).toBeNull();

  describe("on the Node server", () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      server = await startServer({ config: parseConfig(config(), NO_ENV), port: 0, log: () => {}, requestLog: false });
    });
    afterAll(() => server?.close());

    it("serves the page with its security headers; ui: false turns it off", async () => {
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      expect(page.headers.get("content-security-policy")).toContain(CSP);
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
      expect(page.headers.get("referrer-policy")).toBe("no-referrer");
      expect((await fetch(`${server.url}/app.js`)).headers.get("content-type")).toMatch(/^text\/javascript/);
      expect((await fetch(`${server.url}/_headers`)).status).toBe(404);
      const off = createApp({ config: parseConfig(config({ ui: false }), NO_ENV), assets: uiFiles(), requestLog: false });
      expect((await off.request("/")).status).toBe(404);
    });

    it("explains a wrong key, and keeps the key out of URLs and storage", async () => {
      const page = await open(server.url, "sk-not-the-key");
      await expect.poll(() => page.locator("#status").textContent()).toMatch(/Wrong key: the endpoint refused it \(401 \[invalid_api_key\]\)/);
      expect(page.url()).not.toContain("sk-not-the-key");
      expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
      await page.getByLabel("API key").fill(MASTER_KEY);
      await page.getByRole("button", { name: "Connect" }).click();
      await expect.poll(() => page.locator("#status").textContent()).toMatch(/Connected: 5 models/);
      expect(await page.evaluate(() => [sessionStorage.length, localStorage.getItem("bedrock-agents-openai.key")])).toEqual([1, null]);
      await page.screenshot({ path: join(SCREENSHOTS, "playground-wrong-key.png") });
    });

    it("streams an answer with reasoning, usage, cost, timing and its trace; keyboard rules hold", async () => {
      const page = await open(server.url, MASTER_KEY);
      const box = page.getByRole("textbox", { name: /^Message/ });
      // Shift+Enter breaks the line; Enter while an input method composes sends nothing.
      await box.fill("Hello");
      await box.press("Shift+Enter");
      await box.pressSequentially("there");
      await box.dispatchEvent("keydown", { key: "Enter", keyCode: 229, isComposing: true });
      expect(await box.inputValue()).toBe("Hello\nthere");
      expect(await page.locator("article").count()).toBe(0);
      await box.fill("What can you do?");
      await box.press("Enter");
      await finished(page);
      const answer = lastAnswer(page);
      expect(await answer.locator(".content").innerText()).toContain(demoAnswer("What can you do?"));
      expect(await answer.locator("details.reasoning").evaluate((d: HTMLDetailsElement) => d.open)).toBe(false);
      expect(await answer.locator("details.reasoning").innerText()).toContain("Reasoning");
      const meta = await answer.locator(".meta").innerText();
      expect(meta).toContain(`${DEMO_EXPECTED_USAGE.inputTokens} in · ${DEMO_EXPECTED_USAGE.outputTokens} out`);
      expect(meta).toMatch(/Cost:?\s*\$0\.\d+/);
      expect(meta).toMatch(/First token:?\s*\d+ ms/);
      expect(meta).toMatch(/Total:?\s*\d+ ms/);
      expect(meta).toMatch(/AWS request id:?\s*\S+/);
      const session = await page.locator("#session").textContent();
      expect(session).toMatch(/^[\w-]{8,}$/);
      // The trace: a fold-out, rendered by trace.js.
      const trace = answer.locator("details.trace-fold");
      expect(await trace.locator("summary").first().innerText()).toMatch(/^Trace \(\d+ events\)/);
      await trace.locator("summary").first().click();
      expect(await trace.locator(".trace, .trace-fold > :not(summary)").count()).toBeGreaterThan(0);
      await trace.locator("summary").first().click(); // folded again, for the picture
      // A second message continues the session.
      await ask(page, "agent", "And then?");
      await finished(page);
      expect(await page.locator("#session").textContent()).toBe(session);
      const requests = await requestsFor(session!);
      expect(requests).toHaveLength(2);
      // Copy as curl: the key masked.
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
      await page.getByRole("button", { name: "Copy as curl" }).click();
      const curl = await page.evaluate(() => navigator.clipboard.readText());
      expect(curl).toContain(`curl -N ${server.url}/v1/chat/completions`);
      expect(curl).toContain("$API_KEY");
      expect(curl).not.toContain(MASTER_KEY);
      expect(curl).toContain('"include_traces":true');
      await page.getByRole("button", { name: "Copy as curl" }).focus(); // visible focus in the picture
      await page.emulateMedia({ colorScheme: "light" });
      await page.screenshot({ path: join(SCREENSHOTS, "playground-light.png") });
      await page.emulateMedia({ colorScheme: "dark" });
      await page.screenshot({ path: join(SCREENSHOTS, "playground-dark.png") });
      copyFileSync(join(SCREENSHOTS, "playground-light.png"), join(root, "docs", "playground.png"));
      expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    }, 30_000);

    it("says why the trace is unavailable to a key without allow_traces", async () => {
      const page = await open(server.url, TEAM_KEY);
      await ask(page, "agent", "Hello");
      await finished(page);
      expect(await lastAnswer(page).locator(".content").innerText()).toContain(demoAnswer("Hello"));
      const trace = lastAnswer(page).locator("details.trace-fold");
      expect(await trace.innerText()).toMatch(/Trace unavailable/);
      await trace.locator("summary").click();
      expect(await trace.innerText()).toMatch(/may not see the agent's trace.*include_traces is not allowed/s);
    });

    it("answers a return of control by hand, a field per call", async () => {
      const page = await open(server.url, MASTER_KEY);
      await ask(page, "tools", "Plan my trip to Lisbon");
      await finished(page);
      const calls = lastAnswer(page).locator(".call");
      expect(await calls.count()).toBe(2);
      expect(await calls.first().innerText()).toContain("Lisbon");
      await page.getByLabel(/^Result of .*get_forecast/).fill("Sunny, 24 °C");
      await page.getByLabel(/^Result of .*bookings/).fill("Booked: 2 nights");
      await page.getByRole("button", { name: "Send results" }).click();
      await expect.poll(() => page.locator("article.agent").count()).toBe(2);
      await finished(page);
      const text = await lastAnswer(page).locator(".content").innerText();
      expect(text).toContain("Thanks, I have the results");
      expect(text).toContain("Sunny, 24 °C");
      expect(text).toContain("Booked: 2 nights");
      await page.screenshot({ path: join(SCREENSHOTS, "playground-return-control.png") });
    });

    it("shows citations as numbered marks linking to their sources, with the retrieved text", async () => {
      const page = await open(server.url, MASTER_KEY);
      await ask(page, "cited", "Tell me about Lisbon");
      await finished(page);
      const answer = lastAnswer(page);
      const mark = answer.locator(`.content a.cite[href="${CITATION_WEB_URL}"]`);
      expect(await mark.count()).toBe(1);
      expect(await mark.innerText()).toBe("[1]");
      expect(await mark.getAttribute("rel")).toContain("noopener");
      expect(await answer.locator(".content a.cite").count()).toBeGreaterThanOrEqual(2);
      const sources = answer.locator(".sources");
      expect(await sources.locator(`a[href="${CITATION_WEB_URL}"]`).count()).toBe(1);
      await sources.locator("summary").first().click();
      expect(await sources.innerText()).toContain("Lisbon is the capital and largest city of Portugal.");
      await page.screenshot({ path: join(SCREENSHOTS, "playground-citations.png") });
    });

    it("Stop aborts the request and so closes the call to the agent", async () => {
      const page = await open(server.url, MASTER_KEY);
      await ask(page, "stalls", "Take your time");
      await expect.poll(() => lastAnswer(page).locator(".content").innerText()).toContain(STALL_TEXT_BEFORE.trim());
      // The text is selectable while it streams.
      const selected = await lastAnswer(page).locator(".content").evaluate((node) => {
        getSelection()!.selectAllChildren(node);
        return getSelection()!.toString();
      });
      expect(selected).toContain(STALL_TEXT_BEFORE.trim());
      expect(await page.getByRole("button", { name: "Stop" }).isEnabled()).toBe(true);
      const session = (await page.locator("#session").textContent())!;
      await page.getByRole("button", { name: "Stop" }).click();
      await expect.poll(async () => (await requestsFor(session))[0]?.closedEarlyAt, { timeout: 5000, interval: 50 }).toBeDefined();
      await finished(page);
      expect(await lastAnswer(page).innerText()).toContain("Stopped");
      expect(await page.getByRole("button", { name: "Send" }).isEnabled()).toBe(true);
    });

    it("shows markup in agent text inert: no element, no script, no javascript: link", async () => {
      const page = await open(server.url, MASTER_KEY);
      const hostile =
        '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> [click me](javascript:window.__pwned=3) <a href="javascript:window.__pwned=4">there</a>';
      await ask(page, "echo", hostile);
      await finished(page);
      const content = lastAnswer(page).locator(".content");
      expect(await content.innerText()).toContain("<img src=x onerror=");
      expect(await content.locator("img, script, iframe, object, embed").count()).toBe(0);
      const hrefs = await content.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
      for (const href of hrefs) expect(href).toMatch(/^(https?:|mailto:|#)/);
      for (const link of await content.locator("a").all()) await link.click({ modifiers: ["Alt"] }).catch(() => {});
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    });
  });

  describe("on the Worker (wrangler dev, Workers Static Assets)", () => {
    let worker: Awaited<ReturnType<typeof startWranglerDev>>;
    beforeAll(async () => {
      worker = await startWranglerDev({ CONFIG: JSON.stringify(config()) });
    }, 60_000);
    afterAll(() => worker?.close());

    it("serves the page and its files with their headers, and the API beside them", async () => {
      for (const path of ["/", "/app.js", "/style.css"]) {
        const response = await fetch(`${worker.url}${path}`);
        expect(response.status, path).toBe(200);
        expect(response.headers.get("content-security-policy"), path).toContain(CSP);
        expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
        expect(response.headers.get("referrer-policy"), path).toBe("no-referrer");
      }
      expect((await fetch(`${worker.url}/_headers`)).status).toBe(404);
      const models = await fetch(`${worker.url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
      expect(((await models.json()) as { data: unknown[] }).data).toHaveLength(5);
      expect((await fetch(`${worker.url}/nothing-here`)).status).toBe(404);
    });

    it("streams an answer with usage, cost and trace, and answers a return of control", async () => {
      const page = await open(worker.url, MASTER_KEY);
      await ask(page, "agent", "What can you do?");
      await finished(page);
      expect(await lastAnswer(page).locator(".content").innerText()).toContain(demoAnswer("What can you do?"));
      expect(await lastAnswer(page).locator(".meta").innerText()).toMatch(/Cost:?\s*\$0\.\d+/);
      expect(await lastAnswer(page).locator("details.trace-fold summary").first().innerText()).toMatch(/^Trace \(\d+ events\)/);
      await ask(page, "tools", "Plan my trip");
      await finished(page);
      await page.getByLabel(/^Result of .*get_forecast/).fill("Rain");
      await page.getByLabel(/^Result of .*bookings/).fill("Full");
      await page.getByRole("button", { name: "Send results" }).click();
      await expect.poll(() => page.locator("article.agent").count()).toBe(3);
      await finished(page);
      expect(await lastAnswer(page).locator(".content").innerText()).toContain("Thanks, I have the results");
    }, 30_000);
  });
});
