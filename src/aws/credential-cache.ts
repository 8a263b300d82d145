// Resolves a credential source to credentials, keeping temporary ones until shortly before they
// expire. Requests that need the same credentials at the same time share one STS call.
import type { CredentialSource, Credentials, ResolvedCredentials, RoleRequest } from "./credentials.ts";
import { ConfigurationError } from "../errors.ts";
import type { AwsFileReader } from "./profile.ts";
import { assumeRole, assumeRoleWithWebIdentity } from "./sts.ts";

/** Credentials this close to their expiry are refreshed before use. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
// Distinct roles and identities held at once; the oldest goes first.
const MAX_ENTRIES = 256;

export interface ResolveContext {
  fetch: typeof fetch;
  reader: AwsFileReader | undefined;
}

interface Entry {
  value?: Credentials;
  /** The refresh under way, which every request for this entry waits on. */
  pending?: Promise<Credentials>;
}

export class CredentialCache {
  readonly #entries = new Map<string, Entry>();

  async resolve(source: CredentialSource, context: ResolveContext): Promise<ResolvedCredentials> {
    if (source.kind === "static") return { credentials: source.credentials };
    if (source.kind === "assume-role") {
      const base = (await this.resolve(source.base, context)).credentials;
      // Keyed by the whole base identity (a digest), so a caller with another secret never gets these.
      const key = await cacheKey(source.role, "AssumeRole", base.accessKeyId, base.secretAccessKey, base.sessionToken);
      return this.#cached(key, () => assumeRole(source.role, base, context.fetch));
    }
    const { token } = source;
    if ("value" in token) {
      const key = await cacheKey(source.role, "AssumeRoleWithWebIdentity", token.value);
      return this.#cached(key, () => assumeRoleWithWebIdentity(source.role, token.value, context.fetch));
    }
    // A token file is read when STS is called, not per request: it rotates, its path does not.
    const key = await cacheKey(source.role, "AssumeRoleWithWebIdentity file", token.file);
    return this.#cached(key, async () =>
      assumeRoleWithWebIdentity(source.role, await readToken(token.file, context.reader), context.fetch),
    );
  }

  async #cached(key: string, load: () => Promise<Credentials>): Promise<ResolvedCredentials> {
    const credentials = await this.#get(key, load);
    return { credentials, refresh: () => this.#get(key, load, credentials) };
  }

  /** The entry's credentials while fresh (and not `rejected`), else the one refresh under way. */
  #get(key: string, load: () => Promise<Credentials>, rejected?: Credentials): Promise<Credentials> {
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      entry = {};
      this.#entries.set(key, entry);
    }
    if (entry.pending) return entry.pending;
    const value = entry.value;
    if (value && value !== rejected && (value.expiration ?? Infinity) - Date.now() > REFRESH_BEFORE_EXPIRY_MS) {
      return Promise.resolve(value);
    }
    const current = entry;
    const pending = Promise.resolve()
      .then(load)
      .then((credentials) => (current.value = credentials))
      .finally(() => {
        current.pending = undefined;
      });
    current.pending = pending;
    return pending;
  }
}

async function readToken(path: string, reader: AwsFileReader | undefined): Promise<string> {
  if (!reader || globalThis.BEDROCK_AGENTS_WORKER) {
    throw new ConfigurationError(
      "AWS_WEB_IDENTITY_TOKEN_FILE needs file access, which the Node server has; in this runtime pass the token as aws_web_identity_token",
      { code: "token_file_unsupported" },
    );
  }
  let token: string;
  try {
    token = (await reader.webIdentityToken(path)).trim();
  } catch (error) {
    throw new ConfigurationError(`Could not read the web identity token file ${path}: ${(error as Error).message}`, {
      code: "token_file_unreadable",
      cause: error,
    });
  }
  if (!token) throw new ConfigurationError(`The web identity token file ${path} is empty`, { code: "token_file_unreadable" });
  return token;
}

const encoder = new TextEncoder();

/** The role, STS, and a SHA-256 of the identity and external id: no secret is kept in a key. */
async function cacheKey(role: RoleRequest, ...identity: Array<string | undefined>): Promise<string> {
  const secret = [role.externalId, ...identity].map((part) => part ?? "").join("\n");
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(secret));
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
  return [role.roleArn, role.sessionName, role.durationSeconds ?? "", role.endpoint, role.region, hex].join("\n");
}
