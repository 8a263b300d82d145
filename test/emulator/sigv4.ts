// SigV4 verification as AWS does it, with @smithy/signature-v4 as the reference signer: rebuild
// the request from what arrived (raw wire path, only the signed headers, the body), sign it with
// the same date and scope, compare. Failures carry the codes and messages AWS uses.
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { SIGNING_SERVICE, type EmulatorCredential } from "./credentials.ts";

export interface AuthFailure {
  errorType: string;
  message: string;
}

export interface ArrivedRequest {
  method: string;
  /** The path exactly as on the wire (still percent-encoded). */
  rawPath: string;
  rawQuery: string;
  /** Lower-cased names; repeated headers keep every value. */
  headers: Record<string, string[]>;
  body: Uint8Array;
}

export interface VerifyOptions {
  credentials: readonly EmulatorCredential[];
  /** When set, the credential scope must name this region. */
  region?: string;
  maxSkewMs: number;
  now: () => number;
  /** The signing name to require; `bedrock` (InvokeAgent) by default. */
  service?: string;
}

const MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

type Bytes = string | ArrayBuffer | ArrayBufferView;
function toBuffer(data: Bytes): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The hash constructor the signer wants (SHA-256, or HMAC-SHA256 when given a key). */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: Bytes) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** 20240102T030405Z ↔ Date. */
function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function parseQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? "" : decodeURIComponent(pair.slice(eq + 1));
    const prior = query[key];
    query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return query;
}

function authParams(header: string): Record<string, string> | undefined {
  const m = /^AWS4-HMAC-SHA256\s+(.+)$/s.exec(header.trim());
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const part of m[1]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) params[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return params;
}

/** The first comma-separated part of the header's parameters that has no `=`, if any. */
function unpairedPart(header: string): string | undefined {
  const parts = header.trim().replace(/^AWS4-HMAC-SHA256\s+/, "").split(",");
  return parts.map((part) => part.trim()).find((part) => part !== "" && !part.includes("="));
}

const invalid = (message: string): AuthFailure => ({ errorType: "InvalidSignatureException", message });
const incomplete = (message: string): AuthFailure => ({ errorType: "IncompleteSignatureException", message });
const unrecognized = (): AuthFailure => ({
  errorType: "UnrecognizedClientException",
  message: "The security token included in the request is invalid.",
});

/** Undefined when the request is correctly signed by a known credential; else why not. */
export async function verifySigV4(req: ArrivedRequest, options: VerifyOptions): Promise<AuthFailure | undefined> {
  const header = (name: string): string | undefined => req.headers[name]?.join(",");
  const authorization = header("authorization");
  if (!authorization) return { errorType: "MissingAuthenticationTokenException", message: "Missing Authentication Token" };
  const params = authParams(authorization);
  if (!params) return incomplete(`Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=${authorization}`);
  const unpaired = unpairedPart(authorization);
  if (unpaired !== undefined) {
    // AWS's words, quoting the whole header: signature and key id included.
    return incomplete(`'${unpaired}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`);
  }
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!params[name]) return incomplete(`Authorization header requires '${name}' parameter. Authorization=${authorization}`);
  }
  const credential = params.Credential!;
  const scope = credential.split("/");
  if (scope.length !== 5) {
    return incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const [accessKeyId, scopeDate, region, service, terminator] = scope as [string, string, string, string, string];
  const known = options.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!known) return unrecognized();

  const amzDate = header("x-amz-date");
  if (!amzDate) {
    return incomplete(`Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`);
  }
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate) return incomplete(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  if (scopeDate !== amzDate.slice(0, 8)) {
    return invalid(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  const expectedService = options.service ?? SIGNING_SERVICE;
  if (service !== expectedService) return invalid(`Credential should be scoped to correct service: '${expectedService}'. `);
  if (terminator !== "aws4_request") return invalid(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
  if (options.region && region !== options.region) return invalid("Credential should be scoped to a valid region. ");

  const now = options.now();
  if (signingDate.getTime() < now - options.maxSkewMs) {
    return invalid(`Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - options.maxSkewMs)} (${formatAmzDate(now)} - 5 min.)`);
  }
  if (signingDate.getTime() > now + options.maxSkewMs) {
    return invalid(`Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + options.maxSkewMs)} (${formatAmzDate(now)} + 5 min.)`);
  }

  const signedHeaders = params.SignedHeaders!.split(";");
  if (!signedHeaders.includes("host")) return invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  if (known.expiresAt !== undefined && now >= known.expiresAt) {
    return { errorType: "ExpiredTokenException", message: "The security token included in the request is expired" };
  }

  // Temporary credentials: the token must match and be signed; long-term keys take no token.
  const token = header("x-amz-security-token");
  if (known.sessionToken !== undefined) {
    if (token !== known.sessionToken) return unrecognized();
    if (!signedHeaders.includes("x-amz-security-token")) return invalid(`${MISMATCH} (x-amz-security-token must be a signed header)`);
  } else if (token !== undefined) {
    return unrecognized();
  }

  // A declared payload hash must be the body's (non-S3 services sign the real body).
  const bodyHash = createHash("sha256").update(req.body).digest("hex");
  const declaredHash = header("x-amz-content-sha256");
  if (declaredHash !== undefined && declaredHash !== bodyHash) return invalid(MISMATCH);

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = header(name);
    if (value === undefined) return invalid(MISMATCH);
    headers[name] = value;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: known.secretAccessKey, sessionToken: known.sessionToken },
    region,
    service,
    sha256: NodeSha256,
    applyChecksum: false, // never add x-amz-content-sha256 on our side
    uriEscapePath: true, // non-S3: the canonical path is the wire path encoded once more
  });
  const hostHeader = headers.host ?? "";
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: "http:",
      hostname: hostHeader.replace(/:\d+$/, ""),
      path: req.rawPath,
      query: parseQuery(req.rawQuery),
      headers,
      body: req.body,
    }),
    { signingDate, signableHeaders: new Set(signedHeaders) },
  );
  const expected = String(signed.headers.authorization ?? "");
  const expectedParams = authParams(expected);
  if (expectedParams?.SignedHeaders !== params.SignedHeaders || expectedParams?.Signature !== params.Signature) {
    return invalid(MISMATCH);
  }
  return undefined;
}
