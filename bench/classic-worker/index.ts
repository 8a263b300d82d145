// The bundle benchmark's narrowest Worker of ours: what a user writes who needs one Agents
// Classic agent through completion() and nothing else (bedrock-agents-openai/agents-classic).
import { completion } from "../../src/agents-classic.ts";

export default {
  async fetch(request: Request, env: Record<string, string>): Promise<Response> {
    const response = await completion({
      model: `bedrock/agent/${env.AGENT_ID}/${env.AGENT_ALIAS_ID}`,
      messages: [{ role: "user", content: new URL(request.url).searchParams.get("q") ?? "Hi, what can you help me with?" }],
      env,
    });
    return new Response(response.choices[0]!.message.content);
  },
};
