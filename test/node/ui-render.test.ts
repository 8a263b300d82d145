// The playground's two pure renderers (ui/markdown.js, ui/trace.js) in headless Chromium: agent
// text rendered as safe Markdown (hostile input inert, every construct, streaming re-renders, no
// catastrophic inputs), and trace events rendered as a timeline (the emulator's real traces,
// a harness's, garbage). The modules are served as they ship, from a loopback server, to a page
// without a CSP, so that anything that got through would run.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BedrockAgentClient } from "../../src/index.ts";
import { HARNESS_ARN, HARNESS_CALL_USAGE, HARNESS_SERVER_TOOL_TEXT, RUNTIME_ARN } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  QUIRKS_CALLS,
  QUIRKS_COLLABORATOR_NAME,
  QUIRKS_PRE_PROCESSING_RATIONALE,
  QUIRKS_REASONING,
  QUIRKS_SOURCE_URI,
} from "../emulator/real-quirks.ts";
import {
  COLLABORATOR_NAME,
  FAILURE_REASON,
  USAGE_ALL_KINDS_BY_MODEL,
  USAGE_ALL_KINDS_REASONING,
  USAGE_ALL_KINDS_TEXT,
} from "../emulator/scenarios.ts";
import { type Chromium, chromiumAvailable, chromiumPath, launchChromium } from "./runtimes/support/chromium.ts";

const emulatorUrl = inject("emulatorUrl");
const required = process.env.REQUIRE_CHROMIUM === "1";
const skip = !chromiumAvailable && !required;
if (skip) console.warn(`SKIPPED the UI rendering tests: no Chromium at ${chromiumPath} (apt-get install -y chromium)`);

const uiDir = join(import.meta.dirname, "..", "..", "ui");
const TEST_PAGE = `<!doctype html><meta charset="utf-8"><title>ui-render</title><main id="out"></main>
<script type="module">
import { renderMarkdown } from "/ui/markdown.js";
import { renderTrace } from "/ui/trace.js";
Object.assign(window, { renderMarkdown, renderTrace, ready: true });
</script>`;

const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
  num_retries: 0,
});
async function tracesOf(model: string, scenario: string): Promise<unknown[]> {
  const response = await client.completion({ model, messages: [{ role: "user", content: "Hello" }], api_base: `${emulatorUrl}/scenario/${scenario}`, include_traces: true });
  expect(response.traces?.length).toBeGreaterThan(0);
  return response.traces as unknown[];
}
const classic = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";

/** Elements and attributes the Markdown may produce; anything else is a hole. */
const ALLOWED_TAGS = "P BR H1 H2 H3 H4 H5 H6 STRONG EM DEL CODE PRE UL OL LI A BLOCKQUOTE HR TABLE THEAD TBODY TR TH TD".split(" ");
const ALLOWED_ATTRIBUTES: Record<string, string[]> = { A: ["href", "rel", "target", "title"], CODE: ["class"], OL: ["start"], TH: ["style"], TD: ["style"] };

interface Rendered {
  html: string;
  text: string;
  tags: string[];
  bad: string[];
  links: Array<{ href: string; text: string; rel: string; target: string }>;
}

