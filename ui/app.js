// The playground: talks to this endpoint's own API (GET /v1/models, POST /v1/chat/completions
// streamed), renders agent text only through renderMarkdown (DOM nodes, never HTML strings).
import { renderMarkdown } from "./markdown.js";
import { renderTrace } from "./trace.js";

const STORE = "bedrock-agents-openai.key";
const SESSION_HEADER = "x-bedrock-agent-session-id";
const $ = (id) => document.getElementById(id);

/** An element; text children become text nodes, never markup. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const state = {
  key: "",
  messages: [],
  session: "",
  controller: null,
  lastRequest: null,
  tracesDenied: new Map(),
};

const log = $("log");
const status = (text, error = false) => {
  $("status").textContent = text;
  $("status").classList.toggle("error", error);
};

// ---------------------------------------------------------------------------------------------
// The key and the models.

function storedKey() {
  const remembered = localStorage.getItem(STORE);
  $("remember").checked = remembered !== null;
  return remembered ?? sessionStorage.getItem(STORE) ?? "";
}

function storeKey(key) {
  const [keep, drop] = $("remember").checked ? [localStorage, sessionStorage] : [sessionStorage, localStorage];
  keep.setItem(STORE, key);
  drop.removeItem(STORE);
}

/** What an error answer means, in words: the endpoint's own message included. */
async function explain(response) {
  let error = {};
  try {
    error = (await response.json()).error ?? {};
  } catch {}
  return describe(response.status, error);
}

function describe(status, error) {
  const said = error.message ? `: ${error.message}` : "";
  const code = error.code ? ` [${error.code}]` : "";
  if (status === 401) {
    return `Wrong key: the endpoint refused it (401${code})${said}. Use the master key (LITELLM_MASTER_KEY or general_settings.master_key) or one of general_settings.api_keys.`;
  }
  if (status === 403) return `Refused for this key (403${code})${said}.`;
  if (status === 429) return `Too many requests or budget spent (429${code})${said}.`;
  if (status >= 500) return `The endpoint failed (${status}${code})${said}.`;
  return `The endpoint answered ${status}${code}${said}.`;
}

const unreachable = () => `Could not reach the endpoint at ${location.origin}: is the server still running?`;

async function connect(key) {
  status("Checking the key…");
  let response;
  try {
    response = await fetch("/v1/models", { headers: { authorization: `Bearer ${key}` } });
  } catch {
    return status(unreachable(), true);
  }
  if (!response.ok) return status(await explain(response), true);
  const models = ((await response.json()).data ?? []).map((m) => m.id);
  state.key = key;
  storeKey(key);
  const select = $("model");
  const previous = select.value || localStorage.getItem(`${STORE}.model`);
  select.replaceChildren(...models.map((id) => el("option", { value: id, text: id })));
  if (models.includes(previous)) select.value = previous;
  select.disabled = models.length === 0;
  enableComposer(models.length > 0);
  status(
    models.length === 0
      ? "The key is accepted, but it may use no model: ask the operator to allow one (general_settings.api_keys)."
      : `Connected: ${models.length} model${models.length === 1 ? "" : "s"} for this key.`,
    models.length === 0,
  );
  if (models.length > 0) $("message").focus();
}

function enableComposer(on) {
  $("message").disabled = !on;
  $("send").disabled = !on || state.controller !== null;
}

// ---------------------------------------------------------------------------------------------
// Asking: the request, its stream, a retry without traces when the key may not see them.

function setSession(id) {
  state.session = id;
  $("session").textContent = id || "new";
  $("copy-session").disabled = !id;
}

function setBusy(controller) {
  state.controller = controller;
  $("stop").disabled = !controller;
  $("send").disabled = !!controller || !state.key;
  document.querySelectorAll(".results button").forEach((b) => (b.disabled = !!controller || b.dataset.sent));
}

