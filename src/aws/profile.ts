// Profiles of the shared AWS config files. Reading files is the runtime's business (the Node
// server passes `nodeAwsFileReader` from bin/aws-files.ts), so nothing Node-specific enters
// the library or the Worker; here the settings a reader found become a credential source.
import { type CredentialSource, type StsTarget, roleRequest } from "./credentials.ts";
import { ConfigurationError } from "../errors.ts";

/** Local AWS files, for runtimes that have a file system. */
export interface AwsFileReader {
  /**
   * The named profile's settings (lower-case keys such as `aws_access_key_id`, `role_arn`,
   * `source_profile`) from the shared credentials and config files; undefined when neither has it.
   */
  profile(name: string): Promise<Record<string, string> | undefined>;
  /** A web identity token file's contents (`AWS_WEB_IDENTITY_TOKEN_FILE`). */
  webIdentityToken(path: string): Promise<string>;
}

declare global {
  /**
   * True in a bundle for a runtime with neither files nor node:crypto (the endpoint's Worker, whose
   * wrangler.toml defines it): the code for them is left out there. Undefined everywhere else.
   */
  var BEDROCK_AGENTS_WORKER: true | undefined;
}

// source_profile chains longer than this are refused (AWS CLI's limit is similar).
const MAX_CHAIN = 5;

/** The source a profile stands for: its own keys, or a role assumed with its source profile's. */
export async function profileSource(
  name: string,
  reader: AwsFileReader | undefined,
  sts: StsTarget,
  chain: string[] = [],
): Promise<CredentialSource> {
  if (!reader || globalThis.BEDROCK_AGENTS_WORKER) {
    throw new ConfigurationError(
      `AWS profile "${name}": profiles need the Node server, which reads ~/.aws; in this runtime pass ` +
        "aws_access_key_id and aws_secret_access_key, aws_role_name, or aws_web_identity_token",
      { code: "profiles_unsupported" },
    );
  }
  if (chain.includes(name) || chain.length >= MAX_CHAIN) {
    throw new ConfigurationError(`AWS profile "${name}": source_profile loops or chains too deep (${[...chain, name].join(" → ")})`, {
      code: "invalid_profile",
    });
  }
  const settings = await reader.profile(name);
  if (!settings) {
    throw new ConfigurationError(`AWS profile "${name}" is not in the shared config or credentials file`, {
      code: "profile_not_found",
    });
  }
  const keys = (): CredentialSource | undefined => {
    const { aws_access_key_id: accessKeyId, aws_secret_access_key: secretAccessKey, aws_session_token: sessionToken } = settings;
    if (!accessKeyId || !secretAccessKey) return undefined;
    return { kind: "static", credentials: sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey } };
  };
  if (!settings.role_arn) {
    const own = keys();
    if (own) return own;
    throw new ConfigurationError(
      `AWS profile "${name}" has neither aws_access_key_id and aws_secret_access_key nor role_arn ` +
        "(SSO, credential_process and credential_source are not supported)",
      { code: "invalid_profile" },
    );
  }
  const duration = settings.duration_seconds === undefined ? undefined : Number(settings.duration_seconds);
  const role = roleRequest(
    {
      roleArn: settings.role_arn,
      sessionName: settings.role_session_name,
      externalId: settings.external_id,
      durationSeconds: duration,
    },
    sts,
    { role: `profile ${name}: role_arn`, session: `profile ${name}: role_session_name`, duration: `profile ${name}: duration_seconds` },
  );
  if (settings.web_identity_token_file) return { kind: "web-identity", role, token: { file: settings.web_identity_token_file } };
  const source = settings.source_profile;
  if (!source) {
    throw new ConfigurationError(
      `AWS profile "${name}" has role_arn without source_profile (credential_source is not supported)`,
      { code: "invalid_profile" },
    );
  }
  // A profile may name itself as its source: its own keys assume its role.
  const base = source === name ? keys() : await profileSource(source, reader, sts, [...chain, name]);
  if (!base) throw new ConfigurationError(`AWS profile "${name}" names itself as source_profile but has no keys`, { code: "invalid_profile" });
  return { kind: "assume-role", role, base };
}
