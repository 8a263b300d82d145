// STS AssumeRole and AssumeRoleWithWebIdentity over fetch: a form-encoded POST (the query
// protocol), signed with aws4fetch for the service "sts" (web identity goes unsigned), and an
// XML answer read by looking for the few elements we need.
import type { Credentials, RoleRequest } from "./credentials.ts";
import { Signer } from "./signing.ts";
import {
  type AgentError,
  BadGatewayError,
  ConnectionError,
  PermissionDeniedError,
  ServiceUnavailableError,
} from "../errors.ts";
import { scrubAwsMessage } from "../scrub.ts";

const VERSION = "2011-06-15";
// The call is shared by every request waiting on a refresh, so no caller's signal may cancel
// it; this bounds it instead.
const STS_TIMEOUT_MS = 30_000;
// Codes after which trying again later may work: for the endpoint's caller, a 503.
const TRANSIENT = new Set(["Throttling", "ThrottlingException", "RequestLimitExceeded", "IDPCommunicationError"]);
// Callers other than the endpoint's master key learn this and the code, not the role nor STS's text.
const SUMMARY_LEAD = "Could not assume the configured role";

/** Assumes `role` with the base credentials, which sign the call. */
export function assumeRole(role: RoleRequest, base: Credentials, fetchFn: typeof fetch): Promise<Credentials> {
  const signer = new Signer(base, "sts", signingRegion(role));
  return callSts("AssumeRole", role, { ExternalId: role.externalId }, fetchFn, signer, [base.secretAccessKey, base.sessionToken, role.externalId]);
}

/** Assumes `role` with an OIDC token; STS takes this call unsigned. */
export function assumeRoleWithWebIdentity(role: RoleRequest, token: string, fetchFn: typeof fetch): Promise<Credentials> {
  return callSts("AssumeRoleWithWebIdentity", role, { WebIdentityToken: token }, fetchFn, undefined, [token]);
}

async function callSts(
  action: string,
  role: RoleRequest,
  extra: Record<string, string | undefined>,
  fetchFn: typeof fetch,
  signer: Signer | undefined,
  secrets: Array<string | undefined>,
): Promise<Credentials> {
  const form = new URLSearchParams({ Action: action, Version: VERSION, RoleArn: role.roleArn, RoleSessionName: role.sessionName });
  if (role.durationSeconds !== undefined) form.set("DurationSeconds", String(role.durationSeconds));
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) form.set(name, value);
  const init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body: form.toString() };
  // The base URL as given: a gateway or an emulator may put STS under a path.
  const url = role.endpoint;
  let response: Response;
  let text: string;
  try {
    const headers = signer ? await signer.sign(url, init) : init.headers;
    response = await fetchFn(url, { ...init, headers, signal: AbortSignal.timeout(STS_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    const reason = `STS at ${new URL(role.endpoint).host} could not be reached: ${scrubAwsMessage(error instanceof Error ? error.message : String(error), secrets)}`;
    throw new ConnectionError(`Could not assume role ${role.roleArn}: ${reason}`, {
      code: "sts_connection_error",
      cause: error,
      awsMessage: reason,
      summaryLead: SUMMARY_LEAD,
    });
  }
  const requestId = element(text, "RequestId") ?? response.headers.get("x-amzn-requestid") ?? undefined;
  if (!response.ok) throw stsError(role, action, response.status, text, requestId, secrets);

  const block = element(text, "Credentials", false) ?? "";
  const accessKeyId = element(block, "AccessKeyId");
  const secretAccessKey = element(block, "SecretAccessKey");
  const sessionToken = element(block, "SessionToken");
  const expiration = Date.parse(element(block, "Expiration") ?? "");
  if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration)) {
    const reason = `STS answered ${action} without credentials`;
    throw new BadGatewayError(`Could not assume role ${role.roleArn}: ${reason}`, {
      code: "sts_invalid_response",
      requestId,
      awsMessage: reason,
      summaryLead: SUMMARY_LEAD,
    });
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/** STS's `<ErrorResponse>` → 403 when STS refused, 503 for throttling, 502 for its own failures. */
function stsError(
  role: RoleRequest,
  action: string,
  status: number,
  xml: string,
  requestId: string | undefined,
  secrets: Array<string | undefined>,
): AgentError {
  const awsCode = element(xml, "Code");
  const detail = scrubAwsMessage(element(xml, "Message") ?? "no message", secrets);
  const message = `Could not assume role ${role.roleArn} (${action}): ${awsCode ?? `HTTP ${status}`}: ${detail}`;
  // The role is ours, but callers other than the master key see neither it nor STS's text.
  const options = { code: awsCode ?? `sts_http_${status}`, awsCode, requestId, awsMessage: detail, summaryLead: SUMMARY_LEAD };
  if ((awsCode && TRANSIENT.has(awsCode)) || status === 503) return new ServiceUnavailableError(message, options);
  if (status >= 500) return new BadGatewayError(message, options);
  return new PermissionDeniedError(message, options);
}

/** The global endpoint signs for us-east-1; any other for the call's region. */
function signingRegion(role: RoleRequest): string {
  return new URL(role.endpoint).hostname === "sts.amazonaws.com" ? "us-east-1" : role.region;
}

/** The text of the first `<name>` element, entities decoded unless `decode` is false. */
function element(xml: string, name: string, decode = true): string | undefined {
  const match = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml);
  if (!match) return undefined;
  const text = match[1]!.trim();
  return decode ? decodeEntities(text) : text;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (entity, name: string) => {
    if (name[0] !== "#") return NAMED[name.toLowerCase()] ?? entity;
    const point = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return point <= 0x10ffff ? String.fromCodePoint(point) : entity;
  });
}