function post(body, signal) {
  return fetch("/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${state.key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
}

async function ask() {
  const model = $("model").value;
  localStorage.setItem(`${STORE}.model`, model);
  const turn = new Turn(model);
  const controller = new AbortController();
  setBusy(controller);
  const history = state.messages; // "New session" starts another
  const body = { model, messages: [...history], stream: true, stream_options: { include_usage: true }, include_citations: true };
  if (state.session) body.session_id = state.session;
  if (!state.tracesDenied.has(model)) body.include_traces = true;
  try {
    let response = await post(body, controller.signal);
    if (response.status === 403 && body.include_traces) {
      const error = (await response.json().catch(() => ({}))).error ?? {};
      if (error.code !== "traces_not_allowed") throw new Shown(describe(403, error));
      state.tracesDenied.set(model, error.message ?? "this key may not see traces");
      delete body.include_traces;
      response = await post(body, controller.signal);
    }
    turn.tracesDenied = state.tracesDenied.get(model);
    state.lastRequest = body;
    $("copy-curl").disabled = false;
    if (!response.ok) throw new Shown(await explain(response));
    if (response.headers.get(SESSION_HEADER)) setSession(response.headers.get(SESSION_HEADER));
    turn.requestId = response.headers.get("x-amzn-requestid");
    await readSse(response, (chunk) => turn.onChunk(chunk));
    if (turn.error) throw new Shown(describe(turn.error.status ?? 500, turn.error));
  } catch (error) {
    if (controller.signal.aborted) turn.note("Stopped: the request was aborted, and with it the call to the agent.");
    else if (error instanceof Shown) turn.note(error.message, true);
    else turn.note(error instanceof TypeError ? unreachable() : String(error), true);
  } finally {
    setBusy(null);
    turn.finish();
    const message = turn.message();
    if (message) history.push(message);
  }
}

class Shown extends Error {}

/** Server-sent events by hand: `data:` lines, a blank line ends an event, `[DONE]` the stream. */
async function readSse(response, onData) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer = (buffer + value).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
        .join("\n");
      if (data === "") continue; // a comment: keep-alive
      if (data === "[DONE]") return void reader.cancel();
      onData(JSON.parse(data));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One answer: text, reasoning, tool calls, citations, usage, timing, trace.

const safeUrl = (url) => {
  try {
    return ["http:", "https:"].includes(new URL(url).protocol) ? url : null;
  } catch {
    return null;
  }
};

class Turn {
  constructor(model) {
    this.text = "";
    this.reasoning = "";
    this.calls = [];
    this.annotations = [];
    this.raw = [];
    this.traces = [];
    this.started = performance.now();
    this.firstToken = null;
    this.reasoningText = el("div", { class: "pre" });
    this.reasoningBox = el("details", { class: "reasoning", open: true, hidden: true }, el("summary", { text: "Reasoning" }), this.reasoningText);
    this.content = el("div", { class: "content" });
    this.extra = el("div");
    this.root = el("article", { class: "turn agent", "aria-label": `Answer from ${model}`, "aria-busy": "true" },
      el("h2", { text: `Agent · ${model}` }), this.reasoningBox, this.content, this.extra);
    append(this.root);
  }

  onChunk(chunk) {
    if (chunk.error) return void (this.error = chunk.error);
    if (chunk.trace) this.traces.push(chunk.trace);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta ?? {};
    if (delta.content || delta.reasoning_content || delta.tool_calls) this.firstToken ??= performance.now() - this.started;
    if (delta.reasoning_content) {
      this.reasoning += delta.reasoning_content;
      this.reasoningBox.hidden = false;
      this.reasoningText.textContent = this.reasoning;
      follow();
    }
    if (delta.content) this.text += delta.content;
    if (delta.annotations) this.annotations.push(...delta.annotations.filter((a) => a.type === "url_citation"));
    if (delta.citations) this.raw.push(...delta.citations);
    for (const call of delta.tool_calls ?? []) {
      const known = (this.calls[call.index ?? this.calls.length] ??= { id: "", name: "", arguments: "" });
      if (call.id) known.id = call.id;
      if (call.function?.name) known.name = call.function.name;
      known.arguments += call.function?.arguments ?? "";
    }
    if (delta.files) (this.files ??= []).push(...delta.files);
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    if (delta.content || delta.annotations) this.schedule();
  }

  /** Renders the whole text again, once a frame; not while the reader selects in it. */
  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (selecting(this.content)) pending.add(this);
      else this.render();
    });
  }

  render() {
    pending.delete(this);
    this.content.replaceChildren(renderMarkdown(this.text));
    this.sources = citeMarks(this.content, this.text, this.annotations);
    follow();
  }

  note(text, error = false) {
    this.extra.before(el("p", { class: error ? "error" : "note", role: error ? "alert" : null, text }));
  }

  finish() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.render();
    this.reasoningBox.open = false;
    this.root.removeAttribute("aria-busy");
    const parts = [];
    if (this.sources?.length) parts.push(sourceList(this.sources, this.raw));
    for (const file of this.files ?? []) parts.push(fileLink(file));
    if (this.calls.length) parts.push(toolCalls(this.calls, this.finishReason === "tool_calls"));
    parts.push(this.meta(), this.traceBox());
    this.extra.replaceChildren(...parts);
    follow();
  }

  meta() {
    const items = [];
    const add = (name, value) => items.push(el("div", {}, el("dt", { text: name }), el("dd", { text: value })));
    if (this.usage) add("Tokens", `${this.usage.prompt_tokens} in · ${this.usage.completion_tokens} out`);
    if (typeof this.usage?.cost === "number") add("Cost", `$${this.usage.cost.toFixed(6).replace(/0{1,4}$/, "")}`);
    else if (this.usage && this.usage.cost === null) add("Cost", "unknown (no price for the model)");
    if (this.firstToken !== null) add("First token", `${Math.round(this.firstToken)} ms`);
    add("Total", `${Math.round(performance.now() - this.started)} ms`);
    if (this.requestId) add("AWS request id", this.requestId);
    return el("dl", { class: "meta" }, ...items);
  }

  traceBox() {
    if (this.tracesDenied) {
      return el("details", { class: "trace-fold" }, el("summary", { text: "Trace unavailable" }),
        el("p", { text: `This key may not see the agent's trace (allow_traces in the model's config): ${this.tracesDenied}` }));
    }
    if (!this.traces.length) return null;
    const box = el("details", { class: "trace-fold" }, el("summary", { text: `Trace (${this.traces.length} events)` }));
    box.append(renderTrace(this.traces));
    return box;
  }

  /** The answer as the history's assistant message. */
  message() {
    if (!this.text && !this.calls.length) return null;
    const message = { role: "assistant", content: this.text || null };
    if (this.calls.length) message.tool_calls = this.calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: c.arguments } }));
    return message;
  }
}

