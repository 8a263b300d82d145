import type Anthropic from "@anthropic-ai/sdk";
import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  CompletionParams,
  MessageObject,
  MessagesParams,
  ResponseObject,
  ResponsesParams,
} from "../../src/index.ts";

// Checked by the type-check step (`tsc`): our shapes must stay interchangeable with the
// openai package's, so results can be handed to code written against it.
describe("compatibility with the openai package's types", () => {
  it("returns a ChatCompletion assignable to openai's", () => {
    expectTypeOf<ChatCompletion>().toExtend<OpenAI.ChatCompletion>();
  });

  it("streams chunks assignable to openai's ChatCompletionChunk", () => {
    expectTypeOf<ChatCompletionChunk>().toExtend<OpenAI.ChatCompletionChunk>();
  });

  it("accepts openai's request parameters as they are", () => {
    const nonStreaming = (params: OpenAI.ChatCompletionCreateParamsNonStreaming): CompletionParams => params;
    const streaming = (params: OpenAI.ChatCompletionCreateParamsStreaming): CompletionParams => params;
    expectTypeOf(nonStreaming).returns.toEqualTypeOf<CompletionParams>();
    expectTypeOf(streaming).returns.toEqualTypeOf<CompletionParams>();
  });
});

describe("compatibility with the openai package's Responses types", () => {
  it("returns a Response assignable to openai's, its output items too", () => {
    const response = (r: ResponseObject): OpenAI.Responses.Response => r;
    expectTypeOf(response).returns.toEqualTypeOf<OpenAI.Responses.Response>();
  });

  it("accepts openai's Responses request parameters as they are (with a model, which agents need)", () => {
    const params = (p: OpenAI.Responses.ResponseCreateParamsNonStreaming & { model: string }): ResponsesParams => p;
    expectTypeOf(params).returns.toEqualTypeOf<ResponsesParams>();
  });
});

describe("compatibility with @anthropic-ai/sdk's types", () => {
  it("returns a Message assignable to Anthropic's", () => {
    const message = (m: MessageObject): Anthropic.Message => m;
    expectTypeOf(message).returns.toEqualTypeOf<Anthropic.Message>();
  });

  it("accepts Anthropic's request parameters as they are", () => {
    const params = (p: Anthropic.MessageCreateParamsNonStreaming): MessagesParams => p;
    expectTypeOf(params).returns.toEqualTypeOf<MessagesParams>();
  });
});
