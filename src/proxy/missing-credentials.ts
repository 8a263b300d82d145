// A deployment without AWS credentials, told to the endpoint's callers as the operator's to fix.
// The library's own message tells its caller to pass aws_access_key_id: right for a library
// call, wrong through the endpoint, which never takes AWS settings from a request.
import { AgentError, ConfigurationError } from "../errors.ts";
import type { ModelDeployment } from "./config.ts";

const KEYS = ["aws_access_key_id", "aws_secret_access_key"] as const;

// A failure may pass here more than once (its error part, then the stream's error): told once.
const told = new WeakSet<AgentError>();

/** `error` itself, unless it is missing credentials: then what the operator must set for `deployment`. */
export function forOperator(error: AgentError, deployment: ModelDeployment | undefined): AgentError {
  if (error.code !== "missing_credentials" || !deployment || told.has(error)) return error;
  const operatorError = new ConfigurationError(missingCredentialsMessage(deployment), { code: "missing_credentials", cause: error });
  told.add(operatorError);
  return operatorError;
}

export function missingCredentialsMessage(deployment: ModelDeployment): string {
  const name = deployment.model_name;
  const unset = deployment.unsetVariables ?? {};
  const lead = `The model \`${name}\` has no AWS credentials on this endpoint; its operator must set`;
  const fromVariables = KEYS.filter((key) => unset[key] !== undefined);
  if (fromVariables.length > 0) {
    const names = fromVariables.map((key) => unset[key]!);
    const reads = fromVariables.map((key) => `${key}: os.environ/${unset[key]}`).join(" and ");
    return (
      `${lead} ${names.join(" and ")} in the endpoint's environment (model_list's \`${name}\` reads litellm_params.${reads}; ` +
      "on Workers: wrangler secret put or a [vars] entry). A request cannot carry AWS credentials."
    );
  }
  return (
    `${lead} AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the endpoint's environment, or litellm_params.aws_access_key_id ` +
    `and aws_secret_access_key of model_list's \`${name}\` (e.g. os.environ/NAME), or aws_profile_name or aws_role_name there. ` +
    "A request cannot carry AWS credentials."
  );
}
