// An answer's raw trace events as a readable timeline, raw JSON one click away. Text only
// (textContent), never throws, bounded depth. Agents Classic: each step (model calls merged with
// their model, tokens and time; rationale, action groups, knowledge bases, code interpreter,
// collaborators nested, guardrails, failures, final response). AgentCore harness: one step per
// model turn (text, reasoning, tool use and results, usage). Anything else: generic, with
// consecutive events of one shape folded into one step (a runtime's text pieces joined).
// Classes:
//   trace            the root <div>        trace-summary  totals <p>     trace-empty  no events <p>
//   trace-timeline   <ol> of steps         trace-step     each <li>, with one of: trace-model,
//     trace-rationale, trace-action, trace-kb, trace-code, trace-collaborator-call, trace-final,
//     trace-guardrail, trace-failure, trace-custom, trace-turn, trace-event, trace-group
//   trace-alert      on a step that blocked or failed (guardrail INTERVENED, failure, invalid input)
//   trace-head <p> of trace-phase, trace-title, trace-meta <span>s
//   trace-fields <dl>  trace-text <p> prose  trace-code <pre>  trace-list <ul>  trace-more <li>
//   trace-refs <ul> of references: trace-ref-title, trace-ref-uri <span>, trace-ref-text <p>
//   trace-collaborator  <details open> of a collaborator's steps (in li.trace-group)
//   trace-detail     <details> of a prompt or raw model output   trace-raw  <details> of JSON

const PHASES = {
  preProcessingTrace: "Pre-processing",
  orchestrationTrace: "Orchestration",
  postProcessingTrace: "Post-processing",
  routingClassifierTrace: "Routing",
  guardrailTrace: "Guardrail",
  failureTrace: "Failure",
  customOrchestrationTrace: "Custom orchestration",
};
const HARNESS = new Set(["messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"]);
const MAX_DEPTH = 4;
const MAX_ITEMS = 50;
const MAX_TEXT = 4000;

