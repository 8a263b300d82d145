// The MCP versions served and the answer to `initialize`. Stateless: every initialize is answered
// alike, and tools are served to clients that skipped it (nothing is kept between requests).

/**
 * The versions of the 2025 era, newest first: the official TypeScript SDK 1.32 offers the first
 * and throws when initialize answers one outside its own list (2026-07-28, the stateless era
 * without initialize, included).
 */
export const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;

/** What a request without an MCP-Protocol-Version header speaks, per the spec. */
const ASSUMED_VERSION = "2025-03-26";

/** The version to answer initialize with: the client's when served, else the newest (the client decides whether to go on). */
export function negotiatedVersion(requested: unknown): string {
  return PROTOCOL_VERSIONS.includes(requested as (typeof PROTOCOL_VERSIONS)[number]) ? (requested as string) : PROTOCOL_VERSIONS[0];
}

/** Whether a request's MCP-Protocol-Version header names a version served (absent: the spec's default, served). */
export function servesVersionHeader(header: string | undefined): boolean {
  return PROTOCOL_VERSIONS.includes((header ?? ASSUMED_VERSION) as (typeof PROTOCOL_VERSIONS)[number]);
}

export function initializeResult(params: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    protocolVersion: negotiatedVersion(params?.protocolVersion),
    capabilities: { tools: { listChanged: false } },
    serverInfo: { name: "bedrock-agents-openai", version: "1.0.0" },
    instructions: "Each tool is an AWS agent. Pass an answer's session_id back to continue its conversation.",
  };
}
