// The baseline for the bundle benchmark: the smallest Worker a user would write to reach a
// Bedrock Agent with the AWS SDK. One InvokeAgent call, the answer's text back, nothing else
// (no OpenAI format, no streaming to the caller, no config, no auth).
import { BedrockAgentRuntimeClient, InvokeAgentCommand } from "@aws-sdk/client-bedrock-agent-runtime";

interface Env {
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_REGION: string;
  AGENT_ID: string;
  AGENT_ALIAS_ID: string;
  /** Optional endpoint override (an emulator). */
  AWS_ENDPOINT_URL?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const client = new BedrockAgentRuntimeClient({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL || undefined,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
    });
    const response = await client.send(
      new InvokeAgentCommand({
        agentId: env.AGENT_ID,
        agentAliasId: env.AGENT_ALIAS_ID,
        sessionId: crypto.randomUUID(),
        inputText: new URL(request.url).searchParams.get("q") ?? "Hi, what can you help me with?",
      }),
    );
    const decoder = new TextDecoder();
    let text = "";
    for await (const event of response.completion ?? []) {
      if (event.chunk?.bytes) text += decoder.decode(event.chunk.bytes, { stream: true });
    }
    return new Response(text + decoder.decode());
  },
};
