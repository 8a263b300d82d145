import { completion } from "bedrock-agents-openai";

const response = await completion({
  model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
  messages: [{ role: "user", content: "Hi, what can you help me with?" }],
});

console.log(response.choices[0].message.content);
console.log(response._hidden_params.response_cost);
