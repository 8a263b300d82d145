import type OpenAI from "openai";
import { describe, expectTypeOf, it } from "vitest";
import type { ChatCompletion, ChatCompletionChunk, CompletionParams } from "../../src/index.ts";

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
