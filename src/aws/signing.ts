// Signing: warm signers per key and region, and one refresh of credentials AWS rejects.
import { AwsV4Signer } from "aws4fetch";
import { AuthenticationError } from "../errors.ts";
import type { Credentials, ResolvedCredentials } from "./credentials.ts";
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

/** SHA-256 and HMAC-SHA-256 done synchronously, where the runtime has them (node:crypto). */
export interface SyncCrypto {
  createHash(algorithm: "sha256"): { update(data: string | BodyInit): { digest(encoding: "hex"): string } };
  createHmac(algorithm: "sha256", key: string | Uint8Array): { update(data: string): { digest(): Uint8Array; digest(encoding: "hex"): string } };
}

// Node, Bun and workerd with nodejs_compat offer node:crypto: there a signature costs no WebCrypto
// round trips (key imports, promises, and under Node a thread-pool job for each digest). Elsewhere
// aws4fetch signs with WebCrypto as it always does.
const syncCrypto = globalThis.BEDROCK_AGENTS_WORKER ? undefined : (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as
  | SyncCrypto
  | undefined;

/** aws4fetch's canonical request, hashed and signed with node:crypto. */
export class SyncV4Signer extends AwsV4Signer {
  readonly #crypto: SyncCrypto;
  readonly #keys: Map<string, Uint8Array>;

  constructor(
    init: ConstructorParameters<typeof AwsV4Signer>[0],
    crypto: SyncCrypto,
    keys: Map<string, Uint8Array>,
  ) {
    super(init);
    this.#crypto = crypto;
    this.#keys = keys;
  }

  override async hexBodyHash(): Promise<string> {
    return this.#crypto.createHash("sha256").update((this.body ?? "") as string).digest("hex");
  }

  override async stringToSign(): Promise<string> {
    const canonical = this.#crypto.createHash("sha256").update(await this.canonicalString()).digest("hex");
    return ["AWS4-HMAC-SHA256", this.datetime, this.credentialString, canonical].join("\n");
  }

  override async signature(): Promise<string> {
    const date = this.datetime.slice(0, 8);
    const cacheKey = [this.secretAccessKey, date, this.region, this.service].join();
    let key = this.#keys.get(cacheKey);
    if (!key) {
      const hmac = (k: string | Uint8Array, data: string) => this.#crypto.createHmac("sha256", k).update(data).digest();
      key = hmac(hmac(hmac(hmac(`AWS4${this.secretAccessKey}`, date), this.region), this.service), "aws4_request");
      if (this.#keys.size >= 4) this.#keys.clear(); // a key a day
      this.#keys.set(cacheKey, key);
    }
    return this.#crypto.createHmac("sha256", key).update(await this.stringToSign()).digest("hex");
  }
}

/**
 * SigV4 for one set of credentials, service and region (aws4fetch's signer). It gives the signed
 * headers only, so the request is built once, by fetch.
 */
export class Signer {
  // Derived signing keys, by secret, day, region and service (aws4fetch's cache, or ours).
  readonly #cache = new Map<string, ArrayBuffer>();
  readonly #keys = new Map<string, Uint8Array>();

  readonly #credentials: Credentials;
  readonly #service: string;
  readonly #region: string;

  constructor(credentials: Credentials, service: string, region: string) {
    this.#credentials = credentials;
    this.#service = service;
    this.#region = region;
  }

  async sign(url: string, init: SignedInit): Promise<Headers> {
    const { accessKeyId, secretAccessKey, sessionToken } = this.#credentials;
    const options = { ...init, url, accessKeyId, secretAccessKey, sessionToken, service: this.#service, region: this.#region, cache: this.#cache };
    const signer = syncCrypto && !globalThis.BEDROCK_AGENTS_WORKER ? new SyncV4Signer(options, syncCrypto, this.#keys) : new AwsV4Signer(options);
    return (await signer.sign()).headers;
  }

  /** What AWS must never be quoted with, should it echo the request: the secret key and the session token. */
  secrets(): Array<string | undefined> {
    return [this.#credentials.secretAccessKey, this.#credentials.sessionToken];
  }
}

/** Signers by credentials, service and region, kept warm across calls. */
export class Signers {
  readonly #signers = new Map<string, Signer>();

  get(credentials: Credentials, service: string, region: string): Signer {
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    const key = [accessKeyId, secretAccessKey, sessionToken, service, region].join("\n");
    let signer = this.#signers.get(key);
    if (!signer) {
      if (this.#signers.size >= MAX_SIGNERS) this.#signers.clear();
      signer = new Signer({ accessKeyId, secretAccessKey, sessionToken }, service, region);
      this.#signers.set(key, signer);
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
