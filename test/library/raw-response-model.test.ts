// Reading the model out of a call's raw response, for trace steps that name none.
import { describe, expect, it } from "vitest";
import { modelInRawResponse } from "../../src/backends/agents-classic/raw-response-model.ts";

describe("modelInRawResponse", () => {
  it("reads the top-level model of Anthropic Messages JSON, wherever it stands among the keys", () => {
    const modelFirst = '{"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn"}';
    const modelLast = '{"stop_sequence":"</invoke>","type":"message","id":"msg_bdrk_01","content":[{"type":"text","text":"Hi"}],"model":"claude-3-haiku-20240307","role":"assistant"}';
    expect(modelInRawResponse(modelFirst)).toBe("claude-3-5-sonnet-20240620");
    expect(modelInRawResponse(modelLast)).toBe("claude-3-haiku-20240307");
    expect(modelInRawResponse(`\n  ${modelFirst}\n`)).toBe("claude-3-5-sonnet-20240620");
  });

  it("is not fooled by a model inside a tool call's input or inside the text", () => {
    const content = JSON.stringify({
      type: "message",
      content: [
        { type: "text", text: 'I read {"model":"claude-3-opus-20240229"} in the manual.' },
        { type: "tool_use", id: "toolu_1", name: "quote", input: { model: "corolla" } },
      ],
      model: "claude-3-5-sonnet-20241022",
    });
    expect(modelInRawResponse(content)).toBe("claude-3-5-sonnet-20241022");
    expect(modelInRawResponse(JSON.stringify({ content: [{ type: "tool_use", input: { model: "corolla" } }] }))).toBeUndefined();
  });

  it("keeps Bedrock model and inference profile ids as written", () => {
    expect(modelInRawResponse('{"model":"us.anthropic.claude-3-5-sonnet-20241022-v2:0"}')).toBe("us.anthropic.claude-3-5-sonnet-20241022-v2:0");
  });

  it("is undefined for what names no model: plain text, Converse JSON, broken JSON, other types", () => {
    expect(modelInRawResponse("<thinking>The user wants a quote.</thinking>")).toBeUndefined();
    expect(modelInRawResponse('{"output":{"message":{"role":"assistant","content":[{"text":"Hi"}]}},"stopReason":"end_turn"}')).toBeUndefined();
    expect(modelInRawResponse('{"model":"claude-3-haiku-20240307","content":[{"type":"text","text":"cut off')).toBeUndefined();
    expect(modelInRawResponse('The "model" field is {"model":"x"}')).toBeUndefined();
    expect(modelInRawResponse('{"model":42}')).toBeUndefined();
    expect(modelInRawResponse('{"model":"  "}')).toBeUndefined();
    expect(modelInRawResponse('[{"model":"claude-3-haiku-20240307"}]')).toBeUndefined();
    expect(modelInRawResponse("")).toBeUndefined();
    expect(modelInRawResponse(undefined)).toBeUndefined();
    expect(modelInRawResponse({ model: "claude-3-haiku-20240307" })).toBeUndefined();
  });

  it("does not parse text far longer than any model answer", () => {
    const huge = `{"model":"claude-3-haiku-20240307","content":[{"type":"text","text":"${"x".repeat(600 * 1024)}"}]}`;
    expect(modelInRawResponse(huge)).toBeUndefined();
  });
});
