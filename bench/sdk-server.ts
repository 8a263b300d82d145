// The baseline of the memory benchmark: what a user would write instead of our Node server, a
// minimal streaming chat endpoint on the AWS SDK (no auth, no config, no usage: text deltas only).
// `tsx bench/sdk-server.ts <agent runtime URL>`; prints the URL it serves on.
import { createServer } from "node:http";
import { Agent } from "node:https";
import { Agent as HttpAgent } from "node:http";
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from "@aws-sdk/client-bedrock-agent-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { STATIC_CREDENTIALS } from "../test/emulator/credentials.ts";

// The SDK warns once that Node 20 support ends in 2027: noise in a benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const client = new BedrockAgentRuntimeClient({
  region: "us-east-1",
  endpoint: process.argv[2],
  credentials: STATIC_CREDENTIALS,
  // HTTP/1.1 (the emulator serves no HTTP/2), and no cap of 50 sockets: streams are long.
  requestHandler: new NodeHttpHandler({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: Infinity }),
    httpsAgent: new Agent({ keepAlive: true, maxSockets: Infinity }),
  }),
});

const server = createServer(async (req, res) => {
  let body = "";
  for await (const part of req) body += part;
  const { messages } = JSON.parse(body) as { messages: Array<{ content: string }> };
  try {
    const output = await client.send(
      new InvokeAgentCommand({
        agentId: "L1RT58GYRW",
        agentAliasId: "MFPSBCXYTW",
        sessionId: crypto.randomUUID(),
        inputText: messages.at(-1)!.content,
        enableTrace: true,
      }),
    );
    res.writeHead(200, { "content-type": "text/event-stream" });
    const decoder = new TextDecoder();
    for await (const event of output.completion!) {
      const content = event.chunk?.bytes ? decoder.decode(event.chunk.bytes, { stream: true }) : "";
      if (content) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`);
    }
    res.end("data: [DONE]\n\n");
  } catch (error) {
    if (!res.headersSent) res.writeHead(502);
    res.end(`data: ${JSON.stringify({ error: { message: String(error) } })}\n\n`);
  }
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${address.port}`);
});
