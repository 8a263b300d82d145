// Knowledge-base citations of every source kind, URL or not, reach the client once per source and
// span, in the best shape each API has, streamed and not. Runs under Node and inside workerd.
import { describe, expect, inject, it } from "vitest";
import { BedrockAgentClient, type ChatCompletionChunk, type MessageStreamEvent, type ResponseStreamEvent } from "../../src/index.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import {
  CITATION_CUSTOM_ID,
  CITATION_KENDRA_ID,
  CITATION_KENDRA_TITLE,
  CITATION_METADATA_URI,
  CITATION_PORTO_URL,
  CITATION_SOURCES_EXPECTED,
  CITATION_SOURCES_TEXT,
  CITATION_SQL_QUERY,
} from "../emulator/scenarios.ts";
import { checkMessageEvents } from "./support/message-events.ts";
import { checkResponseEvents } from "./support/response-events.ts";

const emulatorUrl = inject("emulatorUrl");
const model = "bedrock/agent/L1RT58GYRW/MFPSBCXYTW";
const client = new BedrockAgentClient({
  aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
  aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
  aws_region_name: "us-east-1",
  api_base: `${emulatorUrl}/scenario/citation-sources`,
  num_retries: 0,
});
const messages = [{ role: "user" as const, content: "Can I work from Lisbon?" }];

// The title each source gets: its metadata's, a URL's last segment, else the id itself.
const TITLES: Record<string, string> = {
  [CITATION_CUSTOM_ID]: CITATION_CUSTOM_ID,
  [CITATION_SQL_QUERY]: CITATION_SQL_QUERY,
  [CITATION_KENDRA_ID]: CITATION_KENDRA_TITLE,
  [CITATION_METADATA_URI]: "porto.md",
  [CITATION_PORTO_URL]: "Porto",
};

/** Where each expected citation stands in the answer. */
const spans = CITATION_SOURCES_EXPECTED.map(({ text }) => {
  const start = CITATION_SOURCES_TEXT.indexOf(text);
  return { start, end: start + text.length };
});

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

describe("citations of every source kind", () => {
  it("chat: a url_citation each, once; a source without a URL keeps its id as url and file_id", async () => {
    const completion = await client.completion({ model, messages });
    const { content, annotations } = completion.choices[0]!.message;
    expect(content).toBe(CITATION_SOURCES_TEXT);
    expect(annotations).toEqual(
      CITATION_SOURCES_EXPECTED.map(({ source, url }, i) => ({
        type: "url_citation",
        url_citation: {
          start_index: spans[i]!.start,
          end_index: spans[i]!.end,
          url: source,
          title: TITLES[source],
          ...(url ? {} : { file_id: source }),
        },
      })),
    );
    const chunks: ChatCompletionChunk[] = await collect(await client.completion({ model, messages, stream: true }));
    expect(chunks.flatMap((chunk) => chunk.choices[0]?.delta.annotations ?? [])).toEqual(annotations);
  });

  it("Responses: url_citation for URLs and URIs, file_citation for the others, once each", async () => {
    const response = await client.responses({ model, input: "Can I work from Lisbon?" });
    const message = response.output.find((item) => item.type === "message")!;
    expect(message.content[0]!.text).toBe(CITATION_SOURCES_TEXT);
    const expected = CITATION_SOURCES_EXPECTED.map(({ source, url }, i) =>
      url
        ? { type: "url_citation", start_index: spans[i]!.start, end_index: spans[i]!.end, url: source, title: TITLES[source] }
        : { type: "file_citation", file_id: source, filename: TITLES[source], index: spans[i]!.end },
    );
    expect(message.content[0]!.annotations).toEqual(expected);
    const events: ResponseStreamEvent[] = await collect(await client.responses({ model, input: "Can I work from Lisbon?", stream: true }));
    const final = checkResponseEvents(events);
    const streamed = final.output.find((item) => item.type === "message")!;
    expect(streamed.content[0]!.annotations).toEqual(expected);
    expect(events.filter((e) => e.type === "response.output_text.annotation.added").map((e) => e.annotation)).toEqual(expected);
  });

  it("Messages: web_search_result_location for web URLs, search_result_location for the others, citing the retrieved passage", async () => {
    const message = await client.messages({ model, max_tokens: 1024, messages });
    const text = message.content.find((block) => block.type === "text")!;
    expect(text.type === "text" && text.text).toBe(CITATION_SOURCES_TEXT);
    let searchResults = 0;
    const expected = CITATION_SOURCES_EXPECTED.map(({ source, passage }) =>
      source === CITATION_PORTO_URL
        ? { type: "web_search_result_location", url: source, title: TITLES[source], cited_text: passage, encrypted_index: "" }
        : {
            type: "search_result_location",
            source,
            title: TITLES[source],
            cited_text: passage,
            search_result_index: searchResults++,
            start_block_index: 0,
            end_block_index: 1,
          },
    );
    expect(text.type === "text" && text.citations).toEqual(expected);
    // The long passage is clipped.
    expect(CITATION_SOURCES_EXPECTED[2].passage).toHaveLength(1000);
    const events: MessageStreamEvent[] = await collect(await client.messages({ model, max_tokens: 1024, messages, stream: true }));
    const { content } = checkMessageEvents(events);
    expect(content.find((block) => block.type === "text")!.citations).toEqual(expected);
  });
});
