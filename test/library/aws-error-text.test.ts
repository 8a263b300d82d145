// Errors that quote AWS: what AWS echoes of a signed request is cut from every message (the
// library's caller is trusted with AWS's text, never with credentials), and each such error
// knows AWS's text apart from a summary for callers that are not trusted with it.
// Runs under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { AgentError, AuthenticationError, BedrockAgentClient, PermissionDeniedError, RateLimitError } from "../../src/index.ts";
import { awsError } from "../../src/errors.ts";
import { scrubAwsMessage, scrubSecrets } from "../../src/scrub.ts";
import { STATIC_CREDENTIALS, WEB_IDENTITY_TOKEN } from "../emulator/credentials.ts";
import { FAILURE_REASON } from "../emulator/scenarios.ts";
import { failure } from "./support/failure.ts";

const emulatorUrl = inject("emulatorUrl");
const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SIGNATURE = "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
const HEADER = `AWS4-HMAC-SHA256 Credential=${KEY_ID}/20150830/us-east-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=${SIGNATURE}`;
const SESSION_TOKEN = `IQoJb3JpZ2luX2VjEHwaCXVzLWVhc3QtMSJHMEUCIQD${"Zm9vYmFyYmF6".repeat(30)}`;

describe("scrubSecrets", () => {
  // AWS's messages as AWS words them, each quoting something it must not pass on.
  const cases: Array<[string, string, string]> = [
    [
      "IncompleteSignatureException quoting a header without `=` after the key id",
      `'${KEY_ID}/20150830/us-east-1/bedrock/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${HEADER.replace("Credential=", "")}'.`,
      "'[redacted]/20150830/us-east-1/bedrock/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: [redacted].",
    ],
    [
      "IncompleteSignatureException naming a missing parameter",
      `Authorization header requires 'SignedHeaders' parameter. Authorization=${HEADER}`,
      "Authorization header requires 'SignedHeaders' parameter. Authorization=[redacted]",
    ],
    [
      "the hashed form some services use",
      "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): 'kZt0YXN0ZWRIZWFkZXI='.",
      "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): [redacted].",
    ],
    [
      "InvalidSignatureException with the canonical request and the string to sign",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n" +
        `The Canonical String for this request should have been\n'POST\n/agents/A/text\n\nhost:bedrock-agent-runtime.us-east-1.amazonaws.com\nx-amz-security-token:${SESSION_TOKEN}\n'\n\n` +
        "The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/bedrock/aws4_request\nabc'\n",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    ],
    [
      "a presigned URL's query",
      `Request has expired: https://bucket.s3.amazonaws.com/k?X-Amz-Credential=${KEY_ID}%2F20150830%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${SIGNATURE}`,
      "Request has expired: https://bucket.s3.amazonaws.com/k?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]",
    ],
    ["a temporary key id anywhere", "The key ASIAY34FZKBOKMUTVV7A is not valid.", "The key [redacted] is not valid."],
    ["a bearer token", "Authorization failed for Bearer abc.def-ghi", "Authorization failed for Bearer [redacted]"],
    ["a JWT", `Invalid identity token ${WEB_IDENTITY_TOKEN} for the provider`, "Invalid identity token [redacted] for the provider"],
    ["a session token", `The security token ${SESSION_TOKEN} is expired`, "The security token [redacted] is expired"],
  ];
  it.each(cases)("cuts %s", (_what, message, expected) => {
    expect(scrubSecrets(message)).toBe(expected);
  });

  it("masks the secrets it is given, and leaves ARNs to the callers that may read them", () => {
    const text = "User: arn:aws:iam::123456789012:user/alice is not authorized; external id ext-id-0042 was wrong";
    expect(scrubSecrets(text, ["ext-id-0042"])).toBe("User: arn:aws:iam::123456789012:user/alice is not authorized; external id [redacted] was wrong");
    expect(scrubAwsMessage("no such agent ".repeat(50))).toHaveLength(500);
  });
});

describe("an error that quotes AWS", () => {
  it("keeps AWS's text apart, and summarizes it without that text", () => {
    const error = awsError("AccessDeniedException", 403, "AccessDeniedException: User: arn:aws:iam::123456789012:user/alice is not authorized", {
      awsMessage: "User: arn:aws:iam::123456789012:user/alice is not authorized",
      requestId: "req-1",
    });
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.awsMessage).toBe("User: arn:aws:iam::123456789012:user/alice is not authorized");
    expect(error.safeMessage).toBe("AWS refused the call: AccessDeniedException (HTTP 403); AWS request id req-1");
    const summary = error.withoutAwsText();
    expect(summary).toBeInstanceOf(PermissionDeniedError);
    expect(summary.toJSON()).toEqual({
      error: { message: "AWS refused the call: AccessDeniedException (HTTP 403); AWS request id req-1", type: "permission_error", param: null, code: "AccessDeniedException" },
    });
    expect([summary.status, summary.awsCode, summary.requestId, summary.awsMessage]).toEqual([403, "AccessDeniedException", "req-1", undefined]);
  });

  it("keeps what makes the caller retry: the class, retryable, retryAfter", () => {
    const summary = awsError("ThrottlingException", 429, "ThrottlingException: Rate exceeded", { retryAfter: 3 }).withoutAwsText();
    expect(summary).toBeInstanceOf(RateLimitError);
    expect([summary.retryable, summary.retryAfter, summary.message]).toEqual([true, 3, "AWS refused the call: ThrottlingException (HTTP 429)"]);
  });

  it("is itself when it quotes nothing of AWS's", () => {
    const ours = new PermissionDeniedError("This API key may not use the model `x`", { code: "model_not_allowed" });
    expect(ours.withoutAwsText()).toBe(ours);
    expect(ours.safeMessage).toBe(ours.message);
  });

  it("never keeps a key id or a signature, whoever made it", () => {
    const error = new AgentError(`Could not reach the agent at host: Authorization=${HEADER}`);
    expect(error.message).toBe("Could not reach the agent at host: Authorization=[redacted]");
  });
});

describe("the library's caller", () => {
  const client = new BedrockAgentClient({
    aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
    aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
    aws_region_name: "us-east-1",
    num_retries: 0,
  });
  const ask = (scenario: string) =>
    client.completion({ model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", messages: [{ role: "user", content: "x" }], api_base: `${emulatorUrl}/scenario/${scenario}` });

  it("gets a Classic failure trace's reason as AWS's text", async () => {
    const error = await failure(ask("failure-trace"));
    expect(error.awsMessage).toBe(FAILURE_REASON);
    expect(error.safeMessage).toBe("The agent failed: dependency_failed_error (HTTP 424)");
  });

  it("reads AWS's whole text, without the Authorization header AWS echoed (IncompleteSignatureException)", async () => {
    const error = await failure(ask("mangled-authorization"));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.awsCode).toBe("IncompleteSignatureException");
    expect(error.message).toContain("not a valid key=value pair (missing equal-sign) in Authorization header: [redacted]");
    for (const text of [error.message, error.awsMessage!]) {
      expect(text).not.toContain(STATIC_CREDENTIALS.accessKeyId);
      expect(text).not.toMatch(/Signature=(?!\[redacted\])|[0-9a-f]{64}/);
    }
  });
});
