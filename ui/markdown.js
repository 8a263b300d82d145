// Markdown → DOM, safe by construction: only createElement and text nodes, never HTML parsing,
// so raw HTML in the text shows as text. Links only http:, https:, mailto: (else shown as text),
// opened with rel="noopener noreferrer" target="_blank". What agents write: paragraphs (a newline
// is a line break), # headings, **bold**, *italic*, ~~strike~~, `code`, ``` fences, - and 1.
// lists (nested by indentation), > quotes, --- rules, [links](url), bare URLs, | tables |.
// Linear (each delimiter's search is memoised), so it can re-render the whole text of a streamed
// answer on each piece; an unclosed fence runs to the end, an unclosed ** or _ to the block's end.

const MAX_DEPTH = 12;
const SAFE = new Set(["http:", "https:", "mailto:"]);
const ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

const el = (tag, ...kids) => {
  const e = document.createElement(tag);
  e.append(...kids);
  return e;
};
const indentOf = (line) => line.length - line.trimStart().length;
const blank = (line) => !line.trim();
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const QUOTE = /^ {0,3}> ?/;
const MARKER = /^( *)(?:([-*+])|(\d{1,9})[.)])(?: +|$)/;

/** The text as a DocumentFragment; never throws (at worst the text as one paragraph). */
export function renderMarkdown(text) {
  const out = document.createDocumentFragment();
  const source = typeof text === "string" ? text : text == null ? "" : String(text);
  try {
    const lines = source.replace(/\r\n?/g, "\n").split("\n").map((l) => l.replace(/^\t+/, (t) => "    ".repeat(t.length)));
    blocks(out, lines, 0);
  } catch {
    out.replaceChildren(el("p", source));
  }
  return out;
}

function isRule(line) {
  if (indentOf(line) > 3) return false;
  const t = line.replace(/[ \t]/g, "");
  return t.length >= 3 && /^(?:-+|\*+|_+)$/.test(t);
}

function marker(line) {
  const m = MARKER.exec(line);
  return m && { indent: m[1].length, bullet: m[2], start: m[3] && Number(m[3]), offset: m[0].length, rest: line.slice(m[0].length) };
}

function cells(line) {
  let t = line.trim();
  if (t.startsWith("|")) t = t.slice(1);
  if (t.endsWith("|") && !t.endsWith("\\|")) t = t.slice(0, -1);
  const out = [];
  let cell = "";
  for (let i = 0; i < t.length; i++) {
    if (t[i] === "\\" && t[i + 1] === "|") (cell += "|"), i++;
    else if (t[i] === "|") out.push(cell.trim()), (cell = "");
    else cell += t[i];
  }
  out.push(cell.trim());
  return out;
}

function tableAt(lines, i) {
  if (!lines[i].includes("|") || i + 1 >= lines.length || !lines[i + 1].includes("-")) return null;
  const align = cells(lines[i + 1]);
  if (!align.every((c) => /^:?-+:?$/.test(c))) return null;
  const head = cells(lines[i]);
  return head.length === align.length ? { head, align: align.map((c) => (c.endsWith(":") ? (c[0] === ":" ? "center" : "right") : c[0] === ":" ? "left" : "")) } : null;
}

/** Starts a block other than a paragraph (so it ends the paragraph before it). */
function startsBlock(lines, i) {
  const line = lines[i];
  const m = marker(line);
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || isRule(line) || (m && m.rest.trim() && (m.bullet || m.start === 1)) || tableAt(lines, i);
}