const pending = new Set();
document.addEventListener("selectionchange", () => {
  for (const turn of pending) if (!selecting(turn.content)) turn.render();
});

function selecting(node) {
  const selection = getSelection();
  return !!selection && !selection.isCollapsed && (node.contains(selection.anchorNode) || node.contains(selection.focusNode));
}

/** Keeps the conversation at its end when the reader is there already. */
let stuck = true;
log.addEventListener("scroll", () => (stuck = log.scrollHeight - log.scrollTop - log.clientHeight < 40));
const follow = () => stuck && (log.scrollTop = log.scrollHeight);
function append(node) {
  log.append(node);
  follow();
}

// ---------------------------------------------------------------------------------------------
// Citations: a numbered mark after each cited span, a list of sources with their retrieved text.

function citeMarks(content, text, annotations) {
  const sources = [];
  for (const { url_citation: c } of annotations) {
    const key = c.url || c.file_id || c.title || "";
    let source = sources.find((s) => s.key === key);
    if (!source) sources.push((source = { key, url: safeUrl(c.url), title: c.title, n: sources.length + 1 }));
    const href = source.url ?? `#source-${source.n}`;
    const mark = el("sup", {}, el("a", { class: "cite", href, target: source.url ? "_blank" : null, rel: "noopener noreferrer",
      "aria-label": `Source ${source.n}: ${c.title || key}` }, `[${source.n}]`));
    placeAfter(content, text.slice(c.start_index, c.end_index), mark);
  }
  return sources;
}

/** After the end of `cited` in the rendered text (Markdown may have changed it: else at the end). */
function placeAfter(root, cited, mark) {
  const nodes = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let all = "";
  while (walker.nextNode()) {
    if (walker.currentNode.parentElement.closest(".cite")) continue;
    nodes.push([walker.currentNode, all.length]);
    all += walker.currentNode.data;
  }
  const trimmed = cited.trim();
  for (const size of [32, 12]) {
    const needle = trimmed.slice(-size);
    const at = needle ? all.lastIndexOf(needle) : -1;
    if (at < 0) continue;
    const end = at + needle.length;
    const [node, start] = nodes.findLast(([, s]) => s < end);
    const rest = node.splitText(end - start);
    rest.before(mark);
    return;
  }
  (root.lastElementChild ?? root).append(mark);
}

function sourceList(sources, raw) {
  const references = raw.flatMap((c) => c.retrievedReferences ?? []);
  return el("section", { class: "sources" }, el("h3", { text: "Sources" }), el("ol", {}, ...sources.map((s) => {
    const texts = references
      .filter((r) => JSON.stringify([r.location, r.metadata]).includes(JSON.stringify(s.key).slice(1, -1)))
      .map((r) => r.content?.text)
      .filter(Boolean);
    const name = s.title && s.title !== s.key ? `${s.title} (${s.key})` : s.key;
    return el("li", { id: `source-${s.n}` },
      s.url ? el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer", text: name }) : el("code", { text: name }),
      texts.length ? el("details", {}, el("summary", { text: "Retrieved text" }), ...texts.map((t) => el("blockquote", { text: t }))) : null);
  })));
}

