// Credentials for a narrow build: the call's own key pair, else the environment's. Roles, web
// identity and profiles need the main entry, which carries STS and the profile reader.
import type { CredentialProvider } from "./credential-provider.ts";
import { resolveCredentials } from "./credentials.ts";
import { ConfigurationError } from "../errors.ts";

const NEEDS_MAIN_ENTRY = ["aws_role_name", "aws_web_identity_token", "aws_profile_name"] as const;

export const keyCredentials: CredentialProvider = {
  async source(params, env) {
    for (const name of NEEDS_MAIN_ENTRY) {
      if (params[name] !== undefined) {
        throw new ConfigurationError(`${name} needs the main entry (bedrock-agents-openai): this build takes key pairs only`, {
          code: "credentials_not_in_build",
          param: name,
        });
      }
    }
    return { kind: "static", credentials: resolveCredentials(params, env) };
  },
  async resolve(source) {
    if (source.kind !== "static") throw new ConfigurationError("This build takes key pairs only", { code: "credentials_not_in_build" });
    return { credentials: source.credentials };
  },
};
