import { DEFAULT_ROUTER } from "../../src/proxy/config-router.ts";
import { describe, expect, it } from "vitest";
import type { ClientOptions } from "../../src/client.ts";
import {
  ConfigError,
  DEFAULT_MAX_REQUEST_BYTES,
  type ProxyConfig,
  parseConfig,
  parseConfigJson,
} from "../../src/proxy/config.ts";

// The example config of the issue, as YAML parses it.
const example = () => ({
  model_list: [
    {
      model_name: "bedrock-agent-1",
      litellm_params: {
        model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
        aws_access_key_id: "os.environ/AWS_ACCESS_KEY_ID",
        aws_secret_access_key: "os.environ/AWS_SECRET_ACCESS_KEY",
        aws_region_name: "us-west-2",
      },
    },
    {
      model_name: "bedrock-agent-2",
      litellm_params: {
        model: "bedrock/agent/AGENT456/ALIAS789",
        aws_access_key_id: "os.environ/AWS_ACCESS_KEY_ID",
        aws_secret_access_key: "os.environ/AWS_SECRET_ACCESS_KEY",
        aws_region_name: "us-east-1",
      },
    },
  ],
});

const KEY_ID = "AKIAZZZSECRETKEYID01";
const SECRET = "zzSecretAccessKey/Do-Not-Print+123";
const TOKEN = "zzSessionToken-Do-Not-Print";
const MASTER = "sk-zzMasterKey-Do-Not-Print";
const SECRETS = [KEY_ID, SECRET, TOKEN, MASTER];
const ENV: Record<string, string> = {
  AWS_ACCESS_KEY_ID: KEY_ID,
  AWS_SECRET_ACCESS_KEY: SECRET,
  AWS_SESSION_TOKEN: TOKEN,
  MASTER_KEY: MASTER,
};

const ID_SECRET = "a-secret-of-at-least-32-characters-0123";

function load(raw: unknown, env: Record<string, string | undefined> = ENV) {
  const warnings: string[] = [];
  const config = parseConfig(raw, { lookup: (name) => env[name], warn: (m) => warnings.push(m) });
  return { config, warnings };
}

