import { type Env, readEnv } from "./env.ts";
import { ConfigurationError } from "./errors.ts";
import type { AwsParams } from "./types.ts";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
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
        (source === "AWS_" ? " in the environment, or pass aws_access_key_id and aws_secret_access_key" : ""),
      { code: "missing_credentials" },
    );
  }
  return sessionToken
    ? { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey!, sessionToken }
    : { accessKeyId: accessKeyId!, secretAccessKey: secretAccessKey! };
}
