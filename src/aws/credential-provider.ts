// Where a build's credentials come from: every kind (keys, profiles, assumed roles, web identity)
// for the main entry; keys alone for a narrow build, which then carries no STS and no profiles.
import { CredentialCache, type ResolveContext } from "./credential-cache.ts";
import { credentialSource } from "./credential-source.ts";
import type { CredentialSource, ResolvedCredentials } from "./credentials.ts";

export interface CredentialProvider {
  /** Decides where a call's credentials come from. */
  source: typeof credentialSource;
  /** Credentials for that source (temporary ones cached, shared by every call). */
  resolve(source: CredentialSource, context: ResolveContext): Promise<ResolvedCredentials>;
}

/** Every kind of credentials, with one cache of temporary ones for the client it serves. */
export function allCredentials(): CredentialProvider {
  const cache = new CredentialCache();
  return { source: credentialSource, resolve: (source, context) => cache.resolve(source, context) };
}
