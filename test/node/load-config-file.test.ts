import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError } from "../../src/proxy/config.ts";
import { loadConfigFile } from "../../bin/load-config-file.ts";

// The example, verbatim.
const EXAMPLE = `model_list:
  - model_name: bedrock-agent-1
    litellm_params:
      model: bedrock/agent/L1RT58GYRW/MFPSBCXYTW
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: us-west-2
  - model_name: bedrock-agent-2
    litellm_params:
      model: bedrock/agent/AGENT456/ALIAS789
      aws_access_key_id: os.environ/AWS_ACCESS_KEY_ID
      aws_secret_access_key: os.environ/AWS_SECRET_ACCESS_KEY
      aws_region_name: us-east-1
`;

const env = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLEKEY", AWS_SECRET_ACCESS_KEY: "zzSecret-Do-Not-Print" };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "proxy-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function loadError(path: string): Promise<string> {
  const error = await loadConfigFile(path, { env, warn: () => {} }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as Error).message;
}

describe("loadConfigFile", () => {
  it("loads the issue's example verbatim", async () => {
    const warnings: string[] = [];
    const config = await loadConfigFile(await file("config.yaml", EXAMPLE), { env, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
    expect(config.models).toEqual([
      {
        model_name: "bedrock-agent-1",
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
        params: {
          model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
          aws_access_key_id: env.AWS_ACCESS_KEY_ID,
          aws_secret_access_key: env.AWS_SECRET_ACCESS_KEY,
          aws_region_name: "us-west-2",
        },
      },
      {
        model_name: "bedrock-agent-2",
        id: expect.stringMatching(/^[0-9a-f]{8}$/),
        params: {
          model: "bedrock/agent/AGENT456/ALIAS789",
          aws_access_key_id: env.AWS_ACCESS_KEY_ID,
          aws_secret_access_key: env.AWS_SECRET_ACCESS_KEY,
          aws_region_name: "us-east-1",
        },
      },
    ]);
    expect(config).toMatchObject({ masterKey: undefined, allowOpenAccess: false, maxRequestBytes: 10 * 1024 * 1024 });
  });

  it("reads variables from process.env by default", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAFROMPROCESS");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "from-process");
    const config = await loadConfigFile(await file("process-env.yaml", EXAMPLE), { warn: () => {} });
    expect(config.models[1]!.params).toMatchObject({
      aws_access_key_id: "AKIAFROMPROCESS",
      aws_secret_access_key: "from-process",
    });
  });

  it("reads general_settings and YAML merge keys, as LiteLLM's PyYAML does", async () => {
    const yaml = `x-aws: &aws
  aws_region_name: eu-west-1
  num_retries: 1
model_list:
  - model_name: a
    litellm_params:
      <<: *aws
      model: bedrock/agent/A1/B1
general_settings:
  master_key: os.environ/PROXY_MASTER_KEY
  allow_open_access: false
  cors_allow_origins: ["*"]
  max_request_size_mb: 1
`;
    const warnings: string[] = [];
    const config = await loadConfigFile(await file("merge.yaml", yaml), {
      env: { PROXY_MASTER_KEY: "sk-0123456789abcdef" },
      warn: (m) => warnings.push(m),
    });
    expect(config.models[0]!.params).toEqual({ model: "bedrock/agent/A1/B1", aws_region_name: "eu-west-1", num_retries: 1 });
    expect(config).toMatchObject({ masterKey: "sk-0123456789abcdef", corsAllowOrigins: ["*"], maxRequestBytes: 1024 * 1024 });
    expect(warnings).toEqual(["x-aws: unknown key, ignored"]);
  });

  it("names the file and line of a YAML syntax error, without quoting the line", async () => {
    const path = await file(
      "broken.yaml",
      `${EXAMPLE}general_settings:\n  master_key: sk-zzDoNotPrint: oops\n`,
    );
    const message = await loadError(path);
    expect(message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: invalid YAML at line 15, column \\d+: \\S`));
    expect(message).not.toContain("sk-zzDoNotPrint");
  });

  it("names the line of a duplicate key", async () => {
    const message = await loadError(await file("dup.yaml", `${EXAMPLE}general_settings: {}\ngeneral_settings: {}\n`));
    expect(message).toMatch(/dup\.yaml: invalid YAML at line 15, column 1: Map keys must be unique/);
  });

  it("reports an empty file, a missing file and a validation error as ConfigError", async () => {
    expect(await loadError(await file("empty.yaml", "# nothing\n"))).toBe("model_list: required, the config is empty");
    expect(await loadError(join(dir, "missing.yaml"))).toMatch(/missing\.yaml: cannot read the config file \(ENOENT\)/);
    const bad = EXAMPLE.replace("bedrock/agent/AGENT456/ALIAS789", "gpt-4");
    expect(await loadError(await file("bad.yaml", bad))).toBe(
      'model_list[1].litellm_params.model: expected bedrock/agent/{AGENT_ID}/{ALIAS_ID} or bedrock/agentcore/{HARNESS_OR_RUNTIME_ARN}, got "gpt-4"',
    );
  });
});
