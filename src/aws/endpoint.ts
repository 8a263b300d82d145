import { type Env, readEnv } from "../env.ts";
import { ConfigurationError } from "../errors.ts";
import type { AwsFileReader } from "./profile.ts";
import type { AwsParams } from "../types.ts";

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// arn:{partition}:{service}:{region}:{account}:{resource}, anywhere in a model string.
const ARN_REGION = /(?:^|\/)arn:[\w-]+:[\w-]+:([a-z0-9-]+):/;

/** LiteLLM's default when nothing names a region. */
export const DEFAULT_REGION = "us-west-2";

/**
 * The call's region, in LiteLLM's order and then the AWS SDKs': `aws_region_name`; the region of
 * an ARN in the model string; `AWS_REGION_NAME` (LiteLLM's variable); `AWS_REGION`;
 * `AWS_DEFAULT_REGION`; the selected profile's `region` where files can be read; us-west-2.
 */
export async function resolveRegion(
  params: AwsParams & { model?: unknown },
  env: Env | undefined,
  reader?: AwsFileReader,
): Promise<string> {
  const region =
    params.aws_region_name ??
    arnRegion(params.model) ??
    readEnv(env, "AWS_REGION_NAME") ??
    readEnv(env, "AWS_REGION") ??
    readEnv(env, "AWS_DEFAULT_REGION") ??
    (await profileRegion(params, env, reader)) ??
    DEFAULT_REGION;
  if (!REGION.test(region)) {
    throw new ConfigurationError(`AWS region "${region.slice(0, 40)}" is not a region name such as us-east-1`, {
      code: "invalid_region",
    });
  }
  return region;
}

/** The region an ARN in the model string names (AgentCore ARNs carry one). */
export function arnRegion(model: unknown): string | undefined {
  return typeof model === "string" ? ARN_REGION.exec(model)?.[1] || undefined : undefined;
}

/** `region` of `aws_profile_name`, else of `AWS_PROFILE`, else of the default profile. */
async function profileRegion(params: AwsParams, env: Env | undefined, reader: AwsFileReader | undefined): Promise<string | undefined> {
  if (!reader || globalThis.BEDROCK_AGENTS_WORKER) return undefined;
  const name = params.aws_profile_name ?? readEnv(env, "AWS_PROFILE") ?? "default";
  const region = (await reader.profile(name))?.region;
  return region || undefined;
}

/** An AWS API the backends call: how it signs, where it lives, and its override variable. */
export interface AwsService {
  /** SigV4's service name. */
  signingName: string;
  /** The regional host's first label. */
  host: string;
  /** The AWS-standard endpoint override variable. */
  variable: string;
  /** For messages: "the agent runtime". */
  label: string;
}

export const AGENT_RUNTIME: AwsService = {
  // Signed as "bedrock", not as the host's "bedrock-agent-runtime".
  signingName: "bedrock",
  host: "bedrock-agent-runtime",
  variable: "AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME",
  label: "the agent runtime",
};

export const AGENTCORE: AwsService = {
  signingName: "bedrock-agentcore",
  host: "bedrock-agentcore",
  variable: "AWS_ENDPOINT_URL_BEDROCK_AGENTCORE",
  label: "Bedrock AgentCore",
};

/**
 * The service's base URL, without a trailing slash: `api_base`, else the AWS-standard override
 * variables, else the regional host. A base may carry a path (gateways use one).
 */
export function resolveEndpoint(params: AwsParams, env: Env | undefined, region: string, service: AwsService = AGENT_RUNTIME): string {
  const configured = params.api_base ?? readEnv(env, service.variable) ?? readEnv(env, "AWS_ENDPOINT_URL");
  if (!configured) return regionalHost(service.host, region);
  return baseUrl(configured, "api_base", "invalid_api_base");
}

/**
 * STS's base URL: `aws_sts_endpoint`, else `AWS_ENDPOINT_URL_STS`, else the regional host
 * (AWS's recommendation over the global sts.amazonaws.com: lower latency, no us-east-1 dependency).
 */
export function resolveStsEndpoint(params: AwsParams, env: Env | undefined, region: string): string {
  const configured = params.aws_sts_endpoint ?? readEnv(env, "AWS_ENDPOINT_URL_STS");
  if (!configured) return regionalHost("sts", region);
  return baseUrl(configured, "aws_sts_endpoint", "invalid_sts_endpoint");
}

/** `.amazonaws.com.cn` in China. */
function regionalHost(service: string, region: string): string {
  return `https://${service}.${region}.${region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com"}`;
}

/** A configured base URL, checked, without its trailing slash; `name` is the setting for messages. */
function baseUrl(configured: string, name: string, code: string): string {
  let url: URL;
  try {
    url = new URL(configured);
  } catch {
    throw new ConfigurationError(`${name} "${configured.slice(0, 80)}" is not a URL`, { code });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigurationError(`${name} must be an http or https URL`, { code });
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigurationError(`${name} must not hold credentials, a query or a fragment`, { code });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
