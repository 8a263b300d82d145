// Valid requests of the three client APIs, each using every field the endpoint passes on for its
// surface (the session fields in all their names, across the shapes), for the fuzz to mutate.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Surface = "chat" | "responses" | "messages";

/** Put in a request's `model` and `stream` for each case. */
export const MODEL = "{model}";

const PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const TEXT_FILE = "data:text/plain;base64,aGVsbG8gd29ybGQ=";
const SESSION = "fuzz-session-0123456789abcdef0123456789";
const WEATHER_SCHEMA: Json = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

const SESSION_FIELDS: { [key: string]: Json } = {
  session_attributes: { team: "fuzz" },
  prompt_session_attributes: { tone: "dry" },
  include_reasoning: true,
  include_traces: false,
  include_citations: false,
  end_session: false,
};

/** Per surface, valid requests: a conversation with every option, and one with files that ends in tool results. */
export const SHAPES: Record<Surface, Array<{ name: string; body: { [key: string]: Json } }>> = {
  chat: [
    {
      name: "conversation",
      body: {
        model: MODEL,
        stream: false,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: [{ type: "text", text: "Answer in English." }] },
          { role: "user", content: "My name is Ada." },
          {
            role: "assistant",
            content: [{ type: "text", text: "Let me look." }, { type: "refusal", refusal: "no" }],
            tool_calls: [{ id: "call_abc", type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }],
          },
          { role: "tool", tool_call_id: "call_abc", content: "24 C" },
          { role: "user", content: [{ type: "text", text: "What did I say?" }] },
        ],
        tools: [{ type: "function", function: { name: "get_weather", description: "The weather", parameters: WEATHER_SCHEMA } }],
        stream_options: { include_usage: true },
        user: "ada",
        max_tokens: 100,
        temperature: 0.5,
        top_p: 0.9,
        sessionID: null,
        memory_id: null,
        ...SESSION_FIELDS,
      },
    },
    {
      name: "files and tool results",
      body: {
        model: MODEL,
        stream: false,
        session_id: SESSION,
        memory_id: "memory-ada",
        max_completion_tokens: 50,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Look at these." },
              { type: "image_url", image_url: { url: PNG, detail: "auto" } },
              { type: "file", file: { filename: "notes.txt", file_data: TEXT_FILE } },
            ],
          },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
          { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "found it" }] },
        ],
        knowledge_base_configurations: [{ knowledgeBaseId: "KB12345678", retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 3 } } }],
      },
    },
  ],
  responses: [
    {
      name: "conversation",
      body: {
        model: MODEL,
        stream: false,
        instructions: "Be brief.",
        input: [
          { role: "system", content: "Answer in English." },
          { type: "message", role: "user", content: [{ type: "input_text", text: "My name is Ada." }] },
          { type: "message", role: "assistant", content: [{ type: "output_text", text: "Let me look.", annotations: [] }] },
          { type: "reasoning", id: "rs_1", summary: [] },
          { type: "function_call", call_id: "call_abc", name: "get_weather", arguments: '{"city":"Lisbon"}' },
          { type: "function_call_output", call_id: "call_abc", output: "24 C" },
          { role: "user", content: "What did I say?" },
        ],
        tools: [{ type: "function", name: "get_weather", description: "The weather", parameters: WEATHER_SCHEMA }, { type: "web_search" }],
        previous_response_id: null,
        user: "ada",
        max_output_tokens: 100,
        temperature: 0.5,
        top_p: 0.9,
        metadata: { purpose: "fuzz" },
        store: false,
        session_id: null,
        ...SESSION_FIELDS,
      },
    },
    {
      name: "files and tool results",
      body: {
        model: MODEL,
        stream: false,
        // InvokeAgent's own names of the session fields.
        sessionId: SESSION,
        memoryId: "memory-ada",
        endSession: false,
        sessionAttributes: { team: "fuzz" },
        promptSessionAttributes: { tone: "dry" },
        knowledgeBaseConfigurations: [{ knowledgeBaseId: "KB12345678" }],
        input: [
          {
            role: "user",
            content: [
              { type: "input_text", text: "Look at these." },
              { type: "input_image", image_url: PNG, detail: "auto" },
              { type: "input_file", filename: "notes.txt", file_data: TEXT_FILE },
            ],
          },
          { type: "function_call", call_id: "call_1", name: "lookup", arguments: "{}" },
          { type: "function_call_output", call_id: "call_1", output: [{ type: "input_text", text: "found it" }] },
        ],
      },
    },
  ],
  messages: [
    {
      name: "conversation",
      body: {
        model: MODEL,
        stream: false,
        max_tokens: 100,
        system: [{ type: "text", text: "Be brief." }],
        messages: [
          { role: "user", content: "My name is Ada." },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "A name.", signature: "sig" },
              { type: "text", text: "Let me look." },
              { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Lisbon" } },
            ],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "24 C" }], is_error: false }] },
          { role: "assistant", content: "Noted." },
          { role: "user", content: [{ type: "text", text: "What did I say?" }] },
        ],
        tools: [{ name: "get_weather", description: "The weather", input_schema: WEATHER_SCHEMA }, { type: "web_search_20250305", name: "web_search" }],
        metadata: { user_id: "ada" },
        temperature: 0.5,
        top_p: 0.9,
        session_id: null,
        ...SESSION_FIELDS,
      },
    },
    {
      name: "files and tool results",
      body: {
        model: MODEL,
        stream: false,
        max_tokens: 50,
        system: "Be brief.",
        // LiteLLM's name for an AgentCore session.
        runtimeSessionId: SESSION,
        memory_id: "memory-ada",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Look at these." },
              { type: "image", source: { type: "base64", media_type: "image/png", data: PNG.split(",")[1]! } },
              { type: "document", title: "notes.txt", source: { type: "base64", media_type: "text/plain", data: TEXT_FILE.split(",")[1]! } },
              { type: "document", source: { type: "text", media_type: "text/plain", data: "plain notes" } },
            ],
          },
          { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "lookup", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "found it" }] },
        ],
      },
    },
  ],
};