const obj = (x) => (x && typeof x === "object" && !Array.isArray(x) ? x : {});
const arr = (x) => (Array.isArray(x) ? x : []);
const str = (x) => (typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? String(x) : "");
const num = (x) => (typeof x === "number" && Number.isFinite(x) ? x : undefined);
const fmt = (n) => n.toLocaleString("en-US");
const cut = (s) => (s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}… (${fmt(s.length)} characters)` : s);
const el = (tag, cls, ...kids) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.append(...kids);
  return e;
};
const json = (v) => {
  try {
    return JSON.stringify(v, null, 2) ?? String(v);
  } catch (e) {
    return `(not JSON: ${e?.message ?? e})`;
  }
};
const details = (cls, label, fill) => {
  const pre = el("pre", "trace-code");
  const d = el("details", cls, el("summary", "", label), pre);
  d.addEventListener("toggle", () => d.open && !pre.textContent && (pre.textContent = fill()));
  return d;
};

/** The timeline of trace events (an array, or one event); never throws. */
export function renderTrace(traces) {
  const root = el("div", "trace");
  const events = Array.isArray(traces) ? traces : traces == null ? [] : [traces];
  const top = el("ol", "trace-timeline");
  const totals = { calls: 0, input: 0, output: 0 };
  const calls = new Map();
  const turns = [];
  let list = top;
  let group;
  let turn;
  let last;

  const step = (cls, phase, title, ev) => {
    const s = { li: el("li", `trace-step ${cls}`), meta: el("span", "trace-meta"), events: [ev] };
    s.li.append(el("p", "trace-head", el("span", "trace-phase", phase), " ", el("span", "trace-title", title), " ", s.meta));
    s.raw = details("trace-raw", "JSON", () => json(s.events.length === 1 ? s.events[0] : s.events));
    s.li.append(s.raw);
    list.append(s.li);
    return s;
  };
  const add = (s, node) => s.raw.before(node);
  const field = (s, label, value) => {
    if (value === "" || value == null) return;
    if (!s.dl) add(s, (s.dl = el("dl", "trace-fields")));
    const dd = el("dd", "", typeof value === "string" ? cut(value) : value);
    s.dl.append(el("dt", "", label), dd);
    return dd;
  };
  const prose = (s, text) => text && add(s, el("p", "trace-text", cut(text)));
  const fold = (s, label, text) => text && add(s, details("trace-detail", label, () => text));
  const setGroup = (name) => {
    if (name === (group ?? "")) return;
    group = name;
    list = top;
    if (!name) return;
    const d = el("details", "trace-collaborator", el("summary", "", `Collaborator ${name}`));
    d.open = true;
    const li = el("li", "trace-step trace-group", d);
    top.append(li);
    d.append((list = el("ol", "trace-timeline")));
  };
  const metaOf = (s) => {
    const bits = [s.model, s.stop && `stop: ${s.stop}`];
    if (s.input !== undefined || s.output !== undefined) bits.push(`${fmt(s.input ?? 0)} in · ${fmt(s.output ?? 0)} out tokens`);
    if (s.ms !== undefined) bits.push(`${fmt(s.ms)} ms`);
    s.meta.textContent = bits.filter(Boolean).join(" · ");
  };
  const time = (s, metadata) => {
    const m = obj(metadata);
    s.ms = num(m.totalTimeMs) ?? num(m.operationTotalTimeMs) ?? num(obj(m.metrics).latencyMs) ?? s.ms;
    metaOf(s);
  };
  const usage = (s, u) => {
    const i = num(obj(u).inputTokens);
    const o = num(obj(u).outputTokens);
    if (i === undefined && o === undefined) return;
    s.input = (s.input ?? 0) + (i ?? 0);
    s.output = (s.output ?? 0) + (o ?? 0);
    totals.input += i ?? 0;
    totals.output += o ?? 0;
  };

  const modelCall = (kind, phase, x, ev) => {
    const input = obj(x.modelInvocationInput);
    const output = obj(x.modelInvocationOutput);
    const key = `${group}|${kind}|${str(input.traceId || output.traceId)}`;
    let s = calls.get(key);
    if (s && !(s.hasOut && x.modelInvocationOutput) && !(s.hasIn && x.modelInvocationInput)) s.events.push(ev);
    else {
      calls.set(key, (s = step("trace-model", phase, "Model call", ev)));
      totals.calls++;
    }
    if (x.modelInvocationInput) (s.hasIn = true), (s.model = str(input.foundationModel) || s.model);
    fold(s, "Prompt", str(input.text));
    if (x.modelInvocationOutput) {
      s.hasOut = true;
      const meta = obj(output.metadata);
      usage(s, meta.usage);
      const parsed = obj(output.parsedResponse);
      if (typeof parsed.isValid === "boolean") {
        field(s, "Verdict", parsed.isValid ? "valid input" : "invalid input: rejected");
        if (!parsed.isValid) s.li.classList.add("trace-alert");
      }
      field(s, "Rationale", str(parsed.rationale));
      field(s, "Reasoning", str(obj(obj(output.reasoningContent).reasoningText).text));
      field(s, "Answer", str(parsed.text));
      fold(s, "Model output", str(obj(output.rawResponse).content));
      time(s, meta);
    }
    metaOf(s);
  };

  const params = (list) => {
    const ul = el("ul", "trace-list");
    for (const p of arr(list).slice(0, MAX_ITEMS)) ul.append(el("li", "", `${str(obj(p).name)}${obj(p).type ? ` (${str(obj(p).type)})` : ""} = ${cut(str(obj(p).value))}`));
    return ul.childNodes.length ? ul : "";
  };
  const refs = (list) => {
    const ul = el("ul", "trace-refs");
    for (const r of arr(list).slice(0, MAX_ITEMS)) {
      const o = obj(r);
      const meta = obj(o.metadata);
      const loc = Object.values(obj(o.location)).map(obj).find((l) => l.uri || l.url || l.id || l.query) ?? {};
      const uri = str(loc.uri || loc.url || loc.id || loc.query || meta["x-amz-bedrock-kb-source-uri"]);
      const titleKey = Object.keys(meta).find((k) => /title/i.test(k));
      const title = str(titleKey && meta[titleKey]) || uri.split(/[/?#]/).filter(Boolean).pop() || "Reference";
      const text = str(obj(o.content).text);
      ul.append(el("li", "", el("span", "trace-ref-title", title), " ", el("span", "trace-ref-uri", uri), text ? el("p", "trace-ref-text", text.length > 300 ? `${text.slice(0, 300)}…` : text) : ""));
    }
    return ul;
  };

  const invocation = (phase, x, ev) => {
    const ag = obj(x.actionGroupInvocationInput);
    const kb = obj(x.knowledgeBaseLookupInput);
    const ci = obj(x.codeInterpreterInvocationInput);
    const co = obj(x.agentCollaboratorInvocationInput);
    if (x.actionGroupInvocationInput) {
      const s = step("trace-action", phase, `Action group ${str(ag.actionGroupName)}`, ev);
      s.meta.textContent = str(ag.function) || [str(ag.verb).toUpperCase(), str(ag.apiPath)].join(" ").trim();
      field(s, "Parameters", params(ag.parameters));
      for (const [mime, body] of Object.entries(obj(obj(ag.requestBody).content))) field(s, `Body (${mime})`, params(obj(body).properties));
      field(s, "Execution", str(ag.executionType));
    } else if (x.knowledgeBaseLookupInput) field(step("trace-kb", phase, `Knowledge base ${str(kb.knowledgeBaseId)}`, ev), "Query", str(kb.text));
    else if (x.codeInterpreterInvocationInput) {
      const s = step("trace-code", phase, "Code interpreter", ev);
      if (ci.code) add(s, el("pre", "trace-code", cut(str(ci.code))));
      field(s, "Files", arr(ci.files).map(str).join(", "));
    } else if (x.agentCollaboratorInvocationInput) {
      const s = step("trace-collaborator-call", phase, `Ask collaborator ${str(co.agentCollaboratorName)}`, ev);
      field(s, "Input", str(obj(co.input).text) || json(obj(co.input).returnControlResults));
    } else generic(phase, x, ev, `Invocation ${str(x.invocationType)}`);
  };

  const observation = (phase, x, ev) => {
    const ag = obj(x.actionGroupInvocationOutput);
    const kb = obj(x.knowledgeBaseLookupOutput);
    const ci = obj(x.codeInterpreterInvocationOutput);
    const co = obj(x.agentCollaboratorInvocationOutput);
    let s;
    if (x.actionGroupInvocationOutput) field((s = step("trace-action", phase, "Action group result", ev)), "Output", str(ag.text));
    else if (x.knowledgeBaseLookupOutput) {
      s = step("trace-kb", phase, "Knowledge base result", ev);
      field(s, `${arr(kb.retrievedReferences).length} references`, refs(kb.retrievedReferences));
    } else if (x.codeInterpreterInvocationOutput) {
      s = step("trace-code", phase, "Code interpreter result", ev);
      if (ci.executionOutput) add(s, el("pre", "trace-code", cut(str(ci.executionOutput))));
      field(s, "Error", str(ci.executionError));
      if (ci.executionTimeout === true) field(s, "Timeout", "yes");
      field(s, "Files", arr(ci.files).map(str).join(", "));
      if (ci.executionError || ci.executionTimeout === true) s.li.classList.add("trace-alert");
    } else if (x.agentCollaboratorInvocationOutput) {
      s = step("trace-collaborator-call", phase, `Answer of collaborator ${str(co.agentCollaboratorName)}`, ev);
      prose(s, str(obj(co.output).text));
      if (obj(co.output).returnControlPayload) field(s, "Return of control", el("pre", "trace-code", cut(json(obj(co.output).returnControlPayload))));
    } else if (x.finalResponse) prose((s = step("trace-final", phase, "Final response", ev)), str(obj(x.finalResponse).text));
    else if (x.repromptResponse) {
      s = step("trace-event", phase, "Reprompt", ev);
      field(s, "Source", str(obj(x.repromptResponse).source));
      prose(s, str(obj(x.repromptResponse).text));
    } else return generic(phase, x, ev, `Observation ${str(x.type)}`);
    time(s, ag.metadata ?? kb.metadata ?? ci.metadata ?? co.metadata ?? obj(x.finalResponse).metadata);
  };

  const guardrail = (x, ev) => {
    const action = str(x.action) || "?";
    const s = step("trace-guardrail", "Guardrail", `Guardrail: ${action}`, ev);
    if (action === "INTERVENED") s.li.classList.add("trace-alert");
    for (const [key, label] of [["inputAssessments", "Input"], ["outputAssessments", "Output"]]) {
      if (!Array.isArray(x[key])) continue;
      const ul = el("ul", "trace-list");
      for (const a of x[key].slice(0, MAX_ITEMS)) {
        for (const [policy, v] of Object.entries(obj(a))) {
          const items = Object.values(obj(v)).flatMap(arr);
          for (const f of items.slice(0, MAX_ITEMS).map(obj)) {
            const what = [f.name, f.type, f.match && `"${str(f.match)}"`, f.confidence].map(str).filter(Boolean).join(" ");
            ul.append(el("li", "", `${policy.replace(/Policy$/, "")}: ${what}${f.action ? ` → ${str(f.action)}` : ""}`));
          }
        }
      }
      field(s, `${label} assessed`, ul.childNodes.length ? ul : "nothing flagged");
    }
    time(s, x.metadata);
  };

  const classic = (ev, t) => {
    setGroup(str(obj(ev).collaboratorName));
    for (const [kind, value] of Object.entries(t)) {
      const x = obj(value);
      const phase = PHASES[kind] ?? kind;
      if (kind === "guardrailTrace") guardrail(x, ev);
      else if (kind === "failureTrace") {
        const s = step("trace-failure trace-alert", phase, "Failure", ev);
        prose(s, str(x.failureReason));
        field(s, "Code", str(x.failureCode));
        time(s, x.metadata);
      } else if (kind === "customOrchestrationTrace") prose(step("trace-custom", phase, "Step", ev), str(obj(x.event).text) || json(x.event));
      else if (!PHASES[kind]) generic(phase, value, ev, "Trace");
      else {
        if (x.modelInvocationInput || x.modelInvocationOutput) modelCall(kind, phase, x, ev);
        if (x.rationale) prose(step("trace-rationale", phase, "Rationale", ev), str(obj(x.rationale).text));
        if (x.invocationInput) invocation(phase, obj(x.invocationInput), ev);
        if (x.observation) observation(phase, obj(x.observation), ev);
        const rest = Object.keys(x).filter((k) => !/^(modelInvocation(In|Out)put|rationale|invocationInput|observation|traceId)$/.test(k));
        if (rest.length) generic(phase, Object.fromEntries(rest.map((k) => [k, x[k]])), ev, "Trace");
      }
    }
  };

  const harness = (key, p, ev, phase) => {
    if (key === "messageStart" || !turn) {
      turn = step("trace-turn", phase, `Model turn ${turns.length + 1}`, ev);
      turn.blocks = [];
      turn.open = new Map();
      turns.push(turn);
      totals.calls++;
    } else turn.events.push(ev);
    const i = str(p.contentBlockIndex);
    const block = () => {
      let b = turn.open.get(i);
      if (!b) turn.open.set(i, (b = { text: "", reasoning: "", input: "" })), turn.blocks.push(b);
      return b;
    };
    if (key === "contentBlockStart") {
      turn.open.delete(i);
      const start = obj(p.start);
      Object.assign(block(), { tool: start.toolUse && obj(start.toolUse), result: start.toolResult && obj(start.toolResult) });
    } else if (key === "contentBlockDelta") {
      const d = obj(p.delta);
      const b = block();
      b.text += str(d.text);
      b.reasoning += str(obj(d.reasoningContent).text);
      b.input += str(obj(d.toolUse).input);
      for (const r of arr(d.toolResult)) b.text += str(obj(r).text) || json(obj(r).json);
    } else if (key === "contentBlockStop") turn.open.delete(i);
    else if (key === "messageStop") turn.stop = str(p.stopReason);
    else if (key === "metadata") {
      usage(turn, p.usage);
      time(turn, p);
    }
    metaOf(turn);
  };
  const finishTurn = (s) => {
    for (const b of s.blocks) {
      field(s, "Reasoning", b.reasoning);
      if (b.tool) {
        let input = b.input;
        try {
          input = JSON.stringify(JSON.parse(input), null, 2);
        } catch {}
        const type = str(b.tool.type);
        field(s, `Tool ${str(b.tool.name)}${type === "server_tool_use" ? " (run by the harness)" : type ? ` (${type})` : ""}`, el("pre", "trace-code", cut(input)));
      } else if (b.result) field(s, `Tool result${b.result.status ? ` (${str(b.result.status)})` : ""}`, b.text);
      else field(s, "Text", b.text);
    }
  };

  const textOf = (ev) => {
    if (typeof ev === "string") return ev;
    const o = obj(ev);
    return str(o.data) || str(obj(o.delta).text) || str(obj(obj(arr(o.choices)[0]).delta).content) || (typeof o.text === "string" ? o.text : "");
  };
  function generic(phase, value, ev, title) {
    const s = step("trace-event", phase, title, ev);
    add(s, shape(value, 0));
    return s;
  }
  const other = (ev) => {
    const o = ev && typeof ev === "object" ? ev : undefined;
    const keys = o ? Object.keys(o).slice(0, 20) : [];
    const sig = o ? `${Array.isArray(o) ? "[]" : ""}${keys.join(",")}|${str(o.type)}` : typeof ev;
    const text = textOf(ev);
    if (last && last.sig === sig && list === top && top.lastChild === last.li) {
      last.events.push(ev);
      last.meta.textContent = `${fmt(last.events.length)} events`;
      if (text) last.textDd ? (last.textDd.textContent = cut((last.text += text))) : (last.textDd = field(last, "Text", (last.text = text)));
      return;
    }
    const title = typeof ev === "string" ? "Text" : str(obj(ev).type) || (o ? (Array.isArray(o) ? "List" : keys.join(", ") || "Empty") : ev === null ? "null" : typeof ev);
    last = generic("Event", typeof ev === "string" ? undefined : ev, ev, title);
    last.sig = sig;
    last.text = text;
    if (text) last.textDd = field(last, "Text", text);
  };

  try {
    for (const ev of events) {
      const o = obj(ev);
      try {
        const keys = Object.keys(o);
        const inner = obj(o.event);
        const innerKey = Object.keys(inner)[0];
        const t = obj(o.trace);
        if (Object.keys(t).some((k) => k in PHASES || k.endsWith("Trace"))) classic(o, t);
        else if (keys.some((k) => k in PHASES)) classic({}, o);
        else if (keys.length === 1 && HARNESS.has(keys[0])) setGroup(""), harness(keys[0], obj(o[keys[0]]), ev, "Harness");
        else if (keys.length === 1 && innerKey && Object.keys(inner).length === 1 && HARNESS.has(innerKey)) setGroup(""), harness(innerKey, obj(inner[innerKey]), ev, "Runtime");
        else setGroup(""), other(ev);
      } catch (e) {
        list.append(el("li", "trace-step trace-event trace-alert", `An event could not be shown (${e?.message ?? e}); see the raw JSON.`));
      }
    }
    turns.forEach(finishTurn);
  } catch {}
  const summary = `${fmt(events.length)} events · ${fmt(totals.calls)} model calls · ${fmt(totals.input)} in · ${fmt(totals.output)} out tokens`;
  root.append(events.length ? el("p", "trace-summary", summary) : el("p", "trace-empty", "No trace events."), top, details("trace-raw", "Raw JSON", () => json(traces)));
  return root;
}

/** Any value as nested lists, at most MAX_DEPTH deep and MAX_ITEMS wide. */
function shape(v, depth) {
  if (v === undefined) return "";
  if (v === null || typeof v !== "object") return el("p", "trace-text", cut(typeof v === "string" ? v : String(v)));
  const keys = Array.isArray(v) ? [...v.keys()].slice(0, MAX_ITEMS + 1) : Object.keys(v);
  const n = Array.isArray(v) ? v.length : keys.length;
  if (depth >= MAX_DEPTH) return el("p", "trace-text", `${Array.isArray(v) ? "[…]" : "{…}"} ${fmt(n)} items, in the JSON`);
  const dl = el("dl", "trace-fields");
  for (const k of keys.slice(0, MAX_ITEMS)) {
    const x = v[k];
    dl.append(el("dt", "", String(k)), el("dd", "", x !== null && typeof x === "object" ? shape(x, depth + 1) : cut(str(x) || String(x))));
  }
  if (n > MAX_ITEMS) dl.append(el("dt", "trace-more", `… ${fmt(n - MAX_ITEMS)} more`));
  return dl;
}
