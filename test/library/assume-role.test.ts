// Credentials the way production has them: STS AssumeRole and AssumeRoleWithWebIdentity against
// the STS emulator, whose credentials the agent runtime emulator then accepts. Runs under Node
// and inside workerd. Each test uses its own role ARN, so the emulators' records are its own.
import { describe, expect, inject, it } from "vitest";
import {
  AuthenticationError,
  BadGatewayError,
  BedrockAgentClient,
  ConfigurationError,
  ConnectionError,
  PermissionDeniedError,
  ServiceUnavailableError,
  completion,
  type ChatMessage,
  type ClientOptions,
} from "../../src/index.ts";
import { STATIC_CREDENTIALS, TEMPORARY_CREDENTIALS, WEB_IDENTITY_TOKEN, WEB_IDENTITY_TOKENS } from "../emulator/credentials.ts";
import { demoAnswer, returnControlInvocationId } from "../emulator/scenarios.ts";
import type { RecordedRequest } from "../emulator/server.ts";
import type { StsCall } from "../emulator/sts.ts";
import { failure } from "./support/failure.ts";

const emulatorUrl = inject("emulatorUrl");
const stsUrl = inject("stsUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const question = "What can you do?";
const messages: ChatMessage[] = [{ role: "user", content: question }];
const keys = {
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
};
const common: ClientOptions = { aws_region_name: "us-east-1", api_base: emulatorUrl, num_retries: 0 };

const newRole = () => `arn:aws:iam::123456789012:role/test-${crypto.randomUUID().slice(0, 8)}`;
const sts = (scenario?: string) => (scenario ? `${stsUrl}/scenario/${scenario}` : stsUrl);
const session = () => `test-${crypto.randomUUID()}`;

function roleClient(role: string, options: ClientOptions = {}): BedrockAgentClient {
  return new BedrockAgentClient({ ...common, ...keys, aws_role_name: role, aws_sts_endpoint: sts(), ...options });
}

async function stsCalls(role: string): Promise<StsCall[]> {
  return (await (await fetch(`${stsUrl}/__sts/calls?roleArn=${encodeURIComponent(role)}`)).json()) as StsCall[];
}

async function revoke(role: string, how: "revoke" | "expire"): Promise<void> {
  const answer = await fetch(`${stsUrl}/__sts/revoke?roleArn=${encodeURIComponent(role)}&how=${how}`, { method: "POST" });
  expect(((await answer.json()) as { revoked: number }).revoked).toBeGreaterThan(0);
}

/** InvokeAgent requests for a session, those refused before the emulator read the path included. */
async function invokes(sessionId: string): Promise<RecordedRequest[]> {
  const all = (await (await fetch(`${emulatorUrl}/__emulator/requests`)).json()) as RecordedRequest[];
  return all.filter((request) => request.path.includes(`/sessions/${sessionId}/`));
}

describe("AssumeRole", () => {
  it("assumes the role with the base keys (SigV4, service sts) and calls the agent with what STS issued", async () => {
    const role = newRole();
    const client = roleClient(role, { aws_session_name: "proxy-1", aws_external_id: "ext-123", aws_duration_seconds: 1800 });
    const sessionId = session();
    const response = await client.completion({ model, messages, session_id: sessionId });
    expect(response.choices[0]!.message.content).toBe(demoAnswer(question));
    const [call, ...more] = await stsCalls(role);
    expect(more).toEqual([]);
    expect(call).toMatchObject({
      action: "AssumeRole",
      roleSessionName: "proxy-1",
      externalId: "ext-123",
      durationSeconds: 1800,
      signedBy: STATIC_CREDENTIALS.accessKeyId,
      status: 200,
    });
    // The static keys carry no token: a signed token proves the temporary credentials were used.
    const [invoke] = await invokes(sessionId);
    expect(invoke!.status).toBe(200);
    expect(invoke!.headers["x-amz-security-token"]).toMatch(/^FwoGZXIvYXdzE/);
  });

  it("caches the credentials: the second call makes no STS call", async () => {
    const role = newRole();
    const client = roleClient(role);
    await client.completion({ model, messages });
    await client.completion({ model, messages });
    const calls = await stsCalls(role);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.roleSessionName).toBe("bedrock-agents-openai");
  });

  it("caches in the client behind completion() too", async () => {
    const role = newRole();
    const params = { ...common, ...keys, model, messages, aws_role_name: role, aws_sts_endpoint: sts() };
    await completion(params);
    await completion(params);
    expect(await stsCalls(role)).toHaveLength(1);
  });

  it("refreshes credentials that expire within 5 minutes, and keeps those that do not", async () => {
    const soon = newRole();
    const client = roleClient(soon, { aws_sts_endpoint: sts("lifetime:240") });
    await client.completion({ model, messages });
    await client.completion({ model, messages });
    expect(await stsCalls(soon)).toHaveLength(2);

    const later = newRole();
    const other = roleClient(later, { aws_sts_endpoint: sts("lifetime:420") });
    await other.completion({ model, messages });
    await other.completion({ model, messages });
    expect(await stsCalls(later)).toHaveLength(1);
  });

  it("makes one STS call for many concurrent requests", async () => {
    const role = newRole();
    const client = roleClient(role, { aws_sts_endpoint: sts("slow:300") });
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.completion({ model, messages })));
    expect(answers.every((a) => a.choices[0]!.message.content === demoAnswer(question))).toBe(true);
    expect(await stsCalls(role)).toHaveLength(1);
  });

  it("keeps one cache entry per base identity: another key, or a wrong secret, never gets them", async () => {
    const role = newRole();
    const client = roleClient(role);
    await client.completion({ model, messages });
    await client.completion({
      model,
      messages,
      aws_access_key_id: TEMPORARY_CREDENTIALS.accessKeyId,
      aws_secret_access_key: TEMPORARY_CREDENTIALS.secretAccessKey,
      aws_session_token: TEMPORARY_CREDENTIALS.sessionToken,
    });
    const error = await failure(client.completion({ model, messages, aws_secret_access_key: "not-the-secret-key-0123" }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.code).toBe("SignatureDoesNotMatch");
    expect((await stsCalls(role)).map((c) => [c.signedBy, c.status])).toEqual([
      [STATIC_CREDENTIALS.accessKeyId, 200],
      [TEMPORARY_CREDENTIALS.accessKeyId, 200],
      [undefined, 403],
    ]);
  });
});

