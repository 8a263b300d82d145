// The decode benchmark's AgentCore harness side: a long InvokeHarness answer's event-stream bytes,
// served from memory to our client and to the AWS SDK's BedrockAgentCoreClient.
import { Readable } from "node:stream";
import { BedrockAgentCoreClient, InvokeHarnessCommand } from "@aws-sdk/client-bedrock-agentcore";
import { HttpResponse } from "@smithy/protocol-http";
import { BedrockAgentClient } from "../src/client.ts";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { HARNESS_ARN } from "../test/emulator/agentcore-scenarios.ts";
import { eventFrame } from "../test/emulator/frames.ts";
import { wordPieces } from "../test/emulator/scenarios.ts";

export const HARNESS_MODEL = `bedrock/agentcore/${HARNESS_ARN}`;
const SESSION_ID = "bench-harness-session-0000000000000001";

/** A long harness answer: `pieces` text deltas of a few words, with a usage `metadata` event every 100. */
export function longHarnessFrames(pieces: number): { frames: Uint8Array[]; text: string } {
  const words = wordPieces(
    "The harness keeps writing its long answer, one piece of a few words at a time, with accents (café, naïve), " +
      "CJK (東京, データ) and emoji (🚀) mixed in, because real answers are not all ASCII. ",
  );
  const frames = [eventFrame("messageStart", { role: "assistant" }), eventFrame("contentBlockStart", { contentBlockIndex: 0, start: {} })];
  let text = "";
  for (let i = 0; i < pieces; i++) {
    const piece = words[i % words.length]!;
    text += piece;
    frames.push(eventFrame("contentBlockDelta", { contentBlockIndex: 0, delta: { text: piece } }));
    if (i % 100 === 99) frames.push(eventFrame("metadata", { usage: { inputTokens: 10, outputTokens: 100, totalTokens: 110 }, metrics: { latencyMs: 5 } }));
  }
  frames.push(eventFrame("contentBlockStop", { contentBlockIndex: 0 }), eventFrame("messageStop", { stopReason: "end_turn" }));
  return { frames, text };
}

const RESPONSE_HEADERS = { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": "00000000-0000-4000-8000-000000000001" };

/** Our client for the harness, whose `fetch` answers every request with these reads. */
export function ourHarnessClient(body: Uint8Array[]): BedrockAgentClient {
  const fetch = async () => {
    let next = 0;
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => (next < body.length ? c.enqueue(body[next++]!) : c.close()) });
    return new Response(stream, { status: 200, headers: RESPONSE_HEADERS });
  };
  return new BedrockAgentClient({
    fetch: fetch as typeof globalThis.fetch,
    aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
    aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
    num_retries: 0,
  });
}

/** The AWS SDK's AgentCore client, whose request handler answers with these reads. */
export function sdkHarnessClient(body: Uint8Array[]): BedrockAgentCoreClient {
  return new BedrockAgentCoreClient({
    region: "us-west-2",
    credentials: STATIC_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      async handle() {
        return { response: new HttpResponse({ statusCode: 200, headers: RESPONSE_HEADERS, body: Readable.from(body, { objectMode: false }) }) };
      },
    } as never,
  });
}

/** InvokeHarness through the SDK, iterating every event; returns the length of the answer's text. */
export async function sdkHarnessInvoke(client: BedrockAgentCoreClient): Promise<number> {
  const output = await client.send(
    new InvokeHarnessCommand({ harnessArn: HARNESS_ARN, runtimeSessionId: SESSION_ID, messages: [{ role: "user", content: [{ text: "Hi" }] }] }),
  );
  let length = 0;
  for await (const event of output.stream!) length += event.contentBlockDelta?.delta?.text?.length ?? 0;
  return length;
}