function blocks(parent, lines, depth) {
  if (depth > MAX_DEPTH) return parent.append(el("p", lines.join("\n")));
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    let m;
    if (blank(line)) i++;
    else if ((m = FENCE.exec(line))) {
      const fence = m[1];
      const body = [];
      for (i++; i < lines.length; i++) {
        const t = lines[i].trim();
        if (indentOf(lines[i]) < 4 && t.startsWith(fence) && t.length >= fence.length && !t.replaceAll(fence[0], "")) break;
        body.push(lines[i]);
      }
      i++;
      const code = el("code", body.join("\n"));
      const lang = m[2].trim().split(/\s/)[0].replace(/[^\w+#.-]/g, "");
      if (lang) code.className = `language-${lang}`;
      parent.append(el("pre", code));
    } else if ((m = HEADING.exec(line))) {
      let t = line.slice(m[0].length).trim();
      let e = t.length;
      while (e && t[e - 1] === "#") e--;
      const bare = t.slice(0, e);
      if (bare !== t && (!bare || bare.endsWith(" "))) t = bare.trim();
      parent.append(inline(el(`h${m[1].length}`), t, 0));
      i++;
    } else if (QUOTE.test(line)) {
      const inner = [];
      for (; i < lines.length && QUOTE.test(lines[i]); i++) inner.push(lines[i].replace(QUOTE, ""));
      const q = el("blockquote");
      blocks(q, inner, depth + 1);
      parent.append(q);
    } else if (isRule(line)) {
      parent.append(el("hr"));
      i++;
    } else if ((m = tableAt(lines, i))) i = table(parent, lines, i, m);
    else if (marker(line)) i = list(parent, lines, i, depth);
    else {
      const para = [line.trim()];
      for (i++; i < lines.length && !blank(lines[i]) && !startsBlock(lines, i); i++) para.push(lines[i].trim());
      parent.append(inline(el("p"), para.join("\n"), 0));
    }
  }
}

function table(parent, lines, i, { head, align }) {
  const row = (values, tag) =>
    el("tr", ...head.map((_, c) => {
      const cell = inline(el(tag), values[c] ?? "", 0);
      if (align[c]) cell.style.textAlign = align[c];
      return cell;
    }));
  const body = el("tbody");
  for (i += 2; i < lines.length && lines[i].includes("|") && !blank(lines[i]); i++) body.append(row(cells(lines[i]), "td"));
  parent.append(el("table", el("thead", row(head, "th")), body));
  return i;
}

function list(parent, lines, i, depth) {
  const first = marker(lines[i]);
  const ordered = !first.bullet;
  const root = el(ordered ? "ol" : "ul");
  if (ordered && first.start !== 1) root.start = first.start;
  let loose = false;
  const items = [];
  const same = (m) => m && (ordered ? !m.bullet : m.bullet === first.bullet) && m.indent <= first.indent + 1;
  while (i < lines.length) {
    const m = marker(lines[i]);
    if (!same(m)) break;
    const body = [m.rest];
    for (i++; i < lines.length; i++) {
      const line = lines[i];
      if (blank(line)) {
        let j = i;
        while (j < lines.length && blank(lines[j])) j++;
        if (j < lines.length && indentOf(lines[j]) > m.indent) {
          for (; i < j; i++) body.push("");
          loose = true;
          i--;
          continue;
        }
        if (j < lines.length && same(marker(lines[j]))) loose = true;
        i = j;
        break;
      }
      const indent = indentOf(line);
      if (indent > m.indent) body.push(line.slice(Math.min(indent, m.offset)));
      else if (!blank(lines[i - 1]) && !startsBlock(lines, i) && !marker(line)) body.push(line);
      else break;
    }
    const li = el("li");
    blocks(li, body, depth + 1);
    items.push(li);
  }
  for (const li of items) {
    if (!loose) for (const p of [...li.children]) if (p.tagName === "P") p.replaceWith(...p.childNodes);
    root.append(li);
  }
  parent.append(root);
  return i;
}

/** A link element for a safe URL, else null. */
function link(url, kids) {
  let u;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (!SAFE.has(u.protocol) || !/^(?:https?|mailto):/i.test(url)) return null;
  const a = el("a", ...kids);
  a.href = u.href;
  a.rel = "noopener noreferrer";
  a.target = "_blank";
  return a;
}

const decode = (s) =>
  s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (all, name) => {
    if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? all;
    const code = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code < 0xe000) ? String.fromCodePoint(code) : "\ufffd";
  });
