// Issue 21.3: an answer shaped like real recorded ones, every quirk of real traces in it
// (test/emulator/real-quirks.ts). The AWS SDK reads the bytes first, as the oracle; then the
// library, on all three client APIs, streamed and not, must lose none of the text, usage,
// reasoning or citations.
import { BedrockAgentRuntimeClient, InvokeAgentCommand, type TracePart } from "@aws-sdk/client-bedrock-agent-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { describe, expect, inject, it } from "vitest";
import { BedrockAgentClient, costOf } from "../../src/index.ts";
import { STATIC_CREDENTIALS } from "../emulator/credentials.ts";
import { QUIRKS_CALLS, QUIRKS_REASONING, QUIRKS_SOURCE_URI, QUIRKS_TEXT } from "../emulator/real-quirks.ts";

const emulatorUrl = inject("emulatorUrl");
const apiBase = `${emulatorUrl}/scenario/real-quirks`;
const model = "bedrock/agent/SUPERVISR1/SUPALIAS01";
const client = new BedrockAgentClient({ ...keys(), api_base: apiBase, aws_region_name: "us-east-1", num_retries: 0 });
const question = [{ role: "user" as const, content: "What is your return policy?" }];

function keys() {
  return { aws_access_key_id: STATIC_CREDENTIALS.accessKeyId, aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey };
}

const expectedUsage = QUIRKS_CALLS.reduce((sum, call) => ({ input: sum.input + call.usage.inputTokens, output: sum.output + call.usage.outputTokens }), { input: 0, output: 0 });
const expectedCost = QUIRKS_CALLS.reduce((sum, call) => sum + costOf(call.model, call.usage.inputTokens, call.usage.outputTokens)!, 0);
const sentences = QUIRKS_TEXT.trim().split(/(?<=\.) /);

/** Each reasoning text appears, in order. */
function expectReasoningInOrder(reasoning: string): void {
  let from = 0;
  for (const text of QUIRKS_REASONING) {
    const at = reasoning.indexOf(text, from);
    expect(at, text).toBeGreaterThanOrEqual(from);
    from = at + text.length;
  }
}

/** Each sentence is cited once, at its own place in the answer, with the policy document as its source. */
function expectCitations(text: string, cited: Array<{ start: number; end: number; url: string }>): void {
  expect(cited.map((c) => text.slice(c.start, c.end))).toEqual(sentences);
  for (const c of cited) expect(c.url).toBe(QUIRKS_SOURCE_URI);
}

