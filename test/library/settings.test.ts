import { describe, expect, it } from "vitest";
import { resolveCredentials } from "../../src/credentials.ts";
import { resolveEndpoint, resolveRegion } from "../../src/endpoint.ts";
import { ConfigurationError } from "../../src/errors.ts";

describe("region", () => {
  it("prefers aws_region_name, then AWS_REGION, then AWS_DEFAULT_REGION", () => {
    const env = { AWS_REGION: "eu-west-1", AWS_DEFAULT_REGION: "ap-south-1" };
    expect(resolveRegion({ aws_region_name: "us-west-2" }, env)).toBe("us-west-2");
    expect(resolveRegion({}, env)).toBe("eu-west-1");
    expect(resolveRegion({}, { AWS_DEFAULT_REGION: "ap-south-1", AWS_REGION: "" })).toBe("ap-south-1");
  });

  it("refuses a region that is not one, before it reaches a host name", () => {
    expect(() => resolveRegion({ aws_region_name: "evil.com/x" }, {})).toThrow(ConfigurationError);
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