const word = (c) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
const EMPH = { "**": "strong", __: "strong", "~~": "del", "*": "em", _: "em" };
const URL_AT = /https?:\/\/[^\s<>"`]+/y;
const AUTO_AT = /<(?:https?|mailto):[^\s<>]*>/iy;

/** Appends the inline content of `s` to `parent`; returns the parent. */
function inline(parent, s, depth, noLinks) {
  let text = "";
  const flush = () => text && (parent.append(decode(text)), (text = ""));
  // Memo per delimiter: [from, found]: the first valid closer at or after `from` is `found`.
  const memo = new Map();
  const find = (key, from, ok) => {
    const m = memo.get(key);
    if (m && m[0] <= from && (m[1] < 0 || m[1] >= from)) return m[1];
    let p = s.indexOf(key, from);
    while (p >= 0 && !ok(p)) p = s.indexOf(key, p + 1);
    memo.set(key, [from, p]);
    return p;
  };
  const nest = (tag, inner) => {
    flush();
    parent.append(depth < MAX_DEPTH ? inline(el(tag), inner, depth + 1, noLinks) : el(tag, inner));
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "\\" && i + 1 < s.length && /[!-/:-@[-`{-~]/.test(s[i + 1])) {
      text += s[i + 1];
      i += 2;
    } else if (c === "\n") {
      flush();
      parent.append(el("br"));
      i++;
    } else if (c === "`") {
      let n = 1;
      while (s[i + n] === "`") n++;
      const fence = "`".repeat(n);
      const end = find(fence, i + n, (p) => s[p - 1] !== "`" && s[p + n] !== "`");
      if (end < 0) {
        text += fence;
        i += n;
        continue;
      }
      let code = s.slice(i + n, end).replace(/\n/g, " ");
      if (code.length > 2 && code[0] === " " && code.at(-1) === " ") code = code.slice(1, -1);
      flush();
      parent.append(el("code", code));
      i = end + n;
    } else if (c === "*" || c === "_" || (c === "~" && s[i + 1] === "~")) {
      const run = s[i + 1] === c ? c + c : c;
      const n = run.length;
      const after = s[i + n];
      const opens = after !== undefined && !/\s/.test(after) && !(c === "_" && word(s[i - 1]));
      if (!opens) {
        text += run;
        i += n;
        continue;
      }
      let end = find(run, i + n, (p) => !/\s/.test(s[p - 1]) && (n === 2 || (s[p + 1] !== c && s[p - 1] !== c)) && !(c === "_" && word(s[p + n])));
      if (end >= 0 && n === 2) while (s[end + 2] === c) end++;
      if (end >= 0) {
        nest(EMPH[run], s.slice(i + n, end));
        i = end + n;
      } else if (!word(s[i - 1])) {
        nest(EMPH[run], s.slice(i + n)); // unclosed while streaming: to the end of the block
        i = s.length;
      } else {
        text += run;
        i += n;
      }
    } else if (!noLinks && (c === "[" || (c === "!" && s[i + 1] === "["))) {
      const open = c === "!" ? i + 1 : i;
      const close = find("]", open + 1, () => true);
      const target = close >= 0 && s[close + 1] === "(" ? destination(s, close + 2) : null;
      const label = s.slice(open + 1, close);
      const a = target && link(target.url, [inline(document.createDocumentFragment(), label || target.url, depth + 1, true)]);
      if (a) {
        if (target.title) a.title = target.title;
        flush();
        parent.append(a);
        i = target.end;
      } else {
        text += s.slice(i, open + 1);
        i = open + 1;
      }
    } else if (!noLinks && c === "<" && ((AUTO_AT.lastIndex = i), AUTO_AT.test(s))) {
      const end = AUTO_AT.lastIndex - 1;
      const url = s.slice(i + 1, end);
      const a = link(url, [url]);
      if (a) flush(), parent.append(a);
      else text += s.slice(i, end + 1);
      i = end + 1;
    } else if (!noLinks && c === "h" && !word(s[i - 1]) && ((URL_AT.lastIndex = i), URL_AT.test(s))) {
      let e = URL_AT.lastIndex;
      while (".,;:!?'\"*_~".includes(s[e - 1])) e--;
      let url = s.slice(i, e);
      while (url.endsWith(")") && url.split("(").length < url.split(")").length) url = url.slice(0, -1);
      const a = link(url, [url]);
      if (a) flush(), parent.append(a);
      else text += url;
      i += url.length;
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return parent;
}

/** `url "title")` from `at`: the URL (balanced parentheses kept), its title, and where it ends. */
function destination(s, at) {
  let i = at;
  while (s[i] === " ") i++;
  let depth = 0;
  const start = i;
  for (; i < s.length && !/\s/.test(s[i]); i++) {
    if (i - start > 2048) return null;
    if (s[i] === "(" && ++depth > 8) return null;
    else if (s[i] === ")" && depth-- === 0) break;
  }
  const url = s.slice(start, i).replace(/^<(.*)>$/, "$1");
  let title = "";
  while (s[i] === " ") i++;
  if (s[i] === '"') {
    const end = s.indexOf('"', i + 1);
    if (end < 0) return null;
    title = s.slice(i + 1, end);
    i = end + 1;
    while (s[i] === " ") i++;
  }
  return s[i] === ")" && url ? { url, title, end: i + 1 } : null;
}
