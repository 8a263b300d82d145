// AWS's own error text through the Node server: AWS names accounts, users, roles and policies,
// and echoes the Authorization header. An API key's caller gets the error's type, AWS's code, the
// status and AWS's request id; the master key gets AWS's text, scrubbed of secrets; the server's
// log keeps it (scrubbed) once per failure. No key id or signature shows anywhere.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type RunningServer, startServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { EXCEPTION_MID_STREAM_PARTS, HTTP_ERROR_MESSAGES } from "../emulator/scenarios.ts";

const emulatorUrl = inject("emulatorUrl");
const stsUrl = inject("stsUrl");
const MASTER_KEY = "sk-aws-text-master-4e1f0b77";
const TEAM_KEY = "sk-aws-text-team-93c2d5a8e1";
const role = `arn:aws:iam::123456789012:role/aws-text-${crypto.randomUUID().slice(0, 8)}`;
const secrets: Record<string, string> = {
  AT_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId,
  AT_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey,
  AT_MASTER_KEY: MASTER_KEY,
};
const ACCESS_DENIED = HTTP_ERROR_MESSAGES.AccessDeniedException!;
/** What AWS's texts in these scenarios say, none of which an API key's caller may read. */
const AWS_WORDS = ["arn:aws", "is not authorized", "not a valid key=value pair", "emulator", "aws4_request"];
/** What must never show anywhere, whoever asks. */
const NEVER_SHOWN = [STATIC_CREDENTIALS.accessKeyId, STATIC_CREDENTIALS.secretAccessKey, MASTER_KEY, TEAM_KEY];
const SIGNATURE = /Signature=(?!\[redacted\])|\b[0-9a-f]{64}\b/;

async function config() {
  const model = (name: string, params: Record<string, unknown>) => ({
    model_name: name,
    litellm_params: {
      model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
      aws_access_key_id: "os.environ/AT_ACCESS_KEY_ID",
      aws_secret_access_key: "os.environ/AT_SECRET_ACCESS_KEY",
      aws_region_name: "us-east-1",
      num_retries: 0,
      ...params,
    },
  });
  const models = [
    model("denied", { api_base: `${emulatorUrl}/scenario/http-error:AccessDeniedException` }),
    model("role-denied", {
      api_base: emulatorUrl,
      aws_role_name: role,
      aws_session_name: "aws-text",
      aws_sts_endpoint: `${stsUrl}/scenario/error:AccessDenied`,
    }),
    model("mangled", { api_base: `${emulatorUrl}/scenario/mangled-authorization` }),
    model("denied-mid-stream", { api_base: `${emulatorUrl}/scenario/exception-mid-stream:accessDeniedException` }),
  ];
  return {
    model_list: models,
    general_settings: {
      master_key: "os.environ/AT_MASTER_KEY",
      api_keys: [{ name: "team", key_sha256: await hashKey(TEAM_KEY), models: models.map((m) => m.model_name) }],
    },
  };
}

