// idle_timeout counts silence, not the whole answer: one timer per call, read times noted.
import { describe, expect, it } from "vitest";
import { BedrockAgentClient } from "../../src/client.ts";
import { TimeoutError } from "../../src/errors.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame } from "../emulator/frames.ts";
import { failure } from "./support/failure.ts";

const MODEL = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";

/** A client whose agent sends `pieces` chunks `everyMs` apart, then stops (and closes only if `close`). */
function agent(pieces: number, everyMs: number, close: boolean): BedrockAgentClient {
  return new BedrockAgentClient({
    aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
    aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
    aws_region_name: "us-east-1",
    num_retries: 0,
    idle_timeout: 0.3,
    // As a real fetch does, an aborted signal fails the body.
    fetch: async (_url, init) => {
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          init?.signal?.addEventListener("abort", () => controller.error(init.signal!.reason));
        },
        async pull(controller) {
          if (sent === pieces) {
            if (close) controller.close();
            return new Promise(() => {}); // silent from here on
          }
          if (sent > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
          controller.enqueue(chunkFrame(`piece ${sent++} `));
        },
      });
      return new Response(body, { headers: { "content-type": "application/vnd.amazon.eventstream" } });
    },
  });
}

describe("idle_timeout", () => {
  it("lets an answer that keeps coming run far past it", async () => {
    // 10 pieces 100 ms apart: a second in all, never 0.3 s silent.
    const completion = await agent(10, 100, true).completion({ model: MODEL, messages: [{ role: "user", content: "Hi" }] });
    expect(completion.choices[0]!.message.content).toBe(Array.from({ length: 10 }, (_, i) => `piece ${i} `).join(""));
  });

  it("fails an answer once it falls silent for that long, also after many reads", async () => {
    const error = await failure(agent(5, 100, false).completion({ model: MODEL, messages: [{ role: "user", content: "Hi" }] }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.code).toBe("idle_timeout");
  });
});
