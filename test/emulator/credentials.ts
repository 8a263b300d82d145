// Credentials the emulator accepts by default. Pure (no `node:`), so tests running inside
// workerd can import them too. The values are fake and only mean something to the emulator.

export interface EmulatorCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary (STS-style) credentials: must arrive in the signed x-amz-security-token header. */
  sessionToken?: string;
  /** When set (ms since epoch), requests signed from then on get ExpiredTokenException. */
  expiresAt?: number;
}

/** A long-term key pair, like an IAM user's. */
export const STATIC_CREDENTIALS = {
  accessKeyId: "AKIAEMULATOR0EXAMPLE",
  secretAccessKey: "emulator/secret/key/EXAMPLEKEY0123456789",
} as const satisfies EmulatorCredential;

/** Temporary credentials (ASIA prefix, as STS issues them) with their session token. */
export const TEMPORARY_CREDENTIALS = {
  accessKeyId: "ASIAEMULATOR0EXAMPLE",
  secretAccessKey: "emulator/temporary/secret/EXAMPLEKEY0123",
  sessionToken:
    "IQoJb3JpZ2luX2VjEmulatorSessionToken//////////wEaCXVzLWVhc3QtMSJHMEUCIQDemoOnlyEXAMPLE=",
} as const satisfies EmulatorCredential;

export const DEFAULT_CREDENTIALS: readonly EmulatorCredential[] = [STATIC_CREDENTIALS, TEMPORARY_CREDENTIALS];

/** The SigV4 signing name of Agents for Amazon Bedrock Runtime (not "bedrock-agent-runtime"). */
export const SIGNING_SERVICE = "bedrock";

/** A region clients may sign for; the emulator accepts any region unless told otherwise. */
export const EMULATOR_REGION = "us-east-1";

/** OIDC tokens the STS emulator's AssumeRoleWithWebIdentity accepts (any other: InvalidIdentityToken). */
export const WEB_IDENTITY_TOKENS = [
  "eyJhbGciOiJSUzI1NiIsImtpZCI6ImVtdWxhdG9yIn0.eyJzdWIiOiJyZXBvOmV4YW1wbGUvYWdlbnQiLCJhdWQiOiJzdHMuYW1hem9uYXdzLmNvbSIsImlzcyI6Imh0dHBzOi8vdG9rZW4uZW11bGF0b3IuZXhhbXBsZSJ9.ZW11bGF0b3Itc2lnbmF0dXJl",
  "eyJhbGciOiJSUzI1NiIsImtpZCI6ImVtdWxhdG9yIn0.eyJzdWIiOiJyZXBvOmV4YW1wbGUvcm90YXRlZCIsImF1ZCI6InN0cy5hbWF6b25hd3MuY29tIiwiaXNzIjoiaHR0cHM6Ly90b2tlbi5lbXVsYXRvci5leGFtcGxlIn0.cm90YXRlZC1zaWduYXR1cmU",
] as const;
export const WEB_IDENTITY_TOKEN = WEB_IDENTITY_TOKENS[0];
