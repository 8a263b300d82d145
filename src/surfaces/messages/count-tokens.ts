// Anthropic's count_tokens, estimated: nothing here runs a tokenizer, and the agent adds its own
// instructions and tools, which no caller can count. Claude Code and other Anthropic tools call it
// to size their context; an estimate of the request's own input is what they can use.
import { BadRequestError } from "../../errors.ts";

/** About 4 characters a token for English text and JSON, Anthropic's and OpenAI's rule of thumb. */
const CHARS_PER_TOKEN = 4;
/** Anthropic's cap for an image (about 1.15 megapixels: width × height / 750). */
const IMAGE_TOKENS = 1600;
/** A PDF page is read as text and as an image: Anthropic quotes 1,500 to 3,000 tokens a page. */
const PDF_PAGE_TOKENS = 2000;
/** Each message's role and separators. */
const MESSAGE_TOKENS = 4;

/** `{input_tokens}` for a count_tokens request: `messages` is required, as Anthropic requires it. */
export function estimateInputTokens(body: Record<string, unknown>): number {
  const messages = body.messages;
  if (!Array.isArray(messages)) {
    throw new BadRequestError("messages: a list of messages is required", { param: "messages", code: "invalid_messages" });
  }
  const tally = { chars: 0, tokens: 0 };
  countContent(body.system, tally);
  for (const message of messages) {
    tally.tokens += MESSAGE_TOKENS;
    if (message && typeof message === "object") countContent((message as { content?: unknown }).content, tally);
  }
  if (Array.isArray(body.tools)) tally.chars += JSON.stringify(body.tools).length;
  if (body.tool_choice !== undefined) tally.chars += JSON.stringify(body.tool_choice).length;
  return tally.tokens + Math.ceil(tally.chars / CHARS_PER_TOKEN);
}

function countContent(content: unknown, tally: { chars: number; tokens: number }): void {
  if (typeof content === "string") tally.chars += content.length;
  else if (Array.isArray(content)) for (const block of content) countBlock(block, tally);
}

function countBlock(block: unknown, tally: { chars: number; tokens: number }): void {
  if (!block || typeof block !== "object") return;
  const b = block as Record<string, unknown>;
  switch (b.type) {
    case "text":
      tally.chars += String(b.text ?? "").length;
      return;
    case "thinking":
      tally.chars += String(b.thinking ?? "").length;
      return;
    case "image":
      tally.tokens += IMAGE_TOKENS;
      return;
    case "document":
      countDocument(b, tally);
      return;
    case "tool_use":
    case "server_tool_use":
      tally.chars += String(b.name ?? "").length + JSON.stringify(b.input ?? {}).length;
      return;
    case "tool_result":
      countContent(b.content, tally);
      return;
    default:
      // Other blocks (search results, redacted thinking, ...) as the JSON they are.
      tally.chars += JSON.stringify(b).length;
  }
}

function countDocument(document: Record<string, unknown>, tally: { chars: number; tokens: number }): void {
  const source = (document.source ?? {}) as Record<string, unknown>;
  if (source.type === "text") tally.chars += String(source.data ?? "").length;
  else if (source.type === "content") countContent(source.content, tally);
  else if (source.type === "base64" && typeof source.data === "string") tally.tokens += pdfPages(source.data) * PDF_PAGE_TOKENS;
  else tally.tokens += PDF_PAGE_TOKENS; // a URL or a file id: one page, as nothing here fetches it
}

/** The pages a base64 PDF declares (`/Type /Page` objects), at least one. */
function pdfPages(base64: string): number {
  let text: string;
  try {
    text = atob(base64);
  } catch {
    return 1;
  }
  return Math.max(1, text.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0);
}
