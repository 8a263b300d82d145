// Which credentials a call uses, where STS is, and how STS's XML answers are read, without a
// server. Runs under Node and inside workerd.
import { describe, expect, it } from "vitest";
import { credentialSource } from "../../src/aws/credential-source.ts";
import { resolveStsEndpoint } from "../../src/aws/endpoint.ts";
import { BadGatewayError, ConfigurationError, PermissionDeniedError, AgentError } from "../../src/errors.ts";
import type { AwsFileReader } from "../../src/aws/profile.ts";
import { assumeRole } from "../../src/aws/sts.ts";

const ROLE = "arn:aws:iam::123456789012:role/settings";
const keys = { aws_access_key_id: "AKIAPARAMS", aws_secret_access_key: "params-secret" };
const envKeys = { AWS_ACCESS_KEY_ID: "AKIAENV", AWS_SECRET_ACCESS_KEY: "env-secret" };
const reader: AwsFileReader = {
  profile: async (name) => (name === "dev" ? { aws_access_key_id: "AKIAPROFILE", aws_secret_access_key: "profile-secret" } : undefined),
  webIdentityToken: async () => "token",
};

describe("where credentials come from", () => {
  const kind = async (params: object, env: Record<string, string> = {}) => {
    const source = await credentialSource(params, env, "eu-west-1", reader);
    return source.kind === "static" ? source.credentials.accessKeyId : source.kind;
  };

  it("request keys, then aws_profile_name, then the environment's keys, token file, AWS_PROFILE", async () => {
    const tokenEnv = { AWS_WEB_IDENTITY_TOKEN_FILE: "/t", AWS_ROLE_ARN: ROLE };
    expect(await kind({ ...keys, aws_profile_name: "dev" }, envKeys)).toBe("AKIAPARAMS");
    expect(await kind({ aws_profile_name: "dev" }, { ...envKeys, ...tokenEnv })).toBe("AKIAPROFILE");
    expect(await kind({}, { ...envKeys, ...tokenEnv, AWS_PROFILE: "dev" })).toBe("AKIAENV");
    expect(await kind({}, { ...tokenEnv, AWS_PROFILE: "dev" })).toBe("web-identity");
    expect(await kind({}, { AWS_PROFILE: "dev" })).toBe("AKIAPROFILE");
  });

  it("assumes aws_role_name on top of any base, and uses aws_web_identity_token instead of one", async () => {
    const source = await credentialSource({ ...keys, aws_role_name: ROLE }, {}, "eu-west-1", reader);
    expect(source).toMatchObject({
      kind: "assume-role",
      role: { roleArn: ROLE, sessionName: "bedrock-agents-openai", endpoint: "https://sts.eu-west-1.amazonaws.com", region: "eu-west-1" },
      base: { kind: "static" },
    });
    expect(await kind({ ...keys, aws_role_name: ROLE, aws_web_identity_token: "jwt" })).toBe("web-identity");
  });

  it("names the missing settings, roles and profiles included", async () => {
    const error = await credentialSource({}, {}, "eu-west-1", reader).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.*aws_profile_name.*aws_role_name/);
  });
});

describe("the STS endpoint", () => {
  it("is regional by default (.com.cn in China), else aws_sts_endpoint, else AWS_ENDPOINT_URL_STS", () => {
    expect(resolveStsEndpoint({}, {}, "us-west-2")).toBe("https://sts.us-west-2.amazonaws.com");
    expect(resolveStsEndpoint({}, {}, "cn-north-1")).toBe("https://sts.cn-north-1.amazonaws.com.cn");
    const env = { AWS_ENDPOINT_URL_STS: "https://sts.vpce.example.com/" };
    expect(resolveStsEndpoint({}, env, "us-west-2")).toBe("https://sts.vpce.example.com");
    expect(resolveStsEndpoint({ aws_sts_endpoint: "http://127.0.0.1:9000/sts/" }, env, "us-west-2")).toBe("http://127.0.0.1:9000/sts");
    expect(() => resolveStsEndpoint({ aws_sts_endpoint: "https://u:p@sts.example.com" }, {}, "us-west-2")).toThrow(ConfigurationError);
  });
});

describe("STS answers", () => {
  const role = { roleArn: ROLE, sessionName: "s", endpoint: "https://sts.example.com", region: "us-east-1" };
  const base = { accessKeyId: "AKIABASE", secretAccessKey: "base-secret-key-0123", sessionToken: "base-session-token-0123456789" };
  const answering = (status: number, body: string): typeof fetch => async () => new Response(body, { status });

  it("reads the credentials, XML entities decoded", async () => {
    const xml =
      '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>' +
      "<AccessKeyId>ASIAXML</AccessKeyId><SecretAccessKey>a&amp;b&#x2F;c&lt;</SecretAccessKey>" +
      "<SessionToken>\n  tok+en/==\n</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration>" +
      "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
    expect(await assumeRole(role, base, answering(200, xml))).toEqual({
      accessKeyId: "ASIAXML",
      secretAccessKey: "a&b/c<",
      sessionToken: "tok+en/==",
      expiration: Date.UTC(2030, 0, 2, 3, 4, 5),
    });
  });

  it("keeps the canonical request and any secret out of an error's message", async () => {
    const xml =
      "<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated " +
      `does not match. The Canonical String for this request should have been 'POST / x-amz-security-token:${base.sessionToken}'` +
      "</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";
    const error = (await assumeRole(role, base, answering(403, xml)).catch((e: unknown) => e)) as AgentError;
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.requestId).toBe("req-1");
    expect(error.message).toBe(`Could not assume role ${ROLE} (AssumeRole): SignatureDoesNotMatch: The request signature we calculated does not match.`);
  });

  it("is a 502 when STS answers without XML or without credentials", async () => {
    for (const [status, body, code] of [
      [502, "<html>Bad gateway</html>", "sts_http_502"],
      [200, "<AssumeRoleResponse></AssumeRoleResponse>", "sts_invalid_response"],
    ] as const) {
      const error = (await assumeRole(role, base, answering(status, body)).catch((e: unknown) => e)) as AgentError;
      expect(error).toBeInstanceOf(BadGatewayError);
      expect(error.code).toBe(code);
    }
  });
});
