/** The session of an AgentCore call, both ways. */
export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
/** The end user of an AgentCore call. */
export const USER_HEADER = "x-amzn-bedrock-agentcore-runtime-user-id";
