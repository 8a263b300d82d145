import {
  type CredentialSource,
  type RoleRequest,
  type SettingNames,
  type StsTarget,
  resolveCredentials,
  roleRequest,
} from "./credentials.ts";
import { resolveStsEndpoint } from "./endpoint.ts";
import { type Env, readEnv } from "../env.ts";
import { ConfigurationError } from "../errors.ts";
import { type AwsFileReader, profileSource } from "./profile.ts";
import type { AwsParams } from "../types.ts";

const PARAM_NAMES: SettingNames = { role: "aws_role_name", session: "aws_session_name", duration: "aws_duration_seconds" };
const ENV_NAMES: SettingNames = { ...PARAM_NAMES, role: "AWS_ROLE_ARN", session: "AWS_ROLE_SESSION_NAME" };

/**
 * Decides where a call's credentials come from:
 * - `aws_role_name` + `aws_web_identity_token`: AssumeRoleWithWebIdentity;
 * - `aws_role_name`: AssumeRole, signed with the base credentials below;
 * - base: the request's key pair, else `aws_profile_name`, else the environment's key pair,
 *   else `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, else `AWS_PROFILE`.
 * Profiles are read through `reader` (only runtimes with files have one).
 */
export async function credentialSource(
  params: AwsParams,
  env: Env | undefined,
  region: string,
  reader: AwsFileReader | undefined,
): Promise<CredentialSource> {
  let target: StsTarget | undefined;
  const sts = () => (target ??= { endpoint: resolveStsEndpoint(params, env, region), region });
  const role = (): RoleRequest =>
    roleRequest(
      {
        roleArn: params.aws_role_name ?? "",
        sessionName: params.aws_session_name,
        externalId: params.aws_external_id,
        durationSeconds: params.aws_duration_seconds,
      },
      sts(),
      PARAM_NAMES,
    );
  if (params.aws_web_identity_token !== undefined) {
    if (!params.aws_role_name) {
      throw new ConfigurationError("aws_web_identity_token needs aws_role_name, the ARN of the role to assume with it", {
        code: "missing_role",
      });
    }
    return { kind: "web-identity", role: role(), token: { value: params.aws_web_identity_token } };
  }
  const base = await baseSource(params, env, sts, reader);
  return params.aws_role_name ? { kind: "assume-role", role: role(), base } : base;
}

function baseSource(
  params: AwsParams,
  env: Env | undefined,
  sts: () => StsTarget,
  reader: AwsFileReader | undefined,
): CredentialSource | Promise<CredentialSource> {
  const keys = (): CredentialSource => ({ kind: "static", credentials: resolveCredentials(params, env) });
  if (params.aws_access_key_id || params.aws_secret_access_key) return keys();
  if (params.aws_profile_name) return profileSource(params.aws_profile_name, reader, sts());
  if (readEnv(env, "AWS_ACCESS_KEY_ID") || readEnv(env, "AWS_SECRET_ACCESS_KEY")) return keys();
  const tokenFile = readEnv(env, "AWS_WEB_IDENTITY_TOKEN_FILE");
  const roleArn = readEnv(env, "AWS_ROLE_ARN");
  if (tokenFile && roleArn) {
    const role = roleRequest({ roleArn, sessionName: readEnv(env, "AWS_ROLE_SESSION_NAME") }, sts(), ENV_NAMES);
    return { kind: "web-identity", role, token: { file: tokenFile } };
  }
  const profile = readEnv(env, "AWS_PROFILE");
  if (profile) return profileSource(profile, reader, sts());
  return keys(); // throws, naming what is missing
}
