// Ids that carry what continuing a conversation needs (a session, a tool call's invocation),
// signed, so that no storage is needed anywhere (a Worker has none) and a forged or garbled id is
// refused before any call to AWS. One mechanism for tool call ids and response ids alike.
import { bytesToBase64url } from "./aws/base64.ts";
import type { CredentialSource } from "./aws/credentials.ts";
import { BadRequestError } from "./errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_ID = 2000;

/** Where ids are issued for: the secret that keys them, and the agent they are bound to. */
export interface IdContext {
  /** The secret, asked for only when an id is made or checked (see idSecret in signed-ids.ts). */
  secret: string | (() => Promise<string>);
  /** The agent: an id issued for one is no good for another. */
  agent: string;
}

/**
 * Signs and opens ids of one kind: `{prefix}{payload}.{mac}`, the payload a JSON list of
 * strings in base64url, the MAC an HMAC-SHA-256 (128 bits) keyed by the secret and the kind, over
 * the agent and the payload, so an id of one kind is no good as another.
 */
export class SignedIds {
  #key: Promise<CryptoKey> | undefined;

  readonly #context: IdContext;
  /** The kind, in the key: "tool call id", "response id". */
  readonly #kind: string;
  readonly #prefix: string;

  constructor(context: IdContext, kind: string, prefix: string) {
    this.#context = context;
    this.#kind = kind;
    this.#prefix = prefix;
  }

  async sign(fields: string[]): Promise<string> {
    const payload = bytesToBase64url(encoder.encode(JSON.stringify(fields)));
    return `${this.#prefix}${payload}.${bytesToBase64url(await this.#mac(payload))}`;
  }

  /** Makes the key now, so that a secret that cannot be had fails the call before anything else is done. */
  async ready(): Promise<void> {
    await this.#keyOf();
  }

  /** The fields of an id this issued with `count` fields (or one of `count`); a 400 naming `param` otherwise. */
  async open(id: unknown, count: number | readonly number[], param: string): Promise<string[]> {
    const invalid = () =>
      new BadRequestError(`${param} is not a ${this.#kind} this agent issued (forged, garbled or for another model)`, {
        param,
        code: `invalid_${this.#kind.replace(/ /g, "_")}`,
      });
    if (typeof id !== "string" || !id.startsWith(this.#prefix) || id.length > MAX_ID) throw invalid();
    const [payload, mac, extra] = id.slice(this.#prefix.length).split(".");
    if (!payload || !mac || extra !== undefined) throw invalid();
    if (!sameText(mac, bytesToBase64url(await this.#mac(payload)))) throw invalid();
    let fields: unknown;
    try {
      fields = JSON.parse(decoder.decode(fromBase64url(payload)));
    } catch {
      throw invalid();
    }
    const counts = typeof count === "number" ? [count] : count;
    if (!Array.isArray(fields) || !counts.includes(fields.length) || !fields.every((f) => typeof f === "string")) throw invalid();
    return fields as string[];
  }

  #keyOf(): Promise<CryptoKey> {
    this.#key ??= (async () => {
      const { secret } = this.#context;
      const material = encoder.encode(`bedrock-agents-openai ${this.#kind}\n${typeof secret === "string" ? secret : await secret()}`);
      return crypto.subtle.importKey("raw", material, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    })();
    return this.#key;
  }

  async #mac(payload: string): Promise<Uint8Array> {
    const signature = await crypto.subtle.sign("HMAC", await this.#keyOf(), encoder.encode(`${this.#context.agent}\n${payload}`));
    return new Uint8Array(signature).subarray(0, 16);
  }
}

// Compared in full whatever the first difference, so timing tells nothing about the MAC.
function sameText(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * The secret ids are signed with, when no `id_secret` is set: something that outlives a credential refresh,
 * since a tool result or a previous response id may come back after one. Never an assumed role's temporary secret key.
 * - Static keys, or the keys a role is assumed with: that long-term secret key.
 * - Web identity (no long-term secret anywhere): the role ARN and session name. Not secret, so
 *   such ids still resist garbling and reuse for another agent, but not deliberate forgery;
 *   a forged id can name only what a caller could send as `session_id` anyway.
 */
export function idSecret(source: CredentialSource): string {
  if (source.kind === "static") return source.credentials.secretAccessKey;
  if (source.kind === "assume-role") return idSecret(source.base);
  return `web identity\n${source.role.roleArn}\n${source.role.sessionName}`;
}
