// What an open stream holds while it waits for its next read, counted in a heap snapshot (objects,
// not timings): none of the text it has already passed on (a stage that kept its last batch, as a
// suspended generator does, or a buffer of the answer would keep one string per stream or more),
// and no hidden class of its own; and, through the Node server, no web stream.
import { type IncomingMessage, request as httpRequest } from "node:http";
import { getHeapSnapshot } from "node:v8";
import { describe, expect, inject, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { BedrockAgentClient } from "../../src/client.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import type { ChatCompletionChunk } from "../../src/types.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { chunkFrame, eventFrame } from "../emulator/frames.ts";
import { STALL_TEXT_BEFORE } from "../emulator/scenarios.ts";

const STREAMS = 200;
const PIECES = 4;
const MARK = "held-text-marker";

/** A piece of text no other string in the heap starts with. */
const piece = (stream: number, index: number) => `${MARK}-${stream}-${index}-${"x".repeat(900)}`;

/** Counted in a snapshot of this process's heap: strings that start with MARK, hidden classes and web streams. */
async function heapCounts(): Promise<{ held: number; shapes: number; webStreams: number }> {
  let json = "";
  for await (const part of getHeapSnapshot()) json += part;
  const snapshot = JSON.parse(json) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const { node_fields, node_types } = snapshot.snapshot.meta;
  const fields = node_fields.length;
  const typeAt = node_fields.indexOf("type");
  const nameAt = node_fields.indexOf("name");
  let held = 0;
  let shapes = 0;
  let webStreams = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields) {
    const type = node_types[0][snapshot.nodes[i + typeAt]!];
    const name = snapshot.strings[snapshot.nodes[i + nameAt]!]!;
    if (type === "string" && name.startsWith(MARK)) held++;
    if (type === "object shape" && name === "system / Map") shapes++;
    if (type === "object" && name === "ReadableStream") webStreams++;
  }
  return { held, shapes, webStreams };
}

/** Opens one stream of a surface; its text deltas, one by one. */
type Open = (client: BedrockAgentClient) => Promise<AsyncIterator<unknown>>;
const MODEL = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const surfaces: Array<[string, Open, (event: unknown) => string | undefined]> = [
  [
    "chat completions",
    async (client) => (await client.completion({ model: MODEL, stream: true, messages: [{ role: "user", content: "Hi" }] }))[Symbol.asyncIterator](),
    (chunk) => (chunk as ChatCompletionChunk).choices[0]?.delta.content ?? undefined,
  ],
  [
    "Messages",
    async (client) => (await client.messages({ model: MODEL, stream: true, max_tokens: 100, messages: [{ role: "user", content: "Hi" }] }))[Symbol.asyncIterator](),
    (event) => ((event as { delta?: { text?: string } }).delta?.text),
  ],
];

describe("an open stream between reads", () => {
  it.each(surfaces)("holds none of the text it passed on (%s)", { timeout: 60_000 }, async (_name, open, textOf) => {
    const upstreams: Array<ReadableStreamDefaultController<Uint8Array>> = [];
    const client = new BedrockAgentClient({
      aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
      aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
      aws_region_name: "us-east-1",
      num_retries: 0,
      // An agent in memory: each stream's frames are enqueued by the test.
      fetch: async () =>
        new Response(new ReadableStream<Uint8Array>({ start: (controller) => void upstreams.push(controller) }), {
          headers: { "content-type": "application/vnd.amazon.eventstream", "x-amzn-requestid": crypto.randomUUID() },
        }),
    });
    await open(client); // the first stream of this surface makes the shapes every later one shares
    upstreams.pop()!.close();
    const before = await heapCounts();
    const streams = [];
    for (let i = 0; i < STREAMS; i++) {
      streams.push(await open(client));
    }
    expect(upstreams).toHaveLength(STREAMS);
    const trace = eventFrame("trace", { trace: { orchestrationTrace: { rationale: { text: "Thinking." } } } });
    upstreams.forEach((upstream) => upstream.enqueue(trace));
    let received = 0;
    for (let index = 0; index < PIECES; index++) {
      upstreams.forEach((upstream, stream) => upstream.enqueue(chunkFrame(piece(stream, index))));
      // Each stream's chunks up to this piece's text; nothing of them is kept here.
      await Promise.all(
        streams.map(async (stream) => {
          for (;;) {
            const { value, done } = await stream.next();
            if (done) throw new Error("the stream ended early");
            if (textOf(value)?.startsWith(MARK)) return void received++;
          }
        }),
      );
    }
    expect(received).toBe(STREAMS * PIECES);
    // Every stream now waits for its next read, with its answer half done.
    const pending = streams.map((stream) => stream.next());
    const { held, shapes } = await heapCounts();
    expect(held).toBeLessThan(STREAMS / 10);
    // Objects of one kind share a hidden class; a literal with getters, or a spread in a hot path,
    // makes one per stream, kept while it is open (with a dictionary of its properties). Node's web
    // streams and abort signals make about 6 per stream here; ours made 3 to 4 more.
    expect((shapes - before.shapes) / STREAMS).toBeLessThan(8);
    upstreams.forEach((upstream) => upstream.close());
    await Promise.all(pending);
  });
});

describe("the Node server with streams open", () => {
  it("keeps no web stream per stream: the AWS answer is read from its socket", { timeout: 60_000 }, async () => {
    const emulatorUrl = inject("emulatorUrl");
    const config = {
      model_list: [
        {
          model_name: "agent",
          litellm_params: {
            model: MODEL,
            aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
            aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
            aws_region_name: "us-east-1",
            api_base: `${emulatorUrl}/scenario/stall:20000`, // the answer stops half-way for 20 s
          },
        },
      ],
      general_settings: { master_key: "sk-stream-memory", log_format: "off" },
    };
    const server = await startServer({ config: parseConfig(config, { lookup: () => undefined }), port: 0, log: () => {} });
    const clients: IncomingMessage[] = [];
    try {
      // node:http for the clients too, so that no web stream here is the clients'.
      const open = () =>
        new Promise<void>((resolve, reject) => {
          const body = JSON.stringify({ model: "agent", stream: true, messages: [{ role: "user", content: "Hi" }] });
          const req = httpRequest(`${server.url}/v1/chat/completions`, { method: "POST", headers: { authorization: "Bearer sk-stream-memory", "content-type": "application/json" } }, (res) => {
            if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
            clients.push(res);
            let text = "";
            res.on("data", (chunk: Buffer) => {
              text += chunk;
              if (text.includes(JSON.stringify(STALL_TEXT_BEFORE).slice(1, -1))) resolve();
            });
            res.on("error", reject);
          });
          req.on("error", reject);
          req.end(body);
        });
      await open();
      const before = await heapCounts();
      const STREAMS_OPEN = 50;
      await Promise.all(Array.from({ length: STREAMS_OPEN }, open));
      const { webStreams } = await heapCounts();
      // A web stream kept for the AWS body would count 2 per stream (in Node 20 each is a pair).
      expect((webStreams - before.webStreams) / STREAMS_OPEN).toBeLessThan(0.5);
    } finally {
      for (const client of clients) client.destroy();
      await server.close();
    }
  });
});
