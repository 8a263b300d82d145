/** Request and response header with the agent session id. */
export const SESSION_HEADER = "x-bedrock-agent-session-id";
/** LiteLLM's name, so dashboards built for it read our cost too. */
export const COST_HEADER = "x-litellm-response-cost";
/** The upstream AWS request id, to quote to AWS support. */
export const REQUEST_ID_HEADER = "x-amzn-requestid";
