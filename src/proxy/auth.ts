import { CallerScope } from "../caller-scope.ts";
import type { ApiKey } from "./config.ts";

const encoder = new TextEncoder();

/**
 * Compares two secrets in constant time: both are hashed first, so neither the length nor
 * the position of the first difference shows in the timing.
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

/**
 * Why no key was found, and how to send one: a header without the `Bearer` scheme is told so
 * (never quoted: it may be the key itself), a missing one is told it is missing.
 */
export function missingKeyMessage(authorization: string | undefined): string {
  // Neither "Authorization: ..." nor "Bearer <word>": the scrubber (scrub.ts) redacts what follows those.
  const how = "send it in the Authorization header, after 'Bearer' and a space (or as the x-api-key header)";
  const header = authorization?.trim() ?? "";
  if (header === "") return `Missing API key: ${how}`;
  if (/^bearer$/i.test(header)) return `Missing API key after 'Bearer': ${how}`;
  const scheme = /^([A-Za-z][\w-]{0,19})\s+\S/.exec(header)?.[1];
  if (scheme === undefined) return `The Authorization header lacks the 'Bearer ' before the key: ${how}`;
  if (/^bearer$/i.test(scheme)) return `The Authorization header must hold 'Bearer' and one key without spaces: ${how}`;
  return `The Authorization header uses the ${scheme} scheme, which this endpoint does not take: ${how}`;
}

/** Who is calling: the master key may use every model, an API key its own list. */
export interface Caller {
  name: string;
  /** undefined: every model. */
  models: Set<string> | undefined;
  /** The master key: every model, every session, the metrics. */
  admin: boolean;
  /** The session and memory ids this caller may reach; undefined for the master key (the admin). */
  scope: CallerScope | undefined;
  /** The API key's entry (its limits); undefined for the master key. */
  key?: ApiKey;
}

/**
 * The caller a bearer token identifies, or undefined. Every stored hash is compared in
 * constant time, and all of them are, so timing tells nothing about which one matched.
 */
export async function identify(token: string, masterKey: string | undefined, apiKeys: ApiKey[]): Promise<Caller | undefined> {
  let caller: Caller | undefined;
  if (masterKey !== undefined && (await secretsEqual(token, masterKey))) {
    caller = { name: "master key", models: undefined, admin: true, scope: undefined };
  }
  const hash = hex(await digest(token));
  for (const key of apiKeys) {
    if (sameHex(hash, key.sha256) && !caller) {
      const others = [...new Set(apiKeys.map((k) => k.name))].filter((name) => name !== key.name);
      caller = { name: key.name, models: new Set(key.models), admin: false, scope: new CallerScope(key.name, others), key };
    }
  }
  return caller;
}

/** SHA-256 of a key in hex, as `api_keys[].key_sha256` stores it. */
export async function hashKey(key: string): Promise<string> {
  return hex(await digest(key));
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function sameHex(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
