// Node only: profiles of the shared AWS config files and the web identity token file, read by
// bin/aws-files.ts and handed to the library through its aws_file_reader hook.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { nodeAwsFileReader, parseIni } from "../../bin/aws-files.ts";
import { BedrockAgentClient, ConfigurationError, PermissionDeniedError, type ClientOptions } from "../../src/index.ts";
import { STATIC_CREDENTIALS, TEMPORARY_CREDENTIALS, WEB_IDENTITY_TOKEN, WEB_IDENTITY_TOKENS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";
import type { StsCall } from "../emulator/sts.ts";
import { failure } from "../library/support/failure.ts";

const emulatorUrl = inject("emulatorUrl");
const stsUrl = inject("stsUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const messages = [{ role: "user" as const, content: "What can you do?" }];
const dir = mkdtempSync(join(tmpdir(), "aws-profiles-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const newRole = () => `arn:aws:iam::123456789012:role/profile-${crypto.randomUUID().slice(0, 8)}`;

/** Writes a credentials and a config file; a client reading them, and STS at the emulator. */
function withFiles(credentials: string, config: string, options: ClientOptions = {}): BedrockAgentClient {
  const name = crypto.randomUUID();
  const files = { AWS_SHARED_CREDENTIALS_FILE: join(dir, `${name}.credentials`), AWS_CONFIG_FILE: join(dir, `${name}.config`) };
  writeFileSync(files.AWS_SHARED_CREDENTIALS_FILE, credentials);
  writeFileSync(files.AWS_CONFIG_FILE, config);
  return new BedrockAgentClient({
    aws_region_name: "us-east-1",
    api_base: emulatorUrl,
    aws_sts_endpoint: stsUrl,
    num_retries: 0,
    aws_file_reader: nodeAwsFileReader(files),
    ...options,
  });
}

async function stsCalls(role: string): Promise<StsCall[]> {
  return (await (await fetch(`${stsUrl}/__sts/calls?roleArn=${encodeURIComponent(role)}`)).json()) as StsCall[];
}

const staticKeys = `aws_access_key_id = ${STATIC_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${STATIC_CREDENTIALS.secretAccessKey}\n`;

describe("the region of a profile", () => {
  it("signs for the selected profile's region when nothing else names one", async () => {
    const session = `profile-region-${crypto.randomUUID()}`;
    const client = withFiles(`[dev]\n${staticKeys}`, "[default]\nregion = eu-west-3\n[profile dev]\nregion = ap-northeast-2\n", {
      aws_region_name: undefined,
      aws_profile_name: "dev",
    });
    await client.completion({ model, messages, session_id: session });
    const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as Array<{ sessionId?: string; signingRegion?: string }>;
    expect(all.find((r) => r.sessionId === session)?.signingRegion).toBe("ap-northeast-2");
  });
});

describe("aws_profile_name", () => {
  it("takes a profile's static keys from the credentials file", async () => {
    const client = withFiles(`# keys\n[dev]\n${staticKeys}`, "", { aws_profile_name: "dev" });
    expect((await client.completion({ model, messages })).choices[0]!.message.content).toBe(demoAnswer("What can you do?"));
  });

  it("assumes a profile's role_arn with its source_profile's keys, with its external id and session name, cached", async () => {
    const role = newRole();
    const client = withFiles(
      `[base]\n${staticKeys}`,
      `[profile prod]\nrole_arn = ${role}\nsource_profile = base\nexternal_id = ext-9\nrole_session_name = from-profile\nregion = eu-west-1\n`,
      { aws_profile_name: "prod" },
    );
    await client.completion({ model, messages });
    await client.completion({ model, messages });
    const calls = await stsCalls(role);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      action: "AssumeRole",
      signedBy: STATIC_CREDENTIALS.accessKeyId,
      externalId: "ext-9",
      roleSessionName: "from-profile",
      status: 200,
    });
  });

  it("chains: a role whose source profile is itself a role", async () => {
    const [outer, inner] = [newRole(), newRole()];
    const client = withFiles(
      `[base]\n${staticKeys}`,
      `[profile inner]\nrole_arn = ${inner}\nsource_profile = base\n[profile outer]\nrole_arn = ${outer}\nsource_profile = inner\n`,
      { aws_profile_name: "outer" },
    );
    await client.completion({ model, messages });
    const [innerCall] = await stsCalls(inner);
    const [outerCall] = await stsCalls(outer);
    expect(innerCall!.signedBy).toBe(STATIC_CREDENTIALS.accessKeyId);
    expect(outerCall!.signedBy).toBe(innerCall!.issued);
  });

  it("lets the credentials file win over the config file, reads [default] and AWS_PROFILE", async () => {
    const client = withFiles(
      `[default]\n${staticKeys}`,
      `[default]\naws_access_key_id = AKIAWRONGKEY0000000\naws_secret_access_key = wrong\n[profile temp]\n` +
        `aws_access_key_id = ${TEMPORARY_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${TEMPORARY_CREDENTIALS.secretAccessKey}\n` +
        `aws_session_token = ${TEMPORARY_CREDENTIALS.sessionToken}\n`,
    );
    await client.completion({ model, messages, aws_profile_name: "default" });
    await client.completion({ model, messages, env: { AWS_PROFILE: "temp" } });
  });

  it("uses a profile as the base of aws_role_name", async () => {
    const role = newRole();
    const client = withFiles(`[ci]\n${staticKeys}`, "", { aws_profile_name: "ci", aws_role_name: role });
    await client.completion({ model, messages });
    expect((await stsCalls(role))[0]!.signedBy).toBe(STATIC_CREDENTIALS.accessKeyId);
  });

  it.each([
    ["a missing profile", "", "", "nope", /AWS profile "nope" is not in the shared config or credentials file/],
    ["a source_profile loop", "", "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n", "a", /loops/],
    ["SSO", "", "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\n", "sso", /SSO, credential_process and credential_source are not supported/],
    ["a bad role_arn", "", "[profile r]\nrole_arn = my-role\nsource_profile = r\n", "r", /profile r: role_arn "my-role" is not a role ARN/],
  ])("refuses %s with a ConfigurationError", async (_, credentials, config, profile, message) => {
    const error = await failure(withFiles(credentials, config, { aws_profile_name: profile }).completion({ model, messages }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(message);
  });
});

describe("AWS_WEB_IDENTITY_TOKEN_FILE", () => {
  it("assumes AWS_ROLE_ARN with the file's token, and reads the file again when it refreshes", async () => {
    const role = newRole();
    const tokenFile = join(dir, `${crypto.randomUUID()}.token`);
    writeFileSync(tokenFile, `${WEB_IDENTITY_TOKEN}\n`);
    const client = withFiles("", "", {
      aws_sts_endpoint: `${stsUrl}/scenario/lifetime:240`,
      env: { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: role, AWS_ROLE_SESSION_NAME: "pod-1" },
    });
    await client.completion({ model, messages });
    writeFileSync(tokenFile, WEB_IDENTITY_TOKENS[1]); // rotated, as Kubernetes does
    await client.completion({ model, messages });
    writeFileSync(tokenFile, "eyJhbGciOiJub25lIn0.eyJzdWIiOiJleHBpcmVkIn0.bad");
    const error = await failure(client.completion({ model, messages }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.code).toBe("InvalidIdentityToken");
    expect((await stsCalls(role)).map((c) => [c.action, c.roleSessionName, c.status])).toEqual([
      ["AssumeRoleWithWebIdentity", "pod-1", 200],
      ["AssumeRoleWithWebIdentity", "pod-1", 200],
      ["AssumeRoleWithWebIdentity", "pod-1", 400],
    ]);
  });

  it("takes web_identity_token_file from a profile; an unreadable file is a ConfigurationError naming it", async () => {
    const role = newRole();
    const tokenFile = join(dir, `${crypto.randomUUID()}.token`);
    writeFileSync(tokenFile, WEB_IDENTITY_TOKEN);
    const config = `[profile eks]\nrole_arn = ${role}\nweb_identity_token_file = ${tokenFile}\n[profile gone]\nrole_arn = ${role}\nweb_identity_token_file = ${tokenFile}.missing\n`;
    await withFiles("", config, { aws_profile_name: "eks" }).completion({ model, messages });
    expect((await stsCalls(role))[0]!.action).toBe("AssumeRoleWithWebIdentity");
    const error = await failure(withFiles("", config, { aws_profile_name: "gone" }).completion({ model, messages }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(`${tokenFile}.missing`);
  });
});

describe("parseIni", () => {
  it("reads sections and keys as the AWS CLI writes them, skipping comments and nested blocks", () => {
    const ini = parseIni(
      "# comment\n; also\n[default]\nregion = us-east-1\nAWS_Access_Key_Id=AKIA1\ns3 =\n  max_concurrent_requests = 20\n\n[profile  dev ]\nrole_arn = arn:x\r\n",
    );
    expect(Object.fromEntries(ini)).toEqual({
      default: { region: "us-east-1", aws_access_key_id: "AKIA1", s3: "" },
      "profile dev": { role_arn: "arn:x" },
    });
  });
});
