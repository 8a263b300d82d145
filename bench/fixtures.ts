// What the in-process benchmarks (decode, cpu) feed both sides: the agent's event-stream bytes,
// served from memory to our client (a `fetch`) and to the AWS SDK (a `requestHandler`).
import { Readable } from "node:stream";
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { HttpResponse } from "@smithy/protocol-http";
import { BedrockAgentClient } from "../src/client.ts";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";
import { chunkFrame } from "../test/emulator/frames.ts";
import { type StreamPlan, planScenario, wordPieces } from "../test/emulator/scenarios.ts";

// The SDK warns once that Node 20 support ends in 2027: noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export const MODEL = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
export const QUESTION = "Hi, what can you help me with?";
const SESSION_ID = "bench-session-0001";
/** Reads from a socket rarely exceed this; both sides get the bytes cut the same way. */
export const READ_BYTES = 16 * 1024;

/** The frames the emulator's `demo` agent streams: 15 pieces of text and 8 trace events. */
export function demoFrames(): Uint8Array[] {
  const plan = planScenario("demo", {
    agentId: "L1RT58GYRW",
    agentAliasId: "MFPSBCXYTW",
    sessionId: SESSION_ID,
    body: { inputText: QUESTION, enableTrace: true, streamingConfigurations: { streamFinalResponse: true } },
    method: "POST",
    path: "/",
    headers: {},
    attempt: 1,
  }) as StreamPlan;
  return plan.steps.flatMap((step) => ("frame" in step ? [step.frame] : []));
}

/**
 * A long streamed answer: `pieces` chunk events of a few words each (as an agent streams its
 * final response), with the demo's 8 trace events spread through it, one every 10 pieces.
 */
export function longAnswerFrames(pieces: number): { frames: Uint8Array[]; text: string } {
  const demo = demoFrames();
  const traces = demo.filter((_, i) => i < 3 || i >= demo.length - 5); // the demo's traces, chunks left out
  const words = wordPieces(
    "The agent keeps writing its long answer, one piece of a few words at a time, with accents (café, naïve), " +
      "CJK (東京, データ) and emoji (🚀) mixed in, because real answers are not all ASCII. ",
  );
  const frames: Uint8Array[] = [];
  let text = "";
  for (let i = 0; i < pieces; i++) {
    if (i % 10 === 0) frames.push(traces[(i / 10) % traces.length]!);
    const piece = words[i % words.length]!;
    text += piece;
    frames.push(chunkFrame(piece));
  }
  return { frames, text };
}

/** Concatenated frames cut into reads of READ_BYTES, cutting frames anywhere. */
export function reads(frames: Uint8Array[]): Uint8Array[] {
  const all = Buffer.concat(frames);
  const out: Uint8Array[] = [];
  for (let at = 0; at < all.length; at += READ_BYTES) out.push(all.subarray(at, at + READ_BYTES));
  return out;
}

const RESPONSE_HEADERS = {
  "content-type": "application/vnd.amazon.eventstream",
  "x-amzn-requestid": "00000000-0000-4000-8000-000000000000",
  "x-amz-bedrock-agent-session-id": SESSION_ID,
  "x-amzn-bedrock-agent-content-type": "application/json",
};

/** Our client, signing as usual, whose `fetch` answers every request with these reads. */
export function ourClient(body: Uint8Array[]): BedrockAgentClient {
  // The signed request is not read, as the SDK's handler below does not read its own.
  const fetch = async () => {
    let next = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (next < body.length) controller.enqueue(body[next++]!);
        else controller.close();
      },
    });
    return new Response(stream, { status: 200, headers: RESPONSE_HEADERS });
  };
  return new BedrockAgentClient({
    fetch: fetch as typeof globalThis.fetch,
    aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
    aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
    aws_region_name: "us-east-1",
    num_retries: 0,
  });
}

export const ourRequest = { model: MODEL, messages: [{ role: "user" as const, content: QUESTION }] };

/** The AWS SDK client, signing as usual, whose request handler answers with these reads (a Node stream, as its own handler gives). */
export function sdkClient(body: Uint8Array[]): BedrockAgentRuntimeClient {
  return new BedrockAgentRuntimeClient({
    region: "us-east-1",
    credentials: STATIC_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: {
      async handle() {
        const response = new HttpResponse({ statusCode: 200, headers: RESPONSE_HEADERS, body: Readable.from(body, { objectMode: false }) });
        return { response };
      },
    } as never,
  });
}

/** InvokeAgent through the SDK, iterating every event; returns the number of answer bytes. */
export async function sdkInvoke(client: BedrockAgentRuntimeClient): Promise<number> {
  const output = await client.send(
    new InvokeAgentCommand({ agentId: "L1RT58GYRW", agentAliasId: "MFPSBCXYTW", sessionId: SESSION_ID, inputText: QUESTION, enableTrace: true }),
  );
  let bytes = 0;
  for await (const event of output.completion!) if (event.chunk?.bytes) bytes += event.chunk.bytes.byteLength;
  return bytes;
}
