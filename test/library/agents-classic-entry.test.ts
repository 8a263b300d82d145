// The narrow entry `bedrock-agents-openai/agents-classic`: completion() with one backend, key pairs only.
import { describe, expect, inject, it } from "vitest";
import { BadRequestError, ClassicAgentClient, ConfigurationError } from "../../src/agents-classic.ts";
import { HARNESS_ARN } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";
import { failure } from "./support/failure.ts";

const client = new ClassicAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
  api_base: inject("emulatorUrl"),
});

describe("the Agents Classic entry", () => {
  it("answers a Classic agent as the main entry does", async () => {
    const completion = await client.completion({ model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", messages: [{ role: "user", content: "Hi" }] });
    expect(completion.choices[0]!.message.content).toBe(demoAnswer("Hi"));
  });

  it("says which models it serves when given another kind", async () => {
    const error = await failure(client.completion({ model: `bedrock/agentcore/${HARNESS_ARN}`, messages: [{ role: "user", content: "Hi" }] }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toBe("This build serves only Agents Classic (bedrock/agent/...), not AgentCore harnesses");
  });

  it("takes key pairs from the environment too, and refuses roles and profiles, naming the main entry", async () => {
    const fromEnv = new ClassicAgentClient({ aws_region_name: "us-east-1", api_base: inject("emulatorUrl") });
    const env = { AWS_ACCESS_KEY_ID: STATIC_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: STATIC_CREDENTIALS.secretAccessKey };
    const completion = await fromEnv.completion({ model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", messages: [{ role: "user", content: "Hi" }], env });
    expect(completion.choices[0]!.message.content).toBe(demoAnswer("Hi"));
    for (const setting of [{ aws_role_name: "arn:aws:iam::123456789012:role/agent" }, { aws_profile_name: "work" }]) {
      const error = await failure(client.completion({ model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", messages: [{ role: "user", content: "Hi" }], ...setting }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain("needs the main entry (bedrock-agents-openai)");
      expect(error.message).toContain(Object.keys(setting)[0]);
    }
  });
});