describe.skipIf(skip)(`the playground's renderers in headless Chromium (${chromiumPath})`, () => {
  let chromium: Chromium;
  let server: Server;
  let page: Page;

  beforeAll(async () => {
    if (!chromiumAvailable) throw new Error(`REQUIRE_CHROMIUM=1, but there is no Chromium at ${chromiumPath}`);
    server = createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const file = /^\/ui\/(markdown|trace)\.js$/.exec(path);
      if (path === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(TEST_PAGE);
      else if (file) res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(readFileSync(join(uiDir, `${file[1]}.js`)));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    chromium = await launchChromium();
    page = await chromium.browser.contexts()[0]!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 10_000 });
    expect(errors).toEqual([]);
  }, 60_000);
  afterAll(async () => {
    await chromium?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  /** Renders Markdown into #out and describes what came out. */
  const markdown = (text: string): Promise<Rendered> =>
    page.evaluate(
      ({ text, allowedTags, allowedAttributes }) => {
        const w = window as unknown as { renderMarkdown(text: string): DocumentFragment };
        const out = document.getElementById("out")!;
        out.replaceChildren(w.renderMarkdown(text));
        const elements = [...out.querySelectorAll("*")];
        const bad: string[] = [];
        for (const e of elements) {
          if (!allowedTags.includes(e.tagName)) bad.push(`element ${e.tagName}`);
          for (const a of e.getAttributeNames()) if (!(allowedAttributes[e.tagName] ?? []).includes(a)) bad.push(`${e.tagName}[${a}]`);
        }
        return {
          html: out.innerHTML,
          text: out.textContent ?? "",
          tags: elements.map((e) => e.tagName),
          bad,
          links: [...out.querySelectorAll("a")].map((a) => ({ href: a.getAttribute("href") ?? "", text: a.textContent ?? "", rel: a.rel, target: a.target })),
        };
      },
      { text, allowedTags: ALLOWED_TAGS, allowedAttributes: ALLOWED_ATTRIBUTES },
    );

  describe("renderMarkdown", () => {
    it("renders hostile text inert: raw HTML, script, event handlers and unsafe links stay text", async () => {
      const hostile = [
        `<img src=x onerror="window.pwned='img'">`,
        `<script>window.pwned='script'</script>`,
        `<a href="javascript:window.pwned='a'">raw anchor</a> <div style="position:fixed" onclick="window.pwned='div'">div</div>`,
        `[js](javascript:window.pwned='js') [JS](JaVaScRiPt:window.pwned='JS') [data](data:text/html,<script>window.pwned='data'</script>) [vb](vbscript:msgbox(1))`,
        `[file](file:///etc/passwd) [rel](/relative) [proto](//evil.example/x) <javascript:window.pwned='auto'>`,
        `![img](javascript:window.pwned='image') [attr](https://ok.example/" onmouseover="window.pwned='attr') [break](https://ok.example/"><img src=x onerror=window.pwned='break'>)`,
        `&lt;img src=x onerror="window.pwned='entity'"&gt; &#60;script&#62;window.pwned='entity2'&#60;/script&#62; &amp;amp;`,
        "```html\n<img src=x onerror=\"window.pwned='code'\">\n```",
        "| <b onmouseover=x>h</b> | h2 |\n|---|---|\n| <img src=x onerror=\"window.pwned='cell'\"> | `<script>` |",
        `**<img src=x onerror="window.pwned='bold'">** and [<img src=x onerror="window.pwned='label'">](https://ok.example/)`,
      ].join("\n\n");
      const out = await markdown(hostile);
      expect(out.bad).toEqual([]);
      for (const link of out.links) expect(link.href).toMatch(/^(https?|mailto):/);
      // Only the safe URL is a link (as the bare URL it is, where its Markdown link was broken).
      expect(out.links.length).toBeGreaterThan(0);
      for (const link of out.links) expect(link).toMatchObject({ href: "https://ok.example/", rel: "noopener noreferrer", target: "_blank" });
      // Shown as text: what was typed (entities decoded to characters, as text).
      for (const shown of ["<img src=x onerror=", "<script>window.pwned='script'</script>", "[js](javascript:", "[data](data:text/html,", "[vb](vbscript:msgbox(1))", "[rel](/relative)", "<javascript:window.pwned='auto'>", "<script>window.pwned='entity2'</script>", "&amp;"])
        expect(out.text).toContain(shown);
      await page.waitForTimeout(300); // an <img onerror> would have fired by now
      expect(await page.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
      expect(out.html).not.toMatch(/<(img|script|div|b)[\s>]/i);
    });

    it("renders what agents write: headings, paragraphs, breaks, emphasis, code, lists, quotes, links, tables", async () => {
      const out = await markdown(
        [
          "# Title",
          "## Sub *title* ##",
          "First line\nsecond line with **bold**, *italic*, _under_, ~~gone~~, `a < b` and ***both***.",
          "Escaped \\*stars\\* and snake_case_name stay; 2 * 3 * 4 too.",
          "```js\nconst x = 1 < 2;\n\n// kept as is: **not bold**\n```",
          "- one\n- two\n  - nested **deep**\n- three",
          "3. third\n4. fourth",
          "> quoted *text*\n> more",
          "---",
          "[docs](https://example.com/a_(b)) and <https://example.org/auto> and https://example.net/path?q=1. Write to [us](mailto:team@example.com).",
          "| Left | Right | Mid |\n|:-----|------:|:---:|\n| a | `b\\|c` | **c** |\n| d |",
        ].join("\n\n"),
      );
      expect(out.bad).toEqual([]);
      const html = out.html;
      expect(html).toContain("<h1>Title</h1>");
      expect(html).toContain("<h2>Sub <em>title</em></h2>");
      expect(html).toContain("<p>First line<br>second line with <strong>bold</strong>, <em>italic</em>, <em>under</em>, <del>gone</del>, <code>a &lt; b</code> and <strong><em>both</em></strong>.</p>");
      expect(html).toContain("<p>Escaped *stars* and snake_case_name stay; 2 * 3 * 4 too.</p>");
      expect(html).toContain('<pre><code class="language-js">const x = 1 &lt; 2;\n\n// kept as is: **not bold**</code></pre>');
      expect(html).toContain("<ul><li>one</li><li>two<ul><li>nested <strong>deep</strong></li></ul></li><li>three</li></ul>");
      expect(html).toContain('<ol start="3"><li>third</li><li>fourth</li></ol>');
      expect(html).toContain("<blockquote><p>quoted <em>text</em><br>more</p></blockquote>");
      expect(html).toContain("<hr>");
      expect(out.links).toEqual([
        { href: "https://example.com/a_(b)", text: "docs", rel: "noopener noreferrer", target: "_blank" },
        { href: "https://example.org/auto", text: "https://example.org/auto", rel: "noopener noreferrer", target: "_blank" },
        { href: "https://example.net/path?q=1", text: "https://example.net/path?q=1", rel: "noopener noreferrer", target: "_blank" },
        { href: "mailto:team@example.com", text: "us", rel: "noopener noreferrer", target: "_blank" },
      ]);
      expect(html).toContain("<thead><tr><th style=\"text-align: left;\">Left</th><th style=\"text-align: right;\">Right</th><th style=\"text-align: center;\">Mid</th></tr></thead>");
      expect(html).toContain("<td style=\"text-align: left;\">a</td><td style=\"text-align: right;\"><code>b|c</code></td><td style=\"text-align: center;\"><strong>c</strong></td>");
      expect(html).toContain("<td style=\"text-align: left;\">d</td><td style=\"text-align: right;\"></td>");
    });

    it("re-renders a growing text at every piece: unclosed fences and emphasis render sensibly, the end is the whole", async () => {
      const full = "Here is **the plan**:\n\n1. Read `config.yaml`\n2. Run:\n\n```sh\nnpm start\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSee https://example.com.";
      const result = await page.evaluate((full) => {
        const w = window as unknown as { renderMarkdown(text: string): DocumentFragment };
        const box = document.createElement("div");
        const seen: string[] = [];
        for (let end = 1; end <= full.length; end++) {
          box.replaceChildren(w.renderMarkdown(full.slice(0, end)));
          seen.push(box.innerHTML);
        }
        return { seen, whole: (box.replaceChildren(w.renderMarkdown(full)), box.innerHTML) };
      }, full);
      expect(result.seen.at(-1)).toBe(result.whole);
      const at = (prefix: string) => result.seen[prefix.length - 1]!;
      expect(at("Here is **the pl")).toBe("<p>Here is <strong>the pl</strong></p>");
      expect(at(full.slice(0, full.indexOf("npm start") + 3))).toContain("<pre><code class=\"language-sh\">npm</code></pre>");
      expect(result.whole).toContain("<strong>the plan</strong>");
      expect(result.whole).toContain("<ol><li>Read <code>config.yaml</code></li><li>Run:</li></ol>");
      expect(result.whole).toContain("<table>");
      expect(result.whole).toContain('<a href="https://example.com/" rel="noopener noreferrer" target="_blank">https://example.com</a>.');
    });

    it("stays fast on long and pathological texts (linear, no catastrophic patterns)", async () => {
      const times = await page.evaluate(() => {
        const w = window as unknown as { renderMarkdown(text: string): DocumentFragment };
        const timed = (text: string) => {
          const start = performance.now();
          w.renderMarkdown(text);
          return performance.now() - start;
        };
        const doc = "## Step\n\nSome **bold** text with `code` and a [link](https://example.com).\n\n- item *one*\n- item two\n\n".repeat(60); // ~6 KB
        let streamed = 0;
        for (let end = 50; end <= doc.length; end += 50) streamed += timed(doc.slice(0, end));
        return {
          streamed,
          stars: timed("*a ".repeat(20_000)),
          doubles: timed("**".repeat(20_000) + "x"),
          underscores: timed("_a".repeat(20_000)),
          brackets: timed("[".repeat(20_000)),
          links: timed("[a](".repeat(5_000)),
          backticks: timed("`x``".repeat(10_000)),
          hashes: timed(`# ${"#".repeat(30_000)}x`),
          urls: timed(`https://a${".".repeat(30_000)}`),
          angles: timed("<https:".repeat(10_000)),
          lists: timed("- a\n  - b\n    - c\n".repeat(2_000)),
          quotes: timed(">".repeat(10_000) + " deep"),
          blanks: timed(`- a${"\n".repeat(20_000)}  b`),
        };
      });
      for (const [name, ms] of Object.entries(times)) expect(ms, name).toBeLessThan(name === "streamed" ? 3000 : 750);
    });

    it("takes any value: null, numbers, objects render as text without throwing", async () => {
      const texts = await page.evaluate(() => {
        const w = window as unknown as { renderMarkdown(text: unknown): DocumentFragment };
        return [null, undefined, 42, { a: 1 }, "", "\r\n\r\n", "\u0000<b>"].map((v) => {
          const box = document.createElement("div");
          box.append(w.renderMarkdown(v));
          return box.textContent;
        });
      });
      expect(texts).toEqual(["", "", "42", "[object Object]", "", "", "\u0000<b>"]);
    });
  });

  /** Renders traces into #out; returns its text, the step classes, and the raw JSON once opened. */
  const trace = (traces: unknown) =>
    page.evaluate(async (traces) => {
      const w = window as unknown as { renderTrace(traces: unknown): HTMLElement };
      const out = document.getElementById("out")!;
      const root = w.renderTrace(traces);
      out.replaceChildren(root);
      const raw = root.querySelector(":scope > details.trace-raw") as HTMLDetailsElement;
      const before = raw.querySelector("pre")!.textContent;
      raw.querySelector("summary")!.click();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return {
        isElement: root instanceof HTMLElement,
        text: root.textContent ?? "",
        steps: [...root.querySelectorAll("li.trace-step")].map((li) => li.className.replace("trace-step ", "")),
        groups: [...root.querySelectorAll("details.trace-collaborator > summary")].map((s) => s.textContent),
        metas: [...root.querySelectorAll(".trace-model .trace-meta")].map((m) => m.textContent),
        rawBefore: before,
        raw: raw.querySelector("pre")!.textContent ?? "",
        inline: root.querySelectorAll("[style], script, img, a").length,
      };
    }, traces);

  describe("renderTrace", () => {
    it("shows real-quirks as a timeline: verdict, rationale, collaborator, KB query and references, guardrails, each model call", async () => {
      const traces = await tracesOf(classic, "real-quirks");
      const out = await trace(traces);
      expect(out.isElement).toBe(true);
      expect(out.inline).toBe(0);
      for (const text of [QUIRKS_PRE_PROCESSING_RATIONALE, ...QUIRKS_REASONING, "valid input", "return policy", "Knowledge base KB12345678", QUIRKS_SOURCE_URI, "returns-policy-2025.pdf", "Section 1: You can return an item", "Guardrail: NONE", `Ask collaborator ${QUIRKS_COLLABORATOR_NAME}`, "What is the return policy?", "Final response", "Routing", "Pre-processing", "Post-processing"])
        expect(out.text).toContain(text);
      expect(out.groups).toEqual([`Collaborator ${QUIRKS_COLLABORATOR_NAME}`]);
      expect(out.metas).toEqual(QUIRKS_CALLS.map(({ model, usage }) => `${model} · ${usage.inputTokens.toLocaleString("en-US")} in · ${usage.outputTokens} out tokens · 1,323 ms`));
      for (const kind of ["trace-guardrail", "trace-model", "trace-rationale", "trace-collaborator-call", "trace-kb", "trace-final", "trace-group"]) expect(out.steps).toContain(kind);
      const total = QUIRKS_CALLS.reduce((sum, c) => [sum[0]! + c.usage.inputTokens, sum[1]! + c.usage.outputTokens], [0, 0]);
      expect(out.text).toContain(`${traces.length} events · 7 model calls · ${total[0]!.toLocaleString("en-US")} in · ${total[1]} out tokens`);
      expect(out.rawBefore).toBe(""); // filled when opened
      expect(JSON.parse(out.raw)).toEqual(traces);
    });

    it("shows usage-all-kinds: every trace kind, the collaborator's steps nested, models and tokens", async () => {
      const traces = await tracesOf(classic, "usage-all-kinds");
      const out = await trace(traces);
      for (const text of [...Object.values(USAGE_ALL_KINDS_REASONING), USAGE_ALL_KINDS_TEXT, "Sunny, 24 °C at noon.", "Custom orchestration", "Routing", "Guardrail: NONE", "Input assessed", "nothing flagged", "Weather in Lisbon tomorrow?"])
        expect(out.text).toContain(text);
      expect(out.groups).toEqual([`Collaborator ${COLLABORATOR_NAME}`]);
      expect(out.metas).toHaveLength(6);
      for (const [model, usage] of Object.entries(USAGE_ALL_KINDS_BY_MODEL)) expect(out.metas.filter((m) => m.startsWith(`${model} · `))).toHaveLength(usage.calls);
      expect(out.text).toContain("6,350 in · 592 out tokens");
      expect(out.steps).toContain("trace-custom");
    });

    it("shows failures, guardrail interventions, code interpreter and action groups", async () => {
      // failure-trace's events, built as the emulator sends them (the library raises the failure as an error).
      const failure = await trace([
        { agentId: "A", sessionId: "s", trace: { orchestrationTrace: { modelInvocationInput: { traceId: "f-0", foundationModel: "m" } } } },
        { agentId: "A", sessionId: "s", trace: { failureTrace: { traceId: "f-failure", failureReason: FAILURE_REASON, failureCode: 424 } } },
      ]);
      expect(failure.steps).toContain("trace-failure trace-alert");
      expect(failure.text).toContain(FAILURE_REASON);
      expect(failure.text).toContain("424");
      const guard = await trace(await tracesOf(classic, "guardrail-intervened"));
      expect(guard.steps).toContain("trace-guardrail trace-alert");
      expect(guard.text).toContain("Guardrail: INTERVENED");
      expect(guard.text).toContain("topic: Investment advice DENY → BLOCKED");
      const code = await trace(await tracesOf(classic, "files"));
      expect(code.steps).toContain("trace-code");
      expect(code.text).toContain("import pandas as pd");
      // Action groups, as the service model shapes them (no emulator scenario sends them as traces).
      const event = (member: object) => ({ agentId: "A", sessionId: "s", trace: { orchestrationTrace: member } });
      const action = await trace([
        event({ invocationInput: { invocationType: "ACTION_GROUP", traceId: "t-0", actionGroupInvocationInput: { actionGroupName: "WeatherTools", function: "get_forecast", executionType: "LAMBDA", parameters: [{ name: "city", type: "string", value: "Lisbon" }] } } }),
        event({ observation: { type: "ACTION_GROUP", traceId: "t-0", actionGroupInvocationOutput: { text: "24 C and sunny", metadata: { totalTimeMs: 88 } } } }),
        event({ invocationInput: { invocationType: "ACTION_GROUP", actionGroupInvocationInput: { actionGroupName: "BookingAPI", verb: "post", apiPath: "/bookings/{city}", requestBody: { content: { "application/json": { properties: [{ name: "nights", type: "integer", value: "2" }] } } } } } }),
        event({ observation: { type: "ACTION_GROUP_CODE_INTERPRETER", codeInterpreterInvocationOutput: { executionOutput: "done", executionError: "ZeroDivisionError" } } }),
        event({ observation: { type: "REPROMPT", repromptResponse: { source: "PARSER", text: "Try again" } } }),
        { trace: { futureTrace: { something: "new" } } },
      ]);
      for (const text of ["Action group WeatherTools", "get_forecast", "city (string) = Lisbon", "24 C and sunny", "88 ms", "Action group BookingAPI", "POST /bookings/{city}", "Body (application/json)", "nights (integer) = 2", "ZeroDivisionError", "Reprompt", "PARSER", "futureTrace", "something", "new"])
        expect(action.text).toContain(text);
    });

    it("shows a harness's turns: server-side tool use and result, text, stop reason and usage", async () => {
      const out = await trace(await tracesOf(`bedrock/agentcore/${HARNESS_ARN}`, "server-tool"));
      for (const text of ["Model turn 1", "Model turn 2", "Tool shell (run by the harness)", '"command": "weather lisbon"', "Tool result (success)", "24 C, sunny", "Let me check.", HARNESS_SERVER_TOOL_TEXT, "stop: tool_result", "stop: end_turn", `${HARNESS_CALL_USAGE.inputTokens} in · ${HARNESS_CALL_USAGE.outputTokens} out tokens`, "640 ms"])
        expect(out.text).toContain(text);
      expect(out.steps.filter((s) => s === "trace-turn")).toHaveLength(2);
    });

    it("shows a runtime's events compactly: text pieces joined, one step per run of one shape", async () => {
      const traces = await tracesOf(`bedrock/agentcore/${RUNTIME_ARN}`, "demo");
      const out = await trace(traces);
      expect(out.steps.length).toBeLessThan(traces.length / 2);
      expect(out.text).toContain("Model turn 1");
      expect(JSON.parse(out.raw)).toEqual(traces);
    });

    it("survives garbage: null, numbers, wrong types, 1,000-deep nesting, cycles, throwing getters, many events", async () => {
      const results = await page.evaluate(() => {
        const w = window as unknown as { renderTrace(traces: unknown): HTMLElement };
        let deep: Record<string, unknown> = { end: true };
        for (let i = 0; i < 1000; i++) deep = { a: deep };
        let deepArray: unknown = [];
        for (let i = 0; i < 1000; i++) deepArray = [deepArray];
        const cyclic: Record<string, unknown> = { trace: {} };
        (cyclic.trace as Record<string, unknown>).orchestrationTrace = cyclic;
        const getter = Object.defineProperty({}, "trace", { enumerable: true, get: () => { throw new Error("boom"); } });
        const inputs: unknown[] = [
          null, undefined, 0, 42, "text", true, {}, [], deep, deepArray, [deep, deepArray], cyclic, [cyclic], getter, [getter],
          [null, 1, "x", false, [], {}, Symbol.iterator.toString()],
          [{ trace: 5 }, { trace: { orchestrationTrace: "str" } }, { trace: { orchestrationTrace: { modelInvocationOutput: { metadata: { usage: "lots" } }, rationale: 7 } } }],
          [{ trace: { guardrailTrace: { action: 5, inputAssessments: "x", outputAssessments: [null, 1, { topicPolicy: { topics: "no" } }] } } }],
          [{ contentBlockDelta: null }, { contentBlockStart: { start: { toolUse: 1 } } }, { metadata: { usage: { inputTokens: "9" } } }, { messageStop: 3 }],
          [{ trace: { orchestrationTrace: { observation: { knowledgeBaseLookupOutput: { retrievedReferences: [null, 3, { location: 5 }, { metadata: { title: {} } }] } } } } }],
          Array.from({ length: 3000 }, (_, i) => ({ data: `piece ${i} ` })),
          { [`k${"x".repeat(100)}`]: "y".repeat(100_000) },
        ];
        return inputs.map((input, i) => {
          const t0 = performance.now();
          try {
            const root = w.renderTrace(input);
            document.body.append(root);
            const raw = root.querySelector(":scope > details.trace-raw") as HTMLDetailsElement;
            raw.open = true;
            const ok = root instanceof HTMLElement && root.classList.contains("trace");
            root.remove();
            if (performance.now() - t0 > 1000) return `input ${i} took ${performance.now() - t0} ms`;
            return ok ? "ok" : `input ${i}: not an element`;
          } catch (error) {
            return `input ${i} threw ${String(error)}`;
          }
        });
      });
      expect(results.filter((r) => r !== "ok")).toEqual([]);
      const deep = await page.evaluate(async (json) => {
        const root = (window as unknown as { renderTrace(traces: unknown): HTMLElement }).renderTrace(JSON.parse(json));
        document.body.append(root);
        const raw = root.querySelector(":scope > details.trace-raw") as HTMLDetailsElement;
        raw.querySelector("summary")!.click();
        await new Promise((resolve) => setTimeout(resolve, 50));
        root.remove();
        return { text: root.textContent ?? "", raw: raw.querySelector("pre")!.textContent ?? "" };
      }, `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`);
      expect(deep.text).toContain("{…} 1 items, in the JSON");
      expect(deep.raw.length).toBeGreaterThan(1000);
      const empty = await trace([]);
      expect(empty.text).toContain("No trace events.");
    }, 30_000);
  });
});
