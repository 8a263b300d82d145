import { type IdContext, SignedIds } from "../../signed-ids.ts";

/**
 * What a tool call id carries, so a stock OpenAI client that sends back only messages
 * continues the right agent session with the right invocation: the session, the
 * returnControl invocation, and which action it called.
 */
export interface ToolCallRef {
  sessionId: string;
  invocationId: string;
  actionGroup: string;
  /** Function action groups. */
  function?: string;
  /** API-schema action groups. */
  apiPath?: string;
  httpMethod?: string;
  /** Set when a collaborator agent asked for the call. */
  agentId?: string;
}


/** Tool call ids: signed ids (see signed-ids.ts) that carry a ToolCallRef. */
export class ToolCallIds {
  readonly #ids: SignedIds;

  constructor(secret: IdContext["secret"], agent: string) {
    this.#ids = new SignedIds({ secret, agent }, "tool call id", "call_");
  }

  encode(ref: ToolCallRef): Promise<string> {
    return this.#ids.sign([ref.sessionId, ref.invocationId, ref.actionGroup, ref.function, ref.apiPath, ref.httpMethod, ref.agentId].map((f) => f ?? ""));
  }

  /** The reference in a tool call id; a 400 naming `param` when it is not one we issued for this agent. */
  async decode(id: unknown, param: string): Promise<ToolCallRef> {
    const [sessionId, invocationId, actionGroup, fn, apiPath, httpMethod, agentId] = await this.#ids.open(id, 7, param);
    const ref: ToolCallRef = { sessionId: sessionId!, invocationId: invocationId!, actionGroup: actionGroup! };
    if (fn) ref.function = fn;
    if (apiPath) ref.apiPath = apiPath;
    if (httpMethod) ref.httpMethod = httpMethod;
    if (agentId) ref.agentId = agentId;
    return ref;
  }
}
