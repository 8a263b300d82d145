import type { CredentialSource } from "../../aws/credentials.ts";
import { BadRequestError } from "../../errors.ts";

/**
 * What a tool call id carries, so a stock OpenAI client that sends back only messages
 * continues the right agent session with the right invocation: the session, the
 * returnControl invocation, and which action it called.
 */
export interface ToolCallRef {
  sessionId: string;
  invocationId: string;
  actionGroup: string;
  /** Function action groups. */
  function?: string;
  /** API-schema action groups. */
  apiPath?: string;
  httpMethod?: string;
  /** Set when a collaborator agent asked for the call. */
  agentId?: string;
}

const PREFIX = "call_";
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The secret tool call ids are signed with: something that outlives a credential refresh,
 * since a tool result may come back after one. Never an assumed role's temporary secret key.
 * - Static keys, or the keys a role is assumed with: that long-term secret key.
 * - Web identity (no long-term secret anywhere): the role ARN and session name. Not secret, so
 *   such ids still resist garbling and reuse for another agent, but not deliberate forgery;
 *   a forged id can name only what a caller could send as `session_id` anyway.
 */
export function toolCallSecret(source: CredentialSource): string {
  if (source.kind === "static") return source.credentials.secretAccessKey;
  if (source.kind === "assume-role") return toolCallSecret(source.base);
  return `web identity\n${source.role.roleArn}\n${source.role.sessionName}`;
}

/**
 * Signs and checks tool call ids with a key derived from a secret (see toolCallSecret) and
 * bound to the agent, so a forged or garbled id is refused before any call to AWS is made.
 */
export class ToolCallIds {
  private key: Promise<CryptoKey> | undefined;

  constructor(
    /** Or a function giving it, called only when an id is made or checked. */
    private readonly secret: string | (() => Promise<string>),
    /** `agentId/aliasId`: an id issued for one agent is no good for another. */
    private readonly agent: string,
  ) {}

  async encode(ref: ToolCallRef): Promise<string> {
    const fields = [ref.sessionId, ref.invocationId, ref.actionGroup, ref.function, ref.apiPath, ref.httpMethod, ref.agentId];
    const payload = base64url(encoder.encode(JSON.stringify(fields.map((f) => f ?? ""))));
    return `${PREFIX}${payload}.${base64url(await this.mac(payload))}`;
  }

  /** The reference in a tool call id; a 400 naming `param` when it is not one we issued for this agent. */
  async decode(id: unknown, param: string): Promise<ToolCallRef> {
    const invalid = () =>
      new BadRequestError(`${param} is not a tool call id this agent issued (forged, garbled or for another model)`, {
        param,
        code: "invalid_tool_call_id",
      });
    if (typeof id !== "string" || !id.startsWith(PREFIX) || id.length > 2000) throw invalid();
    const [payload, mac, extra] = id.slice(PREFIX.length).split(".");
    if (!payload || !mac || extra !== undefined) throw invalid();
    const expected = base64url(await this.mac(payload));
    if (!sameText(mac, expected)) throw invalid();
    let fields: unknown;
    try {
      fields = JSON.parse(decoder.decode(fromBase64url(payload)));
    } catch {
      throw invalid();
    }
    if (!Array.isArray(fields) || fields.length !== 7 || !fields.every((f) => typeof f === "string")) throw invalid();
    const [sessionId, invocationId, actionGroup, fn, apiPath, httpMethod, agentId] = fields as string[];
    const ref: ToolCallRef = { sessionId: sessionId!, invocationId: invocationId!, actionGroup: actionGroup! };
    if (fn) ref.function = fn;
    if (apiPath) ref.apiPath = apiPath;
    if (httpMethod) ref.httpMethod = httpMethod;
    if (agentId) ref.agentId = agentId;
    return ref;
  }

  private async mac(payload: string): Promise<Uint8Array> {
    this.key ??= (async () => {
      const secret = typeof this.secret === "string" ? this.secret : await this.secret();
      const material = encoder.encode(`bedrock-agents-openai tool call id\n${secret}`);
      return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    })();
    const signature = await crypto.subtle.sign("HMAC", await this.key, encoder.encode(`${this.agent}\n${payload}`));
    return new Uint8Array(signature).subarray(0, 16);
  }
}

// Compared in full whatever the first difference, so timing tells nothing about the MAC.
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