describe("the oracle: the AWS SDK reads the real-quirks bytes", () => {
  it("as one answer with the expected text, usage and reasoning", async () => {
    const sdk = new BedrockAgentRuntimeClient({
      region: "us-east-1",
      endpoint: apiBase,
      credentials: STATIC_CREDENTIALS,
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    const response = await sdk.send(
      new InvokeAgentCommand({ agentId: "SUPERVISR1", agentAliasId: "SUPALIAS01", sessionId: crypto.randomUUID(), inputText: "What is your return policy?", enableTrace: true, streamingConfigurations: { streamFinalResponse: true } }),
    );
    const decoder = new TextDecoder();
    let text = "";
    const traces: TracePart[] = [];
    const citedTexts: string[] = [];
    for await (const event of response.completion!) {
      if (event.chunk) {
        text += decoder.decode(event.chunk.bytes, { stream: true });
        for (const citation of event.chunk.attribution?.citations ?? []) citedTexts.push(citation.generatedResponsePart!.textResponsePart!.text!);
      }
      if (event.trace) traces.push(event.trace);
    }
    expect(text).toBe(QUIRKS_TEXT);
    expect(citedTexts).toEqual(sentences);
    // The usage the SDK reads, summed over every model call of every trace kind and agent.
    let input = 0;
    let output = 0;
    for (const part of traces) {
      for (const step of Object.values(part.trace ?? {}) as Array<{ modelInvocationOutput?: { metadata?: { usage?: { inputTokens?: number; outputTokens?: number } } } }>) {
        input += step?.modelInvocationOutput?.metadata?.usage?.inputTokens ?? 0;
        output += step?.modelInvocationOutput?.metadata?.usage?.outputTokens ?? 0;
      }
    }
    expect({ input, output }).toEqual(expectedUsage);
    // The collaborator's traces carry a session of their own.
    expect(new Set(traces.map((t) => t.sessionId)).size).toBe(2);
    expect(JSON.stringify(traces)).toContain(QUIRKS_REASONING[1]);
  });
});

describe("the library reads the same bytes whole, on every client API", () => {
  for (const stream of [false, true]) {
    it(`chat completions (stream: ${stream})`, async () => {
      if (!stream) {
        const completion = await client.completion({ model, messages: question });
        const message = completion.choices[0]!.message;
        expect(message.content).toBe(QUIRKS_TEXT);
        expectReasoningInOrder(message.reasoning_content!);
        expectCitations(message.content!, message.annotations!.map((a) => ({ start: a.url_citation.start_index, end: a.url_citation.end_index, url: a.url_citation.url })));
        expect(completion.usage).toMatchObject({ prompt_tokens: expectedUsage.input, completion_tokens: expectedUsage.output });
        expect(completion._hidden_params.response_cost).toBeCloseTo(expectedCost, 12);
        return;
      }
      const chunks = await client.completion({ model, messages: question, stream: true, stream_options: { include_usage: true } });
      let text = "";
      let reasoning = "";
      const cited: Array<{ start: number; end: number; url: string }> = [];
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      for await (const chunk of chunks) {
        const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string; annotations?: Array<{ url_citation: { start_index: number; end_index: number; url: string } }> } | undefined;
        text += delta?.content ?? "";
        reasoning += delta?.reasoning_content ?? "";
        for (const a of delta?.annotations ?? []) cited.push({ start: a.url_citation.start_index, end: a.url_citation.end_index, url: a.url_citation.url });
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(QUIRKS_TEXT);
      expectReasoningInOrder(reasoning);
      expectCitations(text, cited);
      expect(usage).toMatchObject({ prompt_tokens: expectedUsage.input, completion_tokens: expectedUsage.output });
      expect(chunks._hidden_params.response_cost).toBeCloseTo(expectedCost, 12);
    });

    it(`Responses (stream: ${stream})`, async () => {
      const answer = stream
        ? (await (async () => {
            const events = await client.responses({ model, input: "What is your return policy?", stream: true });
            let completed: unknown;
            for await (const event of events) if (event.type === "response.completed") completed = (event as unknown as { response: unknown }).response;
            return completed;
          })())
        : await client.responses({ model, input: "What is your return policy?" });
      const response = answer as Awaited<ReturnType<typeof client.responses>> & { output: Array<Record<string, any>>; usage: { input_tokens: number; output_tokens: number } };
      const message = response.output.find((item) => item.type === "message")!;
      const part = message.content[0] as { text: string; annotations: Array<{ type: string; start_index: number; end_index: number; url: string }> };
      expect(part.text).toBe(QUIRKS_TEXT);
      expectReasoningInOrder(response.output.filter((item) => item.type === "reasoning").map((item) => item.summary.map((s: { text: string }) => s.text).join("\n\n")).join("\n\n"));
      expectCitations(part.text, part.annotations.filter((a) => a.type === "url_citation").map((a) => ({ start: a.start_index, end: a.end_index, url: a.url })));
      expect(response.usage).toMatchObject({ input_tokens: expectedUsage.input, output_tokens: expectedUsage.output });
    });

    it(`Messages (stream: ${stream})`, async () => {
      let text = "";
      let thinking = "";
      // Messages cite the retrieved passage (cited_text), which names its sentence.
      const cited: string[] = [];
      let usage: { input_tokens: number; output_tokens: number } | undefined;
      if (!stream) {
        const message = await client.messages({ model, max_tokens: 1024, messages: question });
        for (const block of message.content as Array<Record<string, any>>) {
          if (block.type === "text") {
            text += block.text;
            for (const c of block.citations ?? []) cited.push(c.cited_text);
          }
          if (block.type === "thinking") thinking += block.thinking;
        }
        usage = message.usage;
      } else {
        const events = await client.messages({ model, max_tokens: 1024, messages: question, stream: true });
        for await (const event of events as AsyncIterable<Record<string, any>>) {
          if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
          if (event.type === "content_block_delta" && event.delta.type === "thinking_delta") thinking += event.delta.thinking;
          if (event.type === "content_block_delta" && event.delta.type === "citations_delta") cited.push(event.delta.citation.cited_text);
          if (event.type === "message_delta") usage = event.usage;
        }
      }
      expect(text).toBe(QUIRKS_TEXT);
      expectReasoningInOrder(thinking);
      expect(cited).toEqual(sentences.map((sentence, i) => `Section ${i + 1}: ${sentence}`));
      expect(usage).toMatchObject({ input_tokens: expectedUsage.input, output_tokens: expectedUsage.output });
    });
  }
});
