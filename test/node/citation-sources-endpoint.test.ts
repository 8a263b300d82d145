// Citations of sources with and without a URL, through the endpoint to the real openai and
// @anthropic-ai/sdk clients: what their types and stream helpers make of them.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { CITATION_PORTO_URL, CITATION_SOURCES_EXPECTED, CITATION_SOURCES_TEXT } from "../emulator/scenarios.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { startServer } from "../../bin/server.ts";

const emulatorUrl = inject("emulatorUrl");
const KEY = "sk-citations-0123456789";
const question = "Can I work from Lisbon?";
const sources = CITATION_SOURCES_EXPECTED.map(({ source }) => source);
const documents = CITATION_SOURCES_EXPECTED.filter(({ url }) => !url).map(({ source }) => source);

let server: { url: string; close(): Promise<void> };
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  const config = {
    model_list: [
      {
        model_name: "cited",
        litellm_params: {
          model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
          aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
          aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
          aws_region_name: "us-west-2",
          api_base: `${emulatorUrl}/scenario/citation-sources`,
          num_retries: 0,
        },
      },
    ],
    general_settings: { master_key: KEY },
  };
  server = await startServer({ config: parseConfig(config, { lookup: () => undefined }), port: 0, log: () => {} });
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: server.url, apiKey: KEY, maxRetries: 0 });
});
afterAll(() => server?.close());

describe("citations without a URL, through the SDKs", () => {
  it("chat: every annotation is a url_citation the typed client reads; file_id marks a document id", async () => {
    const completion = await openai.chat.completions.create({ model: "cited", messages: [{ role: "user", content: question }] });
    const annotations = completion.choices[0]!.message.annotations!;
    expect(completion.choices[0]!.message.content).toBe(CITATION_SOURCES_TEXT);
    expect(annotations.map((a) => a.url_citation.url)).toEqual(sources);
    const fileIds = annotations.map((a) => (a.url_citation as { file_id?: string }).file_id).filter((id) => id !== undefined);
    expect(fileIds).toEqual(documents);
    const stream = await openai.chat.completions.create({ model: "cited", messages: [{ role: "user", content: question }], stream: true });
    const streamed: unknown[] = [];
    for await (const chunk of stream) streamed.push(...((chunk.choices[0]?.delta as { annotations?: unknown[] } | undefined)?.annotations ?? []));
    expect(streamed).toEqual(annotations);
  });

  it("Responses: url_citation and file_citation, as the SDK's union types them, streamed alike", async () => {
    const response = await openai.responses.create({ model: "cited", input: question });
    const read = (r: OpenAI.Responses.Response) =>
      r.output.flatMap((item) => (item.type === "message" ? item.content : [])).flatMap((part) => (part.type === "output_text" ? part.annotations : []));
    const annotations = read(response);
    expect(response.output_text).toBe(CITATION_SOURCES_TEXT);
    expect(annotations.map((a) => (a.type === "url_citation" ? a.url : a.type === "file_citation" ? a.file_id : a.type))).toEqual(sources);
    expect(annotations.filter((a) => a.type === "file_citation").map((a) => a.file_id)).toEqual(documents);
    const stream = openai.responses.stream({ model: "cited", input: question });
    const added: unknown[] = [];
    stream.on("response.output_text.annotation.added", (event) => added.push(event.annotation));
    expect(read(await stream.finalResponse())).toEqual(annotations);
    expect(added).toEqual(annotations);
  });

  it("Messages: web_search_result_location and search_result_location, as MessageStream builds them", async () => {
    const message = await anthropic.messages.create({ model: "cited", max_tokens: 1024, messages: [{ role: "user", content: question }] });
    const citations = message.content.flatMap((block) => (block.type === "text" ? (block.citations ?? []) : []));
    expect(
      citations.map((c) => (c.type === "web_search_result_location" ? c.url : c.type === "search_result_location" ? c.source : c.type)),
    ).toEqual(sources);
    expect(citations.filter((c) => c.type === "web_search_result_location").map((c) => c.url)).toEqual([CITATION_PORTO_URL]);
    expect(citations.map((c) => c.cited_text)).toEqual(CITATION_SOURCES_EXPECTED.map(({ passage }) => passage));
    const final = await anthropic.messages.stream({ model: "cited", max_tokens: 1024, messages: [{ role: "user", content: question }] }).finalMessage();
    expect(final.content.flatMap((block) => (block.type === "text" ? (block.citations ?? []) : []))).toEqual(citations);
  });
});