function fileLink(file) {
  const url = typeof file.url === "string" && file.url.startsWith("data:") ? file.url : null;
  if (!url) return null;
  if (/^image\/(png|jpeg|gif|webp)$/.test(file.type)) return el("figure", {}, el("img", { src: url, alt: file.name }), el("figcaption", { text: file.name }));
  return el("p", {}, el("a", { href: url, download: file.name || "file", text: `Download ${file.name}` }));
}

// ---------------------------------------------------------------------------------------------
// Tool calls; for return of control, a result field per call, sent back as tool messages.

function pretty(json) {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}

function toolCalls(calls, answerable) {
  const section = el("section", { class: "calls" }, el("h3", { text: answerable ? "The agent asks you to run these tools" : "Tool calls" }));
  for (const call of calls) section.append(el("div", { class: "call" }, el("h4", {}, el("code", { text: call.name })), el("pre", { text: pretty(call.arguments) })));
  if (!answerable) return section;
  const fields = calls.map((call, i) => {
    const id = `result-${Math.random().toString(36).slice(2)}-${i}`;
    return [call, el("div", { class: "field" }, el("label", { for: id, text: `Result of ${call.name}` }), el("textarea", { id, rows: 2, class: "result" }))];
  });
  const button = el("button", { type: "submit", text: "Send results" });
  const form = el("form", { class: "results" }, ...fields.map(([, f]) => f), button);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (state.controller) return;
    button.dataset.sent = "1";
    button.disabled = true;
    for (const [call, field] of fields) {
      const input = field.querySelector("textarea");
      input.readOnly = true;
      state.messages.push({ role: "tool", tool_call_id: call.id, content: input.value });
    }
    append(el("article", { class: "turn you", "aria-label": "Your tool results" }, el("h2", { text: "You · tool results" }),
      ...fields.map(([call, field]) => el("p", { class: "pre", text: `${call.name}: ${field.querySelector("textarea").value}` }))));
    void ask();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  section.append(form);
  return section;
}

// ---------------------------------------------------------------------------------------------
// Controls.

function send() {
  const box = $("message");
  const text = box.value.trim();
  if (!text || state.controller || !state.key) return;
  box.value = "";
  state.messages.push({ role: "user", content: text });
  append(el("article", { class: "turn you", "aria-label": "Your message" }, el("h2", { text: "You" }), el("div", { class: "pre", text })));
  void ask();
}

function stop() {
  state.controller?.abort();
}

function curl() {
  const body = JSON.stringify(state.lastRequest).replace(/'/g, "'\\''");
  return [
    "# The key is not included: export API_KEY=<your key> first.",
    `curl -N ${location.origin}/v1/chat/completions \\`,
    '  -H "Authorization: Bearer $API_KEY" \\',
    '  -H "Content-Type: application/json" \\',
    `  -d '${body}'`,
  ].join("\n");
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    status(`${what} copied.`);
  } catch {
    status(`${what}: ${text}`); // no clipboard (not a secure context): shown to copy by hand
  }
}

$("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("key").value.trim();
  if (key) void connect(key);
});
$("remember").addEventListener("change", () => state.key && storeKey(state.key));
$("forget").addEventListener("click", () => {
  localStorage.removeItem(STORE);
  sessionStorage.removeItem(STORE);
  state.key = "";
  $("key").value = "";
  $("remember").checked = false;
  enableComposer(false);
  status("The key is forgotten on this device.");
});
$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
$("message").addEventListener("keydown", (event) => {
  if (event.key === "Escape") return stop();
  if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
  event.preventDefault();
  send();
});
$("stop").addEventListener("click", stop);
$("new-session").addEventListener("click", () => {
  stop();
  state.messages = [];
  setSession("");
  log.replaceChildren();
  status("New session: the next message starts a new conversation.");
  $("message").focus();
});
$("copy-session").addEventListener("click", () => copy(state.session, "Session id"));
$("copy-curl").addEventListener("click", () => copy(curl(), "curl command"));

const saved = storedKey();
if (saved) {
  $("key").value = saved;
  void connect(saved);
} else {
  $("key").focus();
}
