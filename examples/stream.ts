import { completion } from "bedrock-agents-openai";

const stream = await completion({
  model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
  messages: [{ role: "user", content: "Hi, what can you help me with?" }],
  stream: true,
});

for await (const chunk of stream) {
  console.log(chunk.choices[0]?.delta.content ?? "");
}
