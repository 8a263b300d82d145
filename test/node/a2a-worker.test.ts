// The A2A surface in the Worker (wrangler dev, workerd), with the official client: a blocking
// send and a stream from Agents Classic and from an AgentCore harness, a contextId carried over.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { HARNESS_ARN, harnessAnswer } from "../emulator/agentcore-scenarios.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { demoAnswer } from "../emulator/scenarios.ts";
import { TaskState, a2aClient, answerText, asTask, text, userMessage } from "./support/a2a-client.ts";
import { type WranglerDev, startWranglerDev } from "./support/wrangler-dev.ts";

const emulatorUrl = inject("emulatorUrl");
const MASTER = "sk-a2a-worker-master-0123456789";
const secrets = { TEST_KEY_ID: STATIC_CREDENTIALS.accessKeyId, TEST_SECRET: STATIC_CREDENTIALS.secretAccessKey, TEST_MASTER_KEY: MASTER };

const model = (name: string, modelString: string, region?: string) => ({
  model_name: name,
  litellm_params: {
    model: modelString,
    aws_access_key_id: "os.environ/TEST_KEY_ID",
    aws_secret_access_key: "os.environ/TEST_SECRET",
    ...(region ? { aws_region_name: region } : {}),
    api_base: emulatorUrl,
    num_retries: 0,
  },
});

const config = {
  model_list: [model("agent", "bedrock/agent/L1RT58GYRW/MFPSBCXYTW", "us-west-2"), model("harness", `bedrock/agentcore/${HARNESS_ARN}`)],
  general_settings: { master_key: "os.environ/TEST_MASTER_KEY", stream_keepalive_seconds: 0.2 },
};

describe("A2A in the Worker (wrangler dev)", () => {
  let worker: WranglerDev;
  beforeAll(async () => {
    worker = await startWranglerDev({ CONFIG: JSON.stringify(config), ...secrets });
  }, 60_000);
  afterAll(() => worker?.close());

  it("answers a blocking send and streams the answer piece by piece", async () => {
    const client = await a2aClient(worker.url, "agent", MASTER);
    const card = await client.getAgentCard();
    expect(card.supportedInterfaces[0]!.url).toBe(`${worker.url}/a2a/agent`);
    const task = asTask(await client.sendMessage(userMessage([text("Hello Worker")])));
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(answerText(task)).toBe(demoAnswer("Hello Worker"));
    const pieces: string[] = [];
    let final: unknown;
    for await (const event of client.sendMessageStream(userMessage([text("Stream from the Worker")]))) {
      if (event.payload?.$case === "artifactUpdate") pieces.push(...event.payload.value.artifact!.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")));
      if (event.payload?.$case === "statusUpdate") final = event.payload.value.status?.state;
    }
    expect(pieces.join("")).toBe(demoAnswer("Stream from the Worker"));
    expect(pieces.filter(Boolean).length).toBeGreaterThan(3);
    expect(final).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it("continues a harness session through contextId, streamed", async () => {
    const client = await a2aClient(worker.url, "harness", MASTER);
    const first = asTask(await client.sendMessage(userMessage([text("Hello")])));
    let answer = "";
    let contextId = "";
    for await (const event of client.sendMessageStream(userMessage([text("Again")], { contextId: first.contextId }))) {
      if (event.payload?.$case === "task") contextId = event.payload.value.contextId;
      if (event.payload?.$case === "artifactUpdate") answer += event.payload.value.artifact!.parts.map((p) => (p.content?.$case === "text" ? p.content.value : "")).join("");
    }
    expect(contextId).toBe(first.contextId);
    expect(answer).toBe(harnessAnswer("Again", 3));
  });
});