function configError(raw: unknown, env: Record<string, string | undefined> = ENV): string {
  try {
    load(raw, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

/** The example with one deployment's litellm_params changed. */
function withParams(params: Record<string, unknown>, index = 1) {
  const raw = example();
  Object.assign(raw.model_list[index]!.litellm_params, params);
  return raw;
}

function withGeneral(general: Record<string, unknown>) {
  return { ...example(), general_settings: general };
}

describe("parseConfig: the issue's example", () => {
  it("loads with the variables resolved, in file order", () => {
    const { config, warnings } = load(example());
    expect(warnings).toEqual([]);
    expect(config).toEqual<ProxyConfig>({
      models: [
        {
          model_name: "bedrock-agent-1",
          id: expect.stringMatching(/^[0-9a-f]{8}$/),
          params: {
            model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
            aws_access_key_id: KEY_ID,
            aws_secret_access_key: SECRET,
            aws_region_name: "us-west-2",
          },
        },
        {
          model_name: "bedrock-agent-2",
          id: expect.stringMatching(/^[0-9a-f]{8}$/),
          params: {
            model: "bedrock/agent/AGENT456/ALIAS789",
            aws_access_key_id: KEY_ID,
            aws_secret_access_key: SECRET,
            aws_region_name: "us-east-1",
          },
        },
      ],
      masterKey: undefined,
      allowOpenAccess: false,
      corsAllowOrigins: [],
      maxRequestBytes: 10 * 1024 * 1024,
      streamKeepAliveSeconds: 15,
      apiKeys: [],
      logFormat: "text",
      allowOpenMetrics: false,
      ui: true,
      router: { ...DEFAULT_ROUTER, fallbacks: new Map() },
    });
    expect(DEFAULT_MAX_REQUEST_BYTES).toBe(10 * 1024 * 1024);
  });

  it("gives params usable as the client's options", () => {
    const options: ClientOptions = load(example()).config.models[0]!.params;
    expect(options.aws_region_name).toBe("us-west-2");
  });
});

describe("parseConfig: every setting", () => {
  it("reads all litellm_params and general_settings", () => {
    const raw = {
      model_list: [
        {
          model_name: "agent",
          litellm_params: {
            model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
            aws_access_key_id: "AKIALITERAL",
            aws_secret_access_key: "literal-secret",
            aws_session_token: "os.environ/AWS_SESSION_TOKEN",
            aws_region_name: "eu-central-1",
            api_base: "http://127.0.0.1:8787/prefix",
            input_cost_per_token: 0.000003,
            output_cost_per_token: 0,
            num_retries: 0,
            timeout: 2.5,
            aws_role_name: "arn:aws:iam::123456789012:role/agent",
            aws_session_name: "proxy",
            aws_external_id: "ext",
            aws_web_identity_token: "os.environ/AWS_SESSION_TOKEN",
            aws_sts_endpoint: "https://sts.eu-central-1.amazonaws.com",
            aws_duration_seconds: 1800,
            aws_profile_name: "default",
          },
          model_info: { id: "anything", mode: "chat" },
        },
      ],
      general_settings: {
        master_key: "os.environ/MASTER_KEY",
        allow_open_access: false,
        cors_allow_origins: ["https://app.example.com", "http://localhost:5173"],
        max_request_size_mb: 0.5,
        stream_keepalive_seconds: 5,
        id_secret: ID_SECRET,
      },
    };
    const { config, warnings } = load(raw);
    expect(warnings).toEqual([]);
    expect(config.models[0]!.params).toEqual({ ...raw.model_list[0]!.litellm_params, aws_session_token: TOKEN, aws_web_identity_token: TOKEN, id_secret: ID_SECRET });
    expect(config).toMatchObject({
      masterKey: MASTER,
      allowOpenAccess: false,
      corsAllowOrigins: ["https://app.example.com", "http://localhost:5173"],
      maxRequestBytes: 512 * 1024,
      streamKeepAliveSeconds: 5,
    });
  });

  it("signs ids with general_settings.id_secret, and warns of a model whose ids it would sign with nothing secret (issue 20.6)", () => {
    const webIdentity = { aws_role_name: "arn:aws:iam::123456789012:role/agent", aws_web_identity_token: "token", aws_access_key_id: undefined, aws_secret_access_key: undefined };
    expect(load(withParams(webIdentity)).warnings).toEqual([expect.stringContaining("web identity, so its tool call and response ids are signed with nothing secret")]);
    const bearer = { model_list: [{ model_name: "runtime", litellm_params: { model: "bedrock/agentcore/arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/agent_1", api_key: "token" } }] };
    // Keys in the environment (ENV has them) would sign its ids: no warning then.
    expect(load(bearer).warnings).toEqual([]);
    expect(load(bearer, {}).warnings).toEqual([expect.stringContaining("bearer api_key, so its response ids need general_settings.id_secret")]);
    const both = { ...withParams({ ...webIdentity, id_secret: "its-own-secret-of-32-characters-or-more" }), general_settings: { id_secret: ID_SECRET } };
    const { config, warnings } = load(both);
    expect(warnings).toEqual([]);
    expect(config.models.map((m) => m.params.id_secret)).toEqual([ID_SECRET, "its-own-secret-of-32-characters-or-more"]);
    // Too short to be a secret; the message does not quote it.
    const message = configError(withGeneral({ id_secret: "short-secret" }));
    expect(message).toContain("general_settings.id_secret");
    expect(message).toContain("at least 32 characters");
    expect(message).not.toContain("short-secret");
  });

  it("warns when a harness's actor_id is one memory for every API key on purpose (issue 20.8)", async () => {
    const keys = { api_keys: [{ name: "team", key_sha256: "0".repeat(64), models: ["bedrock-agent-2"] }] };
    const shared = { ...withParams({ actor_id: "support-bot", actor_id_shared: true }), general_settings: keys };
    expect(load(shared).warnings).toEqual([expect.stringContaining('every API key reads and writes the memory of actor "support-bot"')]);
    expect(load({ ...withParams({ actor_id: "support-bot" }), general_settings: keys }).warnings).toEqual([]);
  });

  it("takes a2a_version as YAML reads it, quoted or not", () => {
    const versions = [1, 1.0, "1.0", 0.3, "0.3"].map((a2a_version) => load(withParams({ a2a_version })).config.models[1]!.params.a2a_version);
    expect(versions).toEqual(["1.0", "1.0", "1.0", "0.3", "0.3"]);
    expect(configError(withParams({ a2a_version: 2 }))).toContain("one of 0.3, 1.0");
  });

  it("takes a literal master key and the open-access opt-in", () => {
    const { config } = load(withGeneral({ master_key: "sk-1234567890", allow_open_access: true, cors_allow_origins: ["*"] }));
    expect(config).toMatchObject({ masterKey: "sk-1234567890", allowOpenAccess: true, corsAllowOrigins: ["*"] });
  });

  it("treats empty sections and null values as absent", () => {
    const raw = withParams({ aws_session_token: null, timeout: null });
    const { config } = load({ ...raw, general_settings: null });
    expect(config.models[1]!.params).not.toHaveProperty("aws_session_token");
    expect(config.masterKey).toBeUndefined();
    expect(load(withGeneral({ master_key: null, cors_allow_origins: null })).config.corsAllowOrigins).toEqual([]);
  });

  it("is valid without a master key and without open access: the server decides", () => {
    expect(load(example()).config).toMatchObject({ masterKey: undefined, allowOpenAccess: false });
  });

  it("takes the request log format and the open-metrics opt-in, LiteLLM's json_logs too", () => {
    expect(load(withGeneral({ log_format: "json", allow_open_metrics: true })).config).toMatchObject({ logFormat: "json", allowOpenMetrics: true });
    expect(load(withGeneral({ log_format: "off" })).config.logFormat).toBe("off");
    const litellm = load({ ...example(), litellm_settings: { json_logs: true } });
    expect(litellm.config.logFormat).toBe("json");
    expect(litellm.warnings).toEqual([]);
    expect(configError(withGeneral({ log_format: "xml" }))).toBe('general_settings.log_format: expected one of text, json, off, got "xml"');
  });

  it("takes LITELLM_MASTER_KEY from the environment when the config sets no master key, as LiteLLM does", () => {
    const env = { ...ENV, LITELLM_MASTER_KEY: "sk-from-the-environment" };
    expect(load(example(), env).config.masterKey).toBe("sk-from-the-environment");
    expect(load(withGeneral({ master_key: null }), env).config.masterKey).toBe("sk-from-the-environment");
    // The config's own key wins; an empty variable is no key.
    expect(load(withGeneral({ master_key: "sk-1234567890" }), env).config.masterKey).toBe("sk-1234567890");
    expect(load(example(), { ...ENV, LITELLM_MASTER_KEY: "" }).config.masterKey).toBeUndefined();
  });

  it("checks LITELLM_MASTER_KEY like a configured key, never quoting it", () => {
    const { warnings } = load(example(), { ...ENV, LITELLM_MASTER_KEY: "sk-zq7" });
    expect(warnings).toContain("LITELLM_MASTER_KEY is shorter than 8 characters: use a long random key");
    const message = configError(example(), { ...ENV, LITELLM_MASTER_KEY: "sk-with space" });
    expect(message).toBe("LITELLM_MASTER_KEY: expected a key without whitespace or control characters");
  });
});

describe("parseConfig: os.environ/ references", () => {
  it("leaves a litellm_params field unset when its variable is, with one warning per variable", () => {
    const { config, warnings } = load(example(), { AWS_SECRET_ACCESS_KEY: SECRET, AWS_ACCESS_KEY_ID: "" });
    for (const { params } of config.models) {
      expect(params).not.toHaveProperty("aws_access_key_id");
      expect(params.aws_secret_access_key).toBe(SECRET);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("os.environ/AWS_ACCESS_KEY_ID is not set");
    expect(warnings[0]).toContain("model_list[0].litellm_params.aws_access_key_id");
    expect(warnings[0]).toContain("model_list[1].litellm_params.aws_access_key_id");
  });

  it("converts numbers and booleans that come from variables", () => {
    const raw = withParams({ num_retries: "os.environ/RETRIES", timeout: "os.environ/TIMEOUT" });
    const { config } = load(
      { ...raw, general_settings: { allow_open_access: "os.environ/OPEN", max_request_size_mb: "os.environ/MB" } },
      { RETRIES: "4", TIMEOUT: "30", OPEN: "true", MB: "2" },
    );
    expect(config.models[1]!.params).toMatchObject({ num_retries: 4, timeout: 30 });
    expect(config).toMatchObject({ allowOpenAccess: true, maxRequestBytes: 2 * 1024 * 1024 });
    expect(configError(raw, { RETRIES: "many", TIMEOUT: "30" })).toBe(
      'model_list[1].litellm_params.num_retries (os.environ/RETRIES): expected an integer >= 0, got "many"',
    );
  });

  it("refuses to start when the master key's variable is unset", () => {
    const message = configError(withGeneral({ master_key: "os.environ/PROXY_MASTER_KEY" }), {});
    expect(message).toMatch(/^general_settings\.master_key: os\.environ\/PROXY_MASTER_KEY is not set/);
  });

  it("refuses an unset model variable and a reference without a name", () => {
    expect(configError(withParams({ model: "os.environ/AGENT_MODEL" }), {})).toBe(
      "model_list[1].litellm_params.model: os.environ/AGENT_MODEL is not set",
    );
    expect(configError(withParams({ aws_region_name: "os.environ/" }))).toMatch(
      /^model_list\[1\]\.litellm_params\.aws_region_name: os\.environ\/ needs a variable name/,
    );
  });

  it("only resolves whole values", () => {
    const { config } = load(withParams({ aws_profile_name: "x os.environ/AWS_ACCESS_KEY_ID" }));
    expect(config.models[1]!.params.aws_profile_name).toBe("x os.environ/AWS_ACCESS_KEY_ID");
  });
});

describe("parseConfig: errors name the key path", () => {
  it.each<[string, unknown, string | RegExp]>([
    ["the model string", withParams({ model: "gpt-4" }), 'model_list[1].litellm_params.model: expected bedrock/agent/{AGENT_ID}/{ALIAS_ID} or bedrock/agentcore/{HARNESS_OR_RUNTIME_ARN}, got "gpt-4"'],
    ["an AgentCore ARN", withParams({ model: "bedrock/agentcore/arn:aws:s3:::bucket" }), /^model_list\[1\]\.litellm_params\.model: expected .*; the ARN must be arn:aws:bedrock-agentcore/],
    ["an agent id", withParams({ model: "bedrock/agent/TOO_LONG_ID1/X" }), /^model_list\[1\]\.litellm_params\.model: expected .*; AGENT_ID must be 1 to 10/],
    ["a missing model", withParams({ model: undefined }), "model_list[1].litellm_params.model: required (bedrock/agent/{AGENT_ID}/{ALIAS_ID} or bedrock/agentcore/{HARNESS_OR_RUNTIME_ARN})"],
    ["a number for a string", withParams({ aws_profile_name: 42 }), "model_list[1].litellm_params.aws_profile_name: expected a non-empty string, got 42"],
    ["an empty string", withParams({ aws_session_name: "" }), 'model_list[1].litellm_params.aws_session_name: expected a non-empty string, got ""'],
    ["negative retries", withParams({ num_retries: -1 }), "model_list[1].litellm_params.num_retries: expected an integer >= 0, got -1"],
    ["fractional retries", withParams({ num_retries: 1.5 }), /num_retries: expected an integer >= 0, got 1\.5$/],
    ["a zero timeout", withParams({ timeout: 0 }), "model_list[1].litellm_params.timeout: expected a number of seconds > 0, got 0"],
    ["a string price", withParams({ input_cost_per_token: "cheap" }), 'model_list[1].litellm_params.input_cost_per_token: expected a number >= 0, got "cheap"'],
    ["a negative price", withParams({ output_cost_per_token: -1 }), /output_cost_per_token: expected a number >= 0, got -1$/],
    ["a region", withParams({ aws_region_name: "evil.com/x" }), 'model_list[1].litellm_params.aws_region_name: expected a region name such as us-east-1, got "evil.com/x"'],
    ["a short role duration", withParams({ aws_duration_seconds: 60 }), "model_list[1].litellm_params.aws_duration_seconds: expected a whole number of seconds from 900 to 43200, got 60"],
    ["an aws_sts_endpoint that is not a URL", withParams({ aws_sts_endpoint: "sts.example.com" }), /litellm_params\.aws_sts_endpoint: expected an http or https URL/],
    ["a non-http api_base", withParams({ api_base: "ftp://example.com" }), /^model_list\[1\]\.litellm_params\.api_base: expected an http or https URL/],
    ["an api_base that is not a URL", withParams({ api_base: "localhost:8080" }), /litellm_params\.api_base: expected an http or https URL/],
    ["an api_base with credentials", withParams({ api_base: "https://u:p@example.com" }), /litellm_params\.api_base: expected an http or https URL without credentials/],
    ["litellm_params as a list", { model_list: [{ model_name: "a", litellm_params: ["x"] }] }, "model_list[0].litellm_params: expected a mapping, got a list"],
    ["no litellm_params", { model_list: [{ model_name: "a" }] }, "model_list[0].litellm_params: required"],
    ["no model_name", { model_list: [{ litellm_params: { model: "bedrock/agent/A/B" } }] }, "model_list[0].model_name: expected a non-empty string, got nothing"],
    ["a numeric model_name", { model_list: [{ model_name: 7, litellm_params: { model: "bedrock/agent/A/B" } }] }, "model_list[0].model_name: expected a non-empty string, got 7"],
    ["a model_name with a space", { model_list: [{ model_name: "my agent", litellm_params: { model: "bedrock/agent/A/B" } }] }, 'model_list[0].model_name: expected a model id without whitespace or control characters, got "my agent"'],
    ["a model_name with a control character", { model_list: [{ model_name: "a\u0007", litellm_params: { model: "bedrock/agent/A/B" } }] }, /^model_list\[0\]\.model_name: expected a model id without whitespace or control characters/],
    ["an entry that is not a mapping", { model_list: ["bedrock/agent/A/B"] }, 'model_list[0]: expected a mapping, got a string'],
    ["no model_list", { general_settings: {} }, "model_list: expected a non-empty list of models, got nothing"],
    ["an empty model_list", { model_list: [] }, "model_list: expected a non-empty list of models, got an empty list"],
    ["model_list as a mapping", { model_list: { a: 1 } }, "model_list: expected a non-empty list of models, got a mapping"],
    ["an empty config", null, "model_list: required, the config is empty"],
    ["a list at the top", [1], "config: expected a mapping, got a list"],
    ["general_settings as a list", { ...example(), general_settings: [] }, "general_settings: expected a mapping, got a list"],
    ["a negative request size", withGeneral({ max_request_size_mb: -5 }), "general_settings.max_request_size_mb: expected a number of megabytes > 0, got -5"],
    ["a string request size", withGeneral({ max_request_size_mb: "10MB" }), 'general_settings.max_request_size_mb: expected a number of megabytes > 0, got "10MB"'],
    ["a zero keep-alive", withGeneral({ stream_keepalive_seconds: 0 }), "general_settings.stream_keepalive_seconds: expected a number of seconds > 0, got 0"],
    ["open access as a string", withGeneral({ allow_open_access: "yes" }), 'general_settings.allow_open_access: expected true or false, got "yes"'],
    ["CORS origins as a string", withGeneral({ cors_allow_origins: "*" }), /^general_settings\.cors_allow_origins: expected a list of origins/],
    ["a CORS origin with a path", withGeneral({ cors_allow_origins: ["*", "https://app.example.com/"] }), /^general_settings\.cors_allow_origins\[1\]: expected "\*" or an origin .*, got "https:\/\/app\.example\.com\/"$/],
    ["a CORS origin without a scheme", withGeneral({ cors_allow_origins: ["app.example.com"] }), /^general_settings\.cors_allow_origins\[0\]: expected "\*" or an origin/],
    ["a numeric master key", withGeneral({ master_key: 12345678 }), "general_settings.master_key: expected a non-empty string, got a number"],
    ["an empty master key", withGeneral({ master_key: "" }), "general_settings.master_key: expected a non-empty string"],
  ])("%s", (_, raw, expected) => {
    const message = configError(raw);
    if (typeof expected === "string") expect(message).toBe(expected);
    else expect(message).toMatch(expected);
  });
});

describe("parseConfig: warnings", () => {
  it("warns about unknown keys anywhere, naming their path", () => {
    const raw = withParams({ stream_timeout: 10, "api key": "x", constructor: "x" }, 0) as Record<string, unknown>;
    (raw.model_list as Array<Record<string, unknown>>)[1]!.max_input_tokens = 5;
    raw.general_settings = { database_url: "postgres://u:p@h/db", master_key: "sk-12345678" };
    raw.include = ["other.yaml"];
    const { config, warnings } = load(raw);
    expect(warnings).toEqual([
      "include: unknown key, ignored",
      "model_list[0].litellm_params.stream_timeout: unknown key, ignored",
      'model_list[0].litellm_params["api key"]: unknown key, ignored',
      "model_list[0].litellm_params.constructor: unknown key, ignored",
      "model_list[1].max_input_tokens: unknown key, ignored",
      "general_settings.database_url: unknown key, ignored",
    ]);
    expect(config.models[0]!.params).not.toHaveProperty("stream_timeout");
    expect(warnings.join("\n")).not.toContain("postgres");
  });

  it("reads LiteLLM's routing keys and warns once for each key it does not use", () => {
    const { config, warnings } = load({
      ...example(),
      litellm_settings: { drop_params: true, num_retries: 3 },
      router_settings: { routing_strategy: "least-busy", enable_pre_call_checks: true },
      environment_variables: { AWS_REGION: "us-east-1" },
    });
    expect(config.router.strategy).toBe("least-busy");
    expect(config.router.numRetries).toBe(3);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/^environment_variables: ignored/);
    expect(warnings[1]).toMatch(/^router_settings\.enable_pre_call_checks: not used/);
    expect(warnings[2]).toMatch(/^litellm_settings\.drop_params: not used/);
  });

  it("keeps every deployment of a model_name, each with its own id", () => {
    const raw = example();
    raw.model_list[1]!.model_name = "bedrock-agent-1";
    const { config, warnings } = load(raw);
    expect(warnings).toEqual([]);
    expect(config.models.map((m) => m.model_name)).toEqual(["bedrock-agent-1", "bedrock-agent-1"]);
    expect(new Set(config.models.map((m) => m.id)).size).toBe(2);
  });

  it("warns about a short master key without quoting it", () => {
    const { config, warnings } = load(withGeneral({ master_key: "sk-zq7" }));
    expect(config.masterKey).toBe("sk-zq7");
    expect(warnings).toEqual(["general_settings.master_key is shorter than 8 characters: use a long random key"]);
  });

  it("accepts model_info silently", () => {
    const raw = example() as { model_list: Array<Record<string, unknown>> };
    raw.model_list[0]!.model_info = { base_model: "anything" };
    expect(load(raw).warnings).toEqual([]);
  });

  it("warns on console by default", () => {
    const original = console.warn;
    const seen: unknown[] = [];
    console.warn = (...args: unknown[]) => void seen.push(...args);
    try {
      parseConfig({ ...example(), extra: 1 }, { lookup: (name) => ENV[name] });
    } finally {
      console.warn = original;
    }
    expect(seen).toEqual(["extra: unknown key, ignored"]);
  });
});

describe("parseConfig: secrets never appear in messages", () => {
  const secretParams = { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET, aws_session_token: TOKEN };
  const cases: Array<[string, unknown, Record<string, string | undefined>]> = [
    ["a secret with whitespace as master key", withGeneral({ master_key: `${MASTER} x` }), ENV],
    ["a master key with a newline, from a variable", withGeneral({ master_key: "os.environ/MASTER_KEY" }), { MASTER_KEY: `${MASTER}\n` }],
    ["a bad region next to literal secrets", withParams({ ...secretParams, aws_region_name: "nowhere" }), ENV],
    ["a bad api_base holding a secret", withParams({ api_base: `https://user:${SECRET}@example.com` }), ENV],
    ["an api_base that is a secret", withParams({ api_base: SECRET }), ENV],
    ["a bad model next to resolved secrets", withParams({ model: "gpt-4", aws_session_token: "os.environ/AWS_SESSION_TOKEN" }), ENV],
    ["a secret under an unknown key then an error", withParams({ api_key: SECRET, timeout: -1 }), ENV],
  ];

  it.each(cases)("%s", (_, raw, env) => {
    const message = configError(raw, env);
    for (const secret of SECRETS) expect(message).not.toContain(secret);
  });

  it("in warnings either", () => {
    const raw = withParams({ ...secretParams, api_key: SECRET, "sk-extra": TOKEN });
    const { warnings } = load({ ...raw, general_settings: { master_key: "os.environ/SHORT", token: MASTER } }, {
      ...ENV,
      SHORT: "sk-zq7",
    });
    expect(warnings.length).toBeGreaterThan(2);
    for (const warning of warnings) {
      for (const secret of [...SECRETS, "sk-zq7"]) expect(warning).not.toContain(secret);
    }
  });
});

describe("parseConfigJson", () => {
  it("reads the Worker's CONFIG string", () => {
    const config = parseConfigJson(JSON.stringify(withGeneral({ master_key: "os.environ/MASTER_KEY" })), {
      lookup: (name) => ENV[name],
      warn: () => {},
    });
    expect(config.masterKey).toBe(MASTER);
    expect(config.models.map((m) => m.model_name)).toEqual(["bedrock-agent-1", "bedrock-agent-2"]);
  });

  it.each([
    `{"general_settings": {"master_key": "${MASTER}"} oops`,
    `nope ${MASTER}`,
    `{"general_settings": {"master_key": "${MASTER}`,
    "",
  ])("refuses invalid JSON without quoting it: %#", (text) => {
    let message = "";
    try {
      parseConfigJson(text, { lookup: () => undefined });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^CONFIG is not valid JSON: \S/);
    expect(message).not.toContain(MASTER);
  });

  it("validates what it parsed", () => {
    expect(() => parseConfigJson("[]", { lookup: () => undefined })).toThrow("config: expected a mapping, got a list");
  });
});
