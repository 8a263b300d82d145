// Seeded, reproducible fuzzing of the event-stream decoder: mutated, truncated and
// concatenated frames, cut into random network reads. Every input must end in events or a
// typed error, quickly; nothing may hang or throw anything else.
import { describe, expect, it } from "vitest";
import { AgentError } from "../../src/errors.ts";
import { MAX_FRAME_BYTES } from "../../src/aws/event-stream.ts";
import { agentEvents } from "../../src/backends/agents-classic/events.ts";
import { chunkFrame, errorFrame, eventFrame, exceptionFrame } from "../emulator/frames.ts";
import { mulberry32 } from "../emulator/slicing.ts";
import { concat, streamOf } from "../library/support/streams.ts";

const SEED = 20261125;
const INPUTS = 100_000;

const valid: Uint8Array[] = [
  chunkFrame("Hello, "),
  chunkFrame("wörld 🌍", { citations: [{ generatedResponsePart: { textResponsePart: { text: "w", span: { start: 0, end: 1 } } } }] }),
  eventFrame("trace", { agentId: "A", trace: { orchestrationTrace: { modelInvocationOutput: { metadata: { usage: { inputTokens: 3, outputTokens: 4 } } } } } }),
  eventFrame("returnControl", { invocationId: "i", invocationInputs: [] }),
  eventFrame("files", { files: [{ name: "a.txt", type: "text/plain", bytes: btoa("abc") }] }),
  eventFrame("unknownEvent", { x: 1 }),
  exceptionFrame("throttlingException", { message: "slow down" }),
  errorFrame("InternalFailure", "boom"),
];

function mutate(random: () => number): Uint8Array {
  const pick = () => valid[Math.floor(random() * valid.length)]!;
  const parts = Array.from({ length: 1 + Math.floor(random() * 4) }, pick);
  let bytes = concat(parts);
  const mutations = Math.floor(random() * 4);
  for (let m = 0; m < mutations; m++) {
    const at = Math.floor(random() * bytes.length);
    switch (Math.floor(random() * 6)) {
      case 0: // flip bits
        bytes[at] = bytes[at]! ^ (1 << Math.floor(random() * 8));
        break;
      case 1: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 2: // delete a run
        bytes = concat([bytes.subarray(0, at), bytes.subarray(Math.min(bytes.length, at + 1 + Math.floor(random() * 16)))]);
        break;
      case 3: // insert random bytes
        bytes = concat([bytes.subarray(0, at), randomBytes(random, 1 + Math.floor(random() * 16)), bytes.subarray(at)]);
        break;
      case 4: // a random length prefix, huge ones included
        if (bytes.length >= 4) new DataView(bytes.buffer, bytes.byteOffset).setUint32(0, Math.floor(random() * 2 ** 32));
        break;
      default: // append garbage
        bytes = concat([bytes, randomBytes(random, Math.floor(random() * 32))]);
    }
  }
  return bytes;
}

function slices(bytes: Uint8Array, random: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * (random() < 0.5 ? 8 : 256));
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  return out;
}

describe("event-stream decoder fuzzing", () => {
  it(`ends ${INPUTS} mutated inputs in events or a typed error, never a hang or a crash`, async () => {
    const random = mulberry32(SEED);
    const outcomes = { events: 0, typedErrors: 0 };
    let slowest = 0;
    for (let i = 0; i < INPUTS; i++) {
      const input = mutate(random);
      const pieces = slices(input, random);
      const started = performance.now();
      try {
        for await (const _event of agentEvents(streamOf(pieces))) outcomes.events++;
      } catch (error) {
        if (!(error instanceof AgentError)) {
          throw new Error(`input ${i} (seed ${SEED}) raised ${String(error)}: ${Array.from(input).join(",")}`);
        }
        outcomes.typedErrors++;
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    expect(outcomes.typedErrors).toBeGreaterThan(INPUTS / 4);
    expect(outcomes.events).toBeGreaterThan(INPUTS / 4);
    expect(slowest).toBeLessThan(1000);
  }, 120_000);

  it("rejects a frame claiming a huge length as soon as its prefix arrives, without waiting for more", async () => {
    let pulls = 0;
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, MAX_FRAME_BYTES + 1);
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(pulls === 1 ? prefix : new Uint8Array(64 * 1024));
      },
    });
    const error = await (async () => {
      for await (const _event of agentEvents(endless));
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as Error).message).toMatch(/claims/);
    expect(pulls).toBeLessThanOrEqual(2);
  });
});



function randomBytes(random: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}
