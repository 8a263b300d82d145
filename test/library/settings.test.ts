import { describe, expect, it } from "vitest";
import { resolveCredentials } from "../../src/aws/credentials.ts";
import { resolveEndpoint, resolveRegion } from "../../src/aws/endpoint.ts";
import { ConfigurationError } from "../../src/errors.ts";
import type { AwsFileReader } from "../../src/aws/profile.ts";

describe("region", () => {
  const arnModel = "bedrock/agentcore/arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/my-agent";
  const profiles = (regions: Record<string, string>): AwsFileReader => ({
    profile: async (name) => (regions[name] ? { region: regions[name]! } : undefined),
    webIdentityToken: async () => "",
  });

  it("goes aws_region_name, ARN, AWS_REGION_NAME, AWS_REGION, AWS_DEFAULT_REGION, profile, us-west-2", async () => {
    const reader = profiles({ default: "sa-east-1", work: "ca-central-1" });
    const env = { AWS_REGION_NAME: "eu-north-1", AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" };
    expect(await resolveRegion({ aws_region_name: "us-east-2", model: arnModel }, env, reader)).toBe("us-east-2");
    expect(await resolveRegion({ model: arnModel }, env, reader)).toBe("eu-central-1");
    expect(await resolveRegion({ model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW" }, env, reader)).toBe("eu-north-1");
    expect(await resolveRegion({}, { ...env, AWS_REGION_NAME: "" }, reader)).toBe("eu-west-1");
    expect(await resolveRegion({}, { AWS_DEFAULT_REGION: "ap-south-1", AWS_REGION: "" }, reader)).toBe("ap-south-1");
    expect(await resolveRegion({}, {}, reader)).toBe("sa-east-1");
    expect(await resolveRegion({}, { AWS_PROFILE: "work" }, reader)).toBe("ca-central-1");
    expect(await resolveRegion({ aws_profile_name: "work" }, { AWS_PROFILE: "default" }, reader)).toBe("ca-central-1");
    expect(await resolveRegion({ aws_profile_name: "none" }, {}, reader)).toBe("us-west-2");
    expect(await resolveRegion({}, {})).toBe("us-west-2");
  });

  it("refuses a region that is not one, before it reaches a host name", async () => {
    await expect(resolveRegion({ aws_region_name: "evil.com/x" }, {})).rejects.toThrow(ConfigurationError);
    await expect(resolveRegion({}, { AWS_REGION_NAME: "US West" })).rejects.toThrow(/is not a region name/);
  });
});

describe("endpoint", () => {
  it("defaults to the regional AWS host, .com.cn in China", () => {
    expect(resolveEndpoint({}, {}, "us-east-1")).toBe("https://bedrock-agent-runtime.us-east-1.amazonaws.com");
    expect(resolveEndpoint({}, {}, "cn-north-1")).toBe("https://bedrock-agent-runtime.cn-north-1.amazonaws.com.cn");
  });

  it("takes api_base, then AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME, then AWS_ENDPOINT_URL", () => {
    const env = {
      AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: "https://vpce-1.example.com/",
      AWS_ENDPOINT_URL: "https://all.example.com",
    };
    expect(resolveEndpoint({ api_base: "https://gw.example.com/v1/aws/" }, env, "us-east-1")).toBe(
      "https://gw.example.com/v1/aws",
    );
    expect(resolveEndpoint({}, env, "us-east-1")).toBe("https://vpce-1.example.com");
    expect(resolveEndpoint({}, { AWS_ENDPOINT_URL: "https://all.example.com" }, "us-east-1")).toBe(
      "https://all.example.com",
    );
  });

  it.each(["not a url", "ftp://x.example.com", "https://user:pw@x.example.com", "https://x.example.com/?a=1"])(
    "refuses api_base %j",
    (apiBase) => {
      const error = (() => {
        try {
          resolveEndpoint({ api_base: apiBase }, {}, "us-east-1");
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error?.message).not.toContain("pw@");
    },
  );
});

describe("credentials", () => {
  it("takes a key pair whole from the request, else whole from the environment", () => {
    const env = { AWS_ACCESS_KEY_ID: "ENVKEY", AWS_SECRET_ACCESS_KEY: "envsecret", AWS_SESSION_TOKEN: "envtoken" };
    expect(resolveCredentials({ aws_access_key_id: "K", aws_secret_access_key: "S" }, env)).toEqual({
      accessKeyId: "K",
      secretAccessKey: "S",
    });
    expect(resolveCredentials({}, env)).toEqual({ accessKeyId: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "envtoken" });
  });

  it("names what is missing, and never quotes a secret", () => {
    expect(() => resolveCredentials({ aws_secret_access_key: "s3cr3t" }, {})).toThrow(/aws_access_key_id/);
    try {
      resolveCredentials({ aws_secret_access_key: "s3cr3t" }, {});
    } catch (error) {
      expect((error as Error).message).not.toContain("s3cr3t");
    }
  });
});
