// The STS emulator checks what STS checks, and what it issues behaves at the agent runtime
// emulator as temporary credentials do: accepted, then expired or revoked.
import { AwsClient } from "aws4fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATIC_CREDENTIALS, WEB_IDENTITY_TOKEN } from "../emulator/credentials.ts";
import { type Emulator, startEmulator } from "../emulator/server.ts";
import { type StsEmulator, startStsEmulator } from "../emulator/sts.ts";

const ROLE = "arn:aws:iam::123456789012:role/emulator-check";
const FORM = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + encodeURIComponent(ROLE) + "&RoleSessionName=check";

describe("the STS emulator", () => {
  let clock = Date.now();
  let runtime: Emulator;
  let sts: StsEmulator;
  beforeAll(async () => {
    runtime = await startEmulator({ now: () => clock });
    sts = await startStsEmulator({ agentRuntime: runtime, now: () => clock });
  });
  afterAll(async () => {
    await Promise.all([runtime.close(), sts.close()]);
  });

  const assume = (credentials: { accessKeyId: string; secretAccessKey: string }, service = "sts", url = sts.url) =>
    new AwsClient({ ...credentials, service, region: "us-east-1", retries: 0 }).fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: FORM,
    });

  const invoke = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new AwsClient({ ...credentials, service: "bedrock", region: "us-east-1", retries: 0 }).fetch(
      `${runtime.url}/agents/L1RT58GYRW/agentAliases/MFPSBCXYTW/sessions/check-1/text`,
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ inputText: "hi" }) },
    );

  const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

  it.each([
    ["an unknown key", { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" }, "sts", "InvalidClientTokenId"],
    ["a wrong secret", { ...STATIC_CREDENTIALS, secretAccessKey: "wrong" }, "sts", "SignatureDoesNotMatch"],
    ["the wrong service", STATIC_CREDENTIALS, "bedrock", "SignatureDoesNotMatch"],
  ])("refuses AssumeRole signed with %s, as STS does", async (_, credentials, service, code) => {
    const response = await assume(credentials, service);
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(field(xml, "Code")).toBe(code);
    expect(field(xml, "Type")).toBe("Sender");
  });

  it("refuses a web identity token it does not know, and takes one it does, unsigned", async () => {
    const form = (token: string) =>
      fetch(`${sts.url}/?Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=ci&WebIdentityToken=${token}`);
    expect(field(await (await form("eyJforged")).text(), "Code")).toBe("InvalidIdentityToken");
    const ok = await form(WEB_IDENTITY_TOKEN);
    expect(ok.status).toBe(200);
    expect(field(await ok.text(), "SubjectFromWebIdentityToken")).toBe("repo:example/agent");
  });

  it("issues credentials the agent runtime takes until they expire, or until they are revoked", async () => {
    const issue = async (scenario: string) => {
      const xml = await (await assume(STATIC_CREDENTIALS, "sts", `${sts.url}/scenario/${scenario}`)).text();
      return {
        accessKeyId: field(xml, "AccessKeyId")!,
        secretAccessKey: field(xml, "SecretAccessKey")!,
        sessionToken: field(xml, "SessionToken")!,
        expiration: field(xml, "Expiration")!,
      };
    };
    const expiring = await issue("lifetime:60");
    expect(Date.parse(expiring.expiration) - clock).toBeGreaterThan(58_000);
    expect((await invoke(expiring)).status).toBe(200);
    clock += 61_000;
    const expired = await invoke(expiring);
    expect([expired.status, expired.headers.get("x-amzn-errortype")?.split(":")[0]]).toEqual([403, "ExpiredTokenException"]);

    const revoked = await issue("lifetime:3600");
    expect((await invoke(revoked)).status).toBe(200);
    expect(sts.revoke(ROLE)).toBeGreaterThan(0);
    const refused = await invoke(revoked);
    expect([refused.status, refused.headers.get("x-amzn-errortype")?.split(":")[0]]).toEqual([403, "UnrecognizedClientException"]);
    expect(sts.calls.filter((c) => c.issued && c.action === "AssumeRole")).toHaveLength(2);
  });
});
