// The whole path with a role: the Node server, configured with aws_role_name, assumes it at the
// STS emulator and calls the agent runtime emulator with what STS issued; the openai client
// on the other side sees an ordinary chat model.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startServer, type RunningServer } from "../../bin/server.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";
import type { StsCall } from "../emulator/sts.ts";

const emulatorUrl = inject("emulatorUrl");
const stsUrl = inject("stsUrl");
const MASTER_KEY = "sk-test-master-key-roles-0123";
const role = `arn:aws:iam::123456789012:role/endpoint-${crypto.randomUUID().slice(0, 8)}`;
const profileRole = `arn:aws:iam::123456789012:role/endpoint-profile-${crypto.randomUUID().slice(0, 8)}`;
const secrets: Record<string, string> = {
  TEST_AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  TEST_AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  TEST_EXTERNAL_ID: "external-id-endpoint-7",
};
const question = "What can you do?";
const dir = mkdtempSync(join(tmpdir(), "endpoint-profile-"));

const entry = (name: string, params: Record<string, unknown>) => ({
  model_name: name,
  litellm_params: {
    model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
    aws_region_name: "us-west-2",
    api_base: emulatorUrl,
    num_retries: 0,
    ...params,
  },
});
const roleParams = {
  aws_access_key_id: "os.environ/TEST_AWS_ACCESS_KEY_ID",
  aws_secret_access_key: "os.environ/TEST_AWS_SECRET_ACCESS_KEY",
  aws_role_name: role,
  aws_session_name: "endpoint",
  aws_external_id: "os.environ/TEST_EXTERNAL_ID",
  aws_duration_seconds: 900,
  aws_sts_endpoint: stsUrl,
};

async function stsCalls(roleArn: string): Promise<StsCall[]> {
  return (await (await fetch(`${stsUrl}/__sts/calls?roleArn=${encodeURIComponent(roleArn)}`)).json()) as StsCall[];
}

describe("the Node endpoint with an assumed role", () => {
  let server: RunningServer;
  let openai: OpenAI;
  const saved = { ...process.env };

  beforeAll(async () => {
    // The server's profile reader reads the files process.env names, when it is asked.
    const credentials = join(dir, "credentials");
    writeFileSync(credentials, `[endpoint]\naws_access_key_id = ${STATIC_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${STATIC_CREDENTIALS.secretAccessKey}\n`);
    writeFileSync(join(dir, "config"), `[profile endpoint-role]\nrole_arn = ${profileRole}\nsource_profile = endpoint\n`);
    process.env.AWS_SHARED_CREDENTIALS_FILE = credentials;
    process.env.AWS_CONFIG_FILE = join(dir, "config");
    const config = parseConfig(
      {
        model_list: [
          entry("role-agent", roleParams),
          entry("denied", { ...roleParams, aws_sts_endpoint: `${stsUrl}/scenario/error:AccessDenied` }),
          entry("profile-agent", { aws_profile_name: "endpoint-role", aws_sts_endpoint: stsUrl }),
        ],
        general_settings: { master_key: MASTER_KEY },
      },
      { lookup: (name) => secrets[name] },
    );
    server = await startServer({ config, port: 0, log: () => {} });
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0 });
  });
  afterAll(async () => {
    await server?.close();
    for (const name of ["AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"]) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers, streamed or not, with one AssumeRole for all requests", async () => {
    const completion = await openai.chat.completions.create({ model: "role-agent", messages: [{ role: "user", content: question }] });
    expect(completion.choices[0]!.message.content).toBe(demoAnswer(question));
    const stream = await openai.chat.completions.create({
      model: "role-agent",
      messages: [{ role: "user", content: question }],
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe(demoAnswer(question));
    const calls = await stsCalls(role);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      action: "AssumeRole",
      roleSessionName: "endpoint",
      externalId: secrets.TEST_EXTERNAL_ID,
      durationSeconds: 900,
      signedBy: STATIC_CREDENTIALS.accessKeyId,
    });
  });

  it("reads an aws_profile_name from the shared files (the Node server's file hook)", async () => {
    const completion = await openai.chat.completions.create({ model: "profile-agent", messages: [{ role: "user", content: question }] });
    expect(completion.choices[0]!.message.content).toBe(demoAnswer(question));
    expect((await stsCalls(profileRole))[0]).toMatchObject({ action: "AssumeRole", signedBy: STATIC_CREDENTIALS.accessKeyId });
  });

  it("answers an STS refusal with a 403 naming the role and the code, and no secret", async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "denied", messages: [{ role: "user", content: question }] }),
    });
    expect(response.status).toBe(403);
    const body = await response.text();
    const { error } = JSON.parse(body) as { error: { message: string; code: string; type: string } };
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toContain(role);
    for (const secret of [STATIC_CREDENTIALS.secretAccessKey, secrets.TEST_EXTERNAL_ID]) expect(body).not.toContain(secret);

    const raised = await openai.chat.completions
      .create({ model: "denied", messages: [{ role: "user", content: question }] })
      .catch((e: unknown) => e);
    expect(raised).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});
