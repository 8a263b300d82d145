// Signing: warm aws4fetch clients per key and region, and one refresh of credentials AWS rejects.
import { AwsClient } from "aws4fetch";
import { AuthenticationError } from "../errors.ts";
import type { ResolvedCredentials } from "./credential-cache.ts";
import type { Credentials } from "./credentials.ts";
import type { CallSignals } from "./retry.ts";

// What AWS says of credentials it no longer takes (expired early, revoked): worth one refresh.
const REJECTED_CREDENTIALS = new Set([
  "ExpiredTokenException",
  "ExpiredToken",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "InvalidSignatureException",
]);

// Signing keys are derived per secret, day and region; a warm AwsClient keeps them cached.
const MAX_SIGNERS = 64;

/** aws4fetch clients by credentials, service and region, kept warm across calls. */
export class Signers {
  private readonly signers = new Map<string, AwsClient>();

  get(credentials: Credentials, service: string, region: string): AwsClient {
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    const key = [accessKeyId, secretAccessKey, sessionToken, service, region].join("\n");
    let signer = this.signers.get(key);
    if (!signer) {
      if (this.signers.size >= MAX_SIGNERS) this.signers.clear();
      // Retries are ours, not aws4fetch's.
      signer = new AwsClient({ accessKeyId, secretAccessKey, sessionToken, service, region, retries: 0 });
      this.signers.set(key, signer);
    }
    return signer;
  }
}

/**
 * A call to AWS; when AWS rejects temporary credentials, one refresh and one more try. A second
 * rejection is the answer: no loop.
 */
export async function sendWithRefresh<T, C>(
  send: (context: C) => Promise<T>,
  resolved: ResolvedCredentials,
  context: (credentials: Credentials) => C,
  signals: CallSignals,
): Promise<T> {
  try {
    return await send(context(resolved.credentials));
  } catch (error) {
    const rejected = error instanceof AuthenticationError && REJECTED_CREDENTIALS.has(error.awsCode ?? "");
    if (!rejected || !resolved.refresh) throw error;
    return send(context(await signals.until(resolved.refresh())));
  }
}
