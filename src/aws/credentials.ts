import { type Env, readEnv } from "../env.ts";
import { ConfigurationError } from "../errors.ts";
import type { AwsParams } from "../types.ts";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials expire, in ms since the epoch. */
  expiration?: number;
}

/** Credentials as a source resolved them, with the way to new ones when AWS rejects them. */
export interface ResolvedCredentials {
  credentials: Credentials;
  /** For temporary credentials: new ones, after AWS rejected these (revoked, or expired early). */
  refresh?: () => Promise<Credentials>;
}

/** An STS role to assume, with everything the call to STS needs. */
export interface RoleRequest extends StsTarget {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  durationSeconds?: number;
}

/** Where a call's credentials come from (see credential-source.ts); resolved by CredentialCache. */
export type CredentialSource =
  | { kind: "static"; credentials: Credentials }
  | { kind: "assume-role"; role: RoleRequest; base: CredentialSource }
  | { kind: "web-identity"; role: RoleRequest; token: { value: string } | { file: string } };

/** The session name when none is given: stable, so the cache and tool call ids survive restarts. */
export const DEFAULT_SESSION_NAME = "bedrock-agents-openai";

/** Where STS is and the region its calls are signed for. */
export interface StsTarget {
  endpoint: string;
  region: string;
}

export interface RoleSettings {
  roleArn: string;
  sessionName?: string | undefined;
  externalId?: string | undefined;
  durationSeconds?: number | undefined;
}

/** The names of the settings, for messages: they come from parameters, the environment or a profile. */
export type SettingNames = Record<"role" | "session" | "duration", string>;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** The role to assume, checked here so that a typo is a clear error rather than an STS one. */
export function roleRequest(settings: RoleSettings, sts: StsTarget, names: SettingNames): RoleRequest {
  const { roleArn, externalId, durationSeconds } = settings;
  if (!ROLE_ARN.test(roleArn)) {
    throw new ConfigurationError(
      `${names.role} "${roleArn.slice(0, 120)}" is not a role ARN such as arn:aws:iam::123456789012:role/name`,
      { code: "invalid_role" },
    );
  }
  const sessionName = settings.sessionName ?? DEFAULT_SESSION_NAME;
  if (!SESSION_NAME.test(sessionName)) {
    throw new ConfigurationError(`${names.session} must be 2 to 64 letters, digits or any of _+=,.@-`, {
      code: "invalid_session_name",
    });
  }
  if (durationSeconds !== undefined && !(Number.isInteger(durationSeconds) && durationSeconds >= 900 && durationSeconds <= 43200)) {
    throw new ConfigurationError(`${names.duration} must be a whole number of seconds from 900 to 43200`, {
      code: "invalid_duration",
    });
  }
  const role: RoleRequest = { roleArn, sessionName, ...sts };
  if (externalId !== undefined) role.externalId = externalId;
  if (durationSeconds !== undefined) role.durationSeconds = durationSeconds;
  return role;
}

/**
 * Static credentials: the request's own (LiteLLM's names) win, else the environment.
 * A key pair is taken whole from one source, never mixed across sources.
 */
export function resolveCredentials(params: AwsParams, env: Env | undefined): Credentials {
  if (params.aws_access_key_id || params.aws_secret_access_key) {
    return pair(params.aws_access_key_id, params.aws_secret_access_key, params.aws_session_token, "aws_");
  }
  return pair(
    readEnv(env, "AWS_ACCESS_KEY_ID"),
    readEnv(env, "AWS_SECRET_ACCESS_KEY"),
    readEnv(env, "AWS_SESSION_TOKEN"),
    "AWS_",
  );
}

function pair(
  accessKeyId: string | undefined,
  secretAccessKey: string | undefined,
  sessionToken: string | undefined,
  source: "aws_" | "AWS_",
): Credentials {
  const missing = [
    !accessKeyId && (source === "aws_" ? "aws_access_key_id" : "AWS_ACCESS_KEY_ID"),
    !secretAccessKey && (source === "aws_" ? "aws_secret_access_key" : "AWS_SECRET_ACCESS_KEY"),
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `AWS credentials are missing: set ${missing.join(" and ")}` +
        (source === "AWS_"
          ? " in the environment, or pass aws_access_key_id and aws_secret_access_key (or aws_profile_name, or aws_role_name with aws_web_identity_token)"
          : ""),
      { code: "missing_credentials" },
    );
  }
  return sessionToken
    ? { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, sessionToken }
    : { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! };
}