describe("AWS's error text through the Node server", () => {
  let server: RunningServer;
  const failureLines: string[] = [];
  const requestLines: string[] = [];
  /** Every body and header the callers saw. */
  const seen: string[] = [];

  beforeAll(async () => {
    server = await startServer({
      config: parseConfig(await config(), { lookup: (name) => secrets[name] }),
      port: 0,
      log: (line) => failureLines.push(line),
      requestLog: (line) => requestLines.push(line),
    });
  });
  afterAll(() => server?.close());

  const call = async (path: string, body: Record<string, unknown>, key: string) => {
    const response = await fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    seen.push(JSON.stringify([...response.headers]), text);
    return { status: response.status, requestId: response.headers.get("x-amzn-requestid"), text };
  };
  const chat = (model: string, key: string, more: Record<string, unknown> = {}) =>
    call("/v1/chat/completions", { model, messages: [{ role: "user", content: "x" }], ...more }, key);
  const errorOf = (text: string) => (JSON.parse(text) as { error: { message: string; type: string; code: string } }).error;
  /** The failure lines logged while `run` ran. */
  const logged = async (run: () => Promise<unknown>) => {
    const before = failureLines.length;
    await run();
    await new Promise((resolve) => setTimeout(resolve, 50)); // a stream's failure is logged as it ends
    return failureLines.slice(before);
  };

  it("gives an API key AWS's code, status and request id for an AccessDeniedException, the master key AWS's text", async () => {
    let team: Awaited<ReturnType<typeof chat>> | undefined;
    const lines = await logged(async () => (team = await chat("denied", TEAM_KEY)));
    expect(team!.status).toBe(403);
    const error = errorOf(team!.text);
    expect(error).toMatchObject({ type: "permission_error", code: "AccessDeniedException" });
    expect(error.message).toBe(`AWS refused the call: AccessDeniedException (HTTP 403); AWS request id ${team!.requestId}`);
    for (const words of AWS_WORDS) expect(team!.text).not.toContain(words);
    // A 403 from AWS is the operator's to fix: logged, with AWS's whole text.
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`403 PermissionDeniedError: AccessDeniedException: ${ACCESS_DENIED}`);
    expect(lines[0]).toContain(`aws-request-id=${team!.requestId}`);

    const master = await chat("denied", MASTER_KEY);
    expect(master.status).toBe(403);
    expect(errorOf(master.text).message).toBe(`AccessDeniedException: ${ACCESS_DENIED}`);
  });

  it("answers the Messages route in Anthropic's shape, with the same summary", async () => {
    const team = await call("/v1/messages", { model: "denied", max_tokens: 9, messages: [{ role: "user", content: "x" }] }, TEAM_KEY);
    expect(team.status).toBe(403);
    expect(JSON.parse(team.text)).toEqual({
      type: "error",
      error: { type: "permission_error", message: `AWS refused the call: AccessDeniedException (HTTP 403); AWS request id ${team.requestId}` },
    });
  });

  it("names neither the role nor STS's text to an API key when STS refuses AssumeRole", async () => {
    let team: Awaited<ReturnType<typeof chat>> | undefined;
    const lines = await logged(async () => (team = await chat("role-denied", TEAM_KEY)));
    expect(team!.status).toBe(403);
    const error = errorOf(team!.text);
    expect(error.code).toBe("AccessDenied");
    expect(error.message).toMatch(/^Could not assume the configured role: AccessDenied \(HTTP 403\); AWS request id [\w-]+$/);
    expect(team!.text).not.toContain(role);
    for (const words of AWS_WORDS) expect(team!.text).not.toContain(words);
    const stsText = `User: arn:aws:iam::123456789012:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${role}`;
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Could not assume role ${role} (AssumeRole): AccessDenied: ${stsText}`);

    const master = errorOf((await chat("role-denied", MASTER_KEY)).text);
    expect(master.message).toBe(`Could not assume role ${role} (AssumeRole): AccessDenied: ${stsText}`);
  });

  it("cuts the Authorization header AWS echoes in an IncompleteSignatureException, for the master key and the log too", async () => {
    let team: Awaited<ReturnType<typeof chat>> | undefined;
    const lines = await logged(async () => (team = await chat("mangled", TEAM_KEY)));
    expect(team!.status).toBe(401);
    const error = errorOf(team!.text);
    expect(error).toMatchObject({ type: "authentication_error", code: "IncompleteSignatureException" });
    expect(error.message).toBe(`AWS refused the call: IncompleteSignatureException (HTTP 401); AWS request id ${team!.requestId}`);
    for (const words of AWS_WORDS) expect(team!.text).not.toContain(words);

    const master = errorOf((await chat("mangled", MASTER_KEY)).text);
    // AWS's words stay, what they quoted of the header does not.
    expect(master.message).toMatch(
      /^IncompleteSignatureException: '\[redacted\]\/\d{8}\/us-east-1\/bedrock\/aws4_request' not a valid key=value pair \(missing equal-sign\) in Authorization header: \[redacted\]$/,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("401 AuthenticationError: IncompleteSignatureException: '[redacted]/");
    expect(lines[0]).toContain("in Authorization header: [redacted]");
  });

  it("reports an exception mid-stream to an API key without AWS's text, on every surface", async () => {
    const summary = /^AWS ended the answer with an error: AccessDeniedException \(HTTP 403\); AWS request id [\w-]+$/;
    let bodies: string[] = [];
    const lines = await logged(async () => {
      bodies = await Promise.all([
        chat("denied-mid-stream", TEAM_KEY, { stream: true }).then((r) => r.text),
        call("/v1/responses", { model: "denied-mid-stream", input: "x", stream: true }, TEAM_KEY).then((r) => r.text),
        call("/v1/messages", { model: "denied-mid-stream", max_tokens: 9, stream: true, messages: [{ role: "user", content: "x" }] }, TEAM_KEY).then(
          (r) => r.text,
        ),
        chat("denied-mid-stream", TEAM_KEY).then((r) => r.text),
      ]);
    });
    const [chatSse, responsesSse, messagesSse, whole] = bodies as [string, string, string, string];
    for (const body of bodies.slice(0, 3)) expect(body).toContain(EXCEPTION_MID_STREAM_PARTS[0]);
    const events = (sse: string) =>
      sse
        .split("\n\n")
        .map((event) => /^data: (.*)$/m.exec(event)?.[1])
        .filter((data): data is string => data !== undefined && data !== "[DONE]")
        .map((data) => JSON.parse(data) as Record<string, any>);
    expect(events(chatSse).at(-1)!.error.message).toMatch(summary);
    const failedResponse = events(responsesSse).find((event) => event.type === "response.failed")!;
    expect(failedResponse.response.error.message).toMatch(summary);
    expect(events(responsesSse).at(-1)).toMatchObject({ type: "error", code: "AccessDeniedException" });
    expect(events(responsesSse).at(-1)!.message).toMatch(summary);
    expect(events(messagesSse).at(-1)).toMatchObject({ type: "error", error: { type: "permission_error" } });
    expect(events(messagesSse).at(-1)!.error.message).toMatch(summary);
    expect(errorOf(whole).message).toMatch(summary);
    for (const body of bodies) for (const words of AWS_WORDS) expect(body).not.toContain(words);
    // Each failure once, with AWS's text, whichever way it travelled.
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line).toContain(`403 PermissionDeniedError: AccessDeniedException: ${ACCESS_DENIED}`);

    const master = await chat("denied-mid-stream", MASTER_KEY, { stream: true });
    expect(events(master.text).at(-1)!.error.message).toBe(`AccessDeniedException: ${ACCESS_DENIED}`);
  });

  it("shows no key id, signature, secret or key in any body, header, log or request-log line", () => {
    const everything = [...seen, ...failureLines, ...requestLines].join("\n");
    expect(everything).toContain("IncompleteSignatureException");
    for (const secret of NEVER_SHOWN) expect(everything).not.toContain(secret);
    expect(everything).not.toMatch(SIGNATURE);
  });
});
