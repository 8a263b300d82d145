import { BadRequestError, PermissionDeniedError } from "./errors.ts";

// Ids allow up to 100 characters (Classic: [0-9a-zA-Z._:-]; AgentCore: no "." or ":"); a tag is
// "-" and 16 base64url characters, which every backend's ids allow.
const MAX_ID = 100;
const TAG = /^(.+)-([\w-]{16})$/;
const encoder = new TextEncoder();

/**
 * Session, memory and end-user ids belong to the caller that made them, without storage: every
 * such id a caller's request reaches AWS with ends in a tag derived (HMAC) from that caller's
 * name and the rest of the id. Ids the endpoint issues carry it; an id the caller names itself
 * is namespaced by appending it; an id tagged for another caller is a 403 before any AWS call.
 * The tag need not be secret: the endpoint, not the tag, decides, and it only ever sends ids
 * that bear the tag of the caller asking, so no caller can reach an id that bears another's.
 * The master key (the admin) has no scope and may use any id as it is.
 */
export class CallerScope {
  constructor(
    /** The caller's name (`api_keys[].name`); keys that share a name share their ids. undefined: the admin, whose ids are used as given. */
    readonly caller: string | undefined,
    /** Every other caller's name, to tell "another caller's id" from "a name of your own". */
    private readonly others: readonly string[],
    /** What new session ids begin with: the endpoint marks the deployment that started a session (router/sticky.ts). */
    readonly sessionPrefix = "",
  ) {}

  /** The same caller, its new session ids beginning with `prefix`. */
  withPrefix(prefix: string): CallerScope {
    return new CallerScope(this.caller, this.others, prefix);
  }

  /** A new id for this caller: a random one, tagged. */
  async issue(): Promise<string> {
    const base = this.sessionPrefix + crypto.randomUUID();
    return this.caller === undefined ? base : `${base}-${await tag(this.caller, base)}`;
  }

  /**
   * The id AWS gets for an id this caller presented as `param`: its own tagged id as it is, a
   * name of its own namespaced. `issued`: the id came out of a signed id the endpoint issued
   * (a tool call id), so it must already be this caller's.
   */
  async claim(id: string, param: string, options: { issued?: boolean } = {}): Promise<string> {
    if (this.caller === undefined) return id;
    const tagged = TAG.exec(id);
    if (tagged && (await tag(this.caller, tagged[1]!)) === tagged[2]) return id;
    const owners = tagged ? await Promise.all(this.others.map(async (name) => (await tag(name, tagged[1]!)) === tagged[2])) : [];
    if (options.issued || owners.includes(true)) {
      throw new PermissionDeniedError(`${param} belongs to another caller: this API key may not use it`, {
        param,
        code: "id_of_another_caller",
      });
    }
    const scoped = `${id}-${await tag(this.caller, id)}`;
    if (scoped.length > MAX_ID) {
      throw new BadRequestError(`${param} is too long: with an API key it may have at most ${MAX_ID - 17} characters`, {
        param,
        code: "invalid_session_id",
      });
    }
    return scoped;
  }
}

async function tag(caller: string, base: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(`bedrock-agents-openai caller\n${caller}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(base)), 0, 12);
  let binary = "";
  for (const byte of mac) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_");
}