describe("credentials AWS rejects", () => {
  it.each([
    ["revoked", "revoke", "UnrecognizedClientException"],
    ["expired early", "expire", "ExpiredTokenException"],
  ] as const)("%s: one refresh and one retry", async (_, how, code) => {
    const role = newRole();
    const client = roleClient(role);
    await client.completion({ model, messages });
    await revoke(role, how);
    const sessionId = session();
    const response = await client.completion({ model, messages, session_id: sessionId });
    expect(response.choices[0]!.message.content).toBe(demoAnswer(question));
    expect((await invokes(sessionId)).map((r) => [r.status, r.errorType])).toEqual([
      [403, code],
      [200, undefined],
    ]);
    expect(await stsCalls(role)).toHaveLength(2);
  });

  it("refreshes once for many concurrent requests that were all rejected", async () => {
    const role = newRole();
    const client = roleClient(role, { aws_sts_endpoint: sts("slow:200") });
    await client.completion({ model, messages });
    await revoke(role, "revoke");
    await Promise.all(Array.from({ length: 6 }, () => client.completion({ model, messages })));
    expect(await stsCalls(role)).toHaveLength(2);
  });

  it("raises a second rejection instead of looping", async () => {
    const role = newRole();
    const client = roleClient(role, { aws_sts_endpoint: sts("unregistered") });
    const sessionId = session();
    const error = await failure(client.completion({ model, messages, session_id: sessionId }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.awsCode).toBe("UnrecognizedClientException");
    expect(await invokes(sessionId)).toHaveLength(2);
    expect(await stsCalls(role)).toHaveLength(2);
  });

  it("does not retry rejected static keys: a refresh would give the same ones", async () => {
    const sessionId = session();
    const client = new BedrockAgentClient({ ...common, ...keys, aws_secret_access_key: "wrong-secret-key-0123456789" });
    const error = await failure(client.completion({ model, messages, session_id: sessionId }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(await invokes(sessionId)).toHaveLength(1);
  });
});

describe("web identity", () => {
  const identity = (role: string, options: ClientOptions = {}) =>
    new BedrockAgentClient({
      ...common,
      aws_role_name: role,
      aws_web_identity_token: WEB_IDENTITY_TOKEN,
      aws_sts_endpoint: sts(),
      ...options,
    });

  it("calls AssumeRoleWithWebIdentity unsigned, caches per token, and calls the agent", async () => {
    const role = newRole();
    const client = identity(role, { aws_session_name: "ci-run-7" });
    expect((await client.completion({ model, messages })).choices[0]!.message.content).toBe(demoAnswer(question));
    await client.completion({ model, messages });
    await client.completion({ model, messages, aws_web_identity_token: WEB_IDENTITY_TOKENS[1] });
    const calls = await stsCalls(role);
    expect(calls.map((c) => [c.action, c.roleSessionName, c.signedBy, c.status])).toEqual([
      ["AssumeRoleWithWebIdentity", "ci-run-7", undefined, 200],
      ["AssumeRoleWithWebIdentity", "ci-run-7", undefined, 200],
    ]);
  });

  it("refuses an invalid token with a 403 naming the role and the code, never the token", async () => {
    const role = newRole();
    const token = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJmb3JnZWQifQ.not-a-valid-signature";
    const error = await failure(identity(role, { aws_web_identity_token: token }).completion({ model, messages }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.code).toBe("InvalidIdentityToken");
    expect(error.message).toContain(role);
    expect(error.message).toContain("InvalidIdentityToken");
    expect(JSON.stringify(error.toJSON()) + error.message).not.toContain(token);
  });

  it("needs aws_role_name", async () => {
    const error = await failure(
      new BedrockAgentClient({ ...common, aws_web_identity_token: WEB_IDENTITY_TOKEN }).completion({ model, messages }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain("aws_role_name");
    expect(error.message).not.toContain(WEB_IDENTITY_TOKEN);
  });

  it("says that AWS_WEB_IDENTITY_TOKEN_FILE and profiles need file access, which only the Node server gives", async () => {
    const tokenFile = await failure(
      new BedrockAgentClient({
        ...common,
        env: { AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/token", AWS_ROLE_ARN: newRole() },
      }).completion({ model, messages }),
    );
    expect(tokenFile).toBeInstanceOf(ConfigurationError);
    expect(tokenFile.message).toMatch(/AWS_WEB_IDENTITY_TOKEN_FILE needs file access/);
    const profile = await failure(new BedrockAgentClient({ ...common, aws_profile_name: "prod" }).completion({ model, messages }));
    expect(profile).toBeInstanceOf(ConfigurationError);
    expect(profile.message).toMatch(/AWS profile "prod": profiles need the Node server/);
  });
});

describe("STS errors", () => {
  it("AccessDenied: a 403 naming the role and the code, without a secret in the message or the JSON", async () => {
    const role = newRole();
    const client = roleClient(role, { aws_sts_endpoint: sts("error:AccessDenied"), aws_external_id: "external-id-secret-42" });
    const error = await failure(client.completion({ model, messages }));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toContain(role);
    expect(error.message).toContain("AccessDenied");
    const everything = `${error.message} ${JSON.stringify(error.toJSON())}`;
    for (const secret of [STATIC_CREDENTIALS.secretAccessKey, "external-id-secret-42", "Signature="]) {
      expect(everything).not.toContain(secret);
    }
  });

  it.each([
    ["error:Throttling", ServiceUnavailableError, 503],
    ["error:ServiceUnavailable", ServiceUnavailableError, 503],
    ["error:InternalFailure", BadGatewayError, 502],
  ] as const)("%s: a %s (%i)", async (scenario, type, status) => {
    const role = newRole();
    const error = await failure(roleClient(role, { aws_sts_endpoint: sts(scenario) }).completion({ model, messages }));
    expect(error).toBeInstanceOf(type);
    expect(error.status).toBe(status);
    expect(error.code).toBe(scenario.split(":")[1]);
    expect(error.message).toContain(role);
  });

  it("an unreachable STS: a connection error naming the role", async () => {
    const role = newRole();
    const error = await failure(roleClient(role, { aws_sts_endpoint: "http://127.0.0.1:9" }).completion({ model, messages }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toContain(role);
  });

  it("refuses a malformed role ARN or session name before calling STS", async () => {
    for (const options of [{ aws_role_name: "my-role" }, { aws_session_name: "has spaces" }, { aws_duration_seconds: 60 }]) {
      const error = await failure(roleClient(newRole(), options).completion({ model, messages }));
      expect(error).toBeInstanceOf(ConfigurationError);
    }
  });
});

describe("tool call ids across a credential refresh", () => {
  // Credentials that expire within the refresh window are new on every call: so is their secret.
  it.each([
    ["an assumed role", (role: string) => roleClient(role, { aws_sts_endpoint: sts("lifetime:240") })],
    [
      "web identity",
      (role: string) =>
        new BedrockAgentClient({
          ...common,
          aws_role_name: role,
          aws_web_identity_token: WEB_IDENTITY_TOKEN,
          aws_sts_endpoint: sts("lifetime:240"),
        }),
    ],
  ])("%s: tool results sent after a refresh are still accepted", async (_, make) => {
    const role = newRole();
    const client = make(role);
    const api_base = `${emulatorUrl}/scenario/return-control`;
    const first = await client.completion({ model, messages, api_base });
    const calls = first.choices[0]!.message.tool_calls!;
    const second = await client.completion({
      model,
      api_base,
      messages: [
        ...messages,
        { role: "assistant", content: null, tool_calls: calls },
        ...calls.map((call) => ({ role: "tool" as const, tool_call_id: call.id, content: "done" })),
      ],
    });
    expect(second.choices[0]!.finish_reason).toBe("stop");
    const [, followUp] = await invokes(first.session_id);
    expect((followUp!.body as { sessionState: { invocationId: string } }).sessionState.invocationId).toBe(
      returnControlInvocationId(first.session_id),
    );
    expect(await stsCalls(role)).toHaveLength(2);
  });
});
