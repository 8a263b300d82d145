// What AWS echoes of a signed request, cut before any message keeps it. AWS's error messages
// quote the Authorization header (IncompleteSignatureException), the canonical request with the
// session token (InvalidSignatureException), key ids and ARNs; none of the secrets among them may
// reach a response, a log line or the library's caller.

const REDACTED = "[redacted]";

// In order: the header first, so that what it held is gone whole, then its pieces wherever else they appear.
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // "Authorization=AWS4-HMAC-SHA256 Credential=...", "in Authorization header: 'AWS4-HMAC-SHA256 ...'",
  // "Authorization header (hashed with SHA-256 and encoded with Base64): '...'": the value, to its quote's end or the line's.
  [/(\bAuthorization(?: header)?(?: \([^)\n]*\))?\s*[:=]\s*)(?:'[^'\n]*'?|"[^"\n]*"?|[^\n]*)/gi, `$1${REDACTED}`],
  [/\b((?:X-Amz-)?Credential\s*=\s*)[^\s,;&'"]+/gi, `$1${REDACTED}`],
  [/\b((?:X-Amz-)?Signature\s*=\s*)[0-9a-f]+/gi, `$1${REDACTED}`],
  [/\b(X-Amz-Security-Token\s*[:=]\s*)[^\s,;&'"]+/gi, `$1${REDACTED}`],
  [/\b(Bearer\s+)[^\s,;'"]+/gi, `$1${REDACTED}`],
  // Access key ids: long-term (AKIA) and temporary (ASIA); with the secret, all a key needs.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{12,}\b/g, REDACTED],
  // JWTs (web identity tokens, runtime bearer tokens) and the long base64 of session tokens.
  [/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, REDACTED],
  [/[A-Za-z0-9+/]{100,}={0,2}/g, REDACTED],
];

/**
 * `text` with every secret AWS may echo cut out: the canonical request and string to sign that
 * signature errors append (the canonical request holds the session token), the Authorization
 * header, credential scopes, signatures, access key ids, tokens, and any of `secrets` (values
 * the caller knows: a secret key, an external id).
 */
export function scrubSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let scrubbed = text.split(/\s*The (?:Canonical String|String-to-Sign)/i)[0]!;
  for (const secret of secrets) if (secret && secret.length >= 8) scrubbed = scrubbed.split(secret).join(REDACTED);
  for (const [pattern, replacement] of SECRET_PATTERNS) scrubbed = scrubbed.replace(pattern, replacement);
  return scrubbed;
}

/** An AWS error message as we keep it: scrubbed of secrets, and short. */
export function scrubAwsMessage(message: string, secrets: ReadonlyArray<string | undefined> = []): string {
  const text = scrubSecrets(message, secrets);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
