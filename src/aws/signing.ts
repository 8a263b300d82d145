// Signing: warm signers per key and region, and one refresh of credentials AWS rejects.
import { AwsV4Signer } from "aws4fetch";
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

// Signing keys are derived per secret, day and region; a warm signer keeps them cached.
const MAX_SIGNERS = 64;

/** What a request is signed over. */
export interface SignedInit {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * SigV4 for one set of credentials, service and region (aws4fetch's signer). It gives the signed
 * headers only, so the request is built once, by fetch.
 */
export class Signer {
  // aws4fetch's cache of derived signing keys, by secret, day, region and service.
  private readonly cache = new Map<string, ArrayBuffer>();

  constructor(
    private readonly credentials: Credentials,
    readonly service: string,
    readonly region: string,
  ) {}

  async sign(url: string, init: SignedInit): Promise<Headers> {
    const { accessKeyId, secretAccessKey, sessionToken } = this.credentials;
    const { service, region, cache } = this;
    const signer = new AwsV4Signer({ ...init, url, accessKeyId, secretAccessKey, sessionToken, service, region, cache });
    return (await signer.sign()).headers;
  }
}

/** Signers by credentials, service and region, kept warm across calls. */
export class Signers {
  private readonly signers = new Map<string, Signer>();

  get(credentials: Credentials, service: string, region: string): Signer {
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    const key = [accessKeyId, secretAccessKey, sessionToken, service, region].join("\n");
    let signer = this.signers.get(key);
    if (!signer) {
      if (this.signers.size >= MAX_SIGNERS) this.signers.clear();
      signer = new Signer({ accessKeyId, secretAccessKey, sessionToken }, service, region);
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
