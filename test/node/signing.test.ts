// The synchronous signer (node:crypto) signs exactly as aws4fetch's WebCrypto one does.
import * as nodeCrypto from "node:crypto";
import { AwsV4Signer } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { type SyncCrypto, SyncV4Signer } from "../../src/aws/signing.ts";

const cases = [
  { body: JSON.stringify({ inputText: "Hello, agent — ünïcode ✓" }), sessionToken: undefined, region: "us-east-1", service: "bedrock" },
  { body: "", sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE/token+with=chars", region: "eu-central-1", service: "bedrock-agentcore" },
  { body: "Action=AssumeRole&Version=2011-06-15", sessionToken: undefined, region: "us-west-2", service: "sts" },
];

describe("SyncV4Signer", () => {
  it.each(cases)("gives aws4fetch's Authorization header ($service, $region)", async ({ body, sessionToken, region, service }) => {
    const init = {
      method: "POST",
      url: "https://bedrock-agent-runtime.us-east-1.amazonaws.com/agents/A1/agentAliases/B2/sessions/s%3A1/text?x=1&a=b",
      headers: { "content-type": "application/json", accept: "application/vnd.amazon.eventstream" },
      body,
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      sessionToken,
      region,
      service,
      datetime: "20261201T120000Z",
    };
    const expected = await new AwsV4Signer(init).sign();
    const keys = new Map<string, Uint8Array>();
    const signer = new SyncV4Signer(init, nodeCrypto as unknown as SyncCrypto, keys);
    const actual = await signer.sign();
    expect(actual.headers.get("authorization")).toBe(expected.headers.get("authorization"));
    expect(actual.headers.get("x-amz-security-token")).toBe(expected.headers.get("x-amz-security-token"));
    // A second request of the same day reuses the derived key, and still agrees.
    const again = await new SyncV4Signer({ ...init, body: `${body} ` }, nodeCrypto as unknown as SyncCrypto, keys).sign();
    expect(again.headers.get("authorization")).toBe((await new AwsV4Signer({ ...init, body: `${body} ` }).sign()).headers.get("authorization"));
    expect(keys.size).toBe(1);
  });
});
