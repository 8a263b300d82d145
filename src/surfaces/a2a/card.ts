// The agent card of one model: who it is, where to call it, what it takes. A 1.0 client (which
// sends `A2A-Version: 1.0`) gets the 1.0 shape; a request without the header gets the 0.3 shape,
// as the spec reads a missing header and as 0.3 clients parse it (their security schemes cannot
// share one card with 1.0's, so the card varies on the header).
import type { ModelRef } from "../../model.ts";
import type { A2aVersion } from "./json-rpc.ts";
import { RETURN_OF_CONTROL } from "./request.ts";

export interface CardSubject {
  modelName: string;
  kind: ModelRef["kind"];
  description?: string;
  /** The JSON-RPC endpoint's absolute URL. */
  url: string;
}

const BACKENDS: Record<ModelRef["kind"], string> = {
  agent: "an Amazon Bedrock agent (Agents Classic)",
  harness: "an Amazon Bedrock AgentCore harness",
  runtime: "an agent on Amazon Bedrock AgentCore Runtime",
};

const EXTENSION = {
  uri: RETURN_OF_CONTROL,
  description:
    "Return of control: a task that needs the client's tools ends input-required with a data part {tool_calls: [{id, name, arguments}]}; " +
    "a message with the same taskId and contextId and a data part {tool_results: [{id, output}]} continues it. Tools a client offers go in the message's metadata.tools.",
  required: false,
};

export function agentCard(subject: CardSubject, version: A2aVersion): Record<string, unknown> {
  const { modelName, kind, url } = subject;
  const description = subject.description ?? `${BACKENDS[kind]}, served as ${modelName} by bedrock-agents-openai`;
  // Harnesses take text only; the others take files too.
  const inputModes = kind === "harness" ? ["text/plain"] : ["text/plain", "application/octet-stream"];
  const outputModes = ["text/plain", "application/json", "application/octet-stream"];
  const skill = { id: "chat", name: "Chat", description: `Talk to ${modelName}: its session continues through contextId`, tags: ["chat", "agent"] };
  const common = {
    name: modelName,
    description,
    version: "1.0.0",
    provider: { organization: "bedrock-agents-openai", url: new URL("/", url).href },
    defaultInputModes: inputModes,
    defaultOutputModes: outputModes,
    skills: [skill],
  };
  if (version === "1.0") {
    return {
      ...common,
      supportedInterfaces: [
        { url, protocolBinding: "JSONRPC", protocolVersion: "1.0" },
        { url, protocolBinding: "JSONRPC", protocolVersion: "0.3" },
      ],
      capabilities: { streaming: true, pushNotifications: false, extendedAgentCard: false, extensions: [EXTENSION] },
      securitySchemes: { bearer: { httpAuthSecurityScheme: { scheme: "Bearer", description: "The endpoint's API key" } } },
      securityRequirements: [{ schemes: { bearer: { list: [] } } }],
    };
  }
  return {
    ...common,
    protocolVersion: "0.3.0",
    url,
    preferredTransport: "JSONRPC",
    capabilities: { streaming: true, pushNotifications: false, stateTransitionHistory: false, extensions: [EXTENSION] },
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The endpoint's API key" } },
    security: [{ bearer: [] }],
  };
}
