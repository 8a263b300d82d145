// An answer as the neutral parts, for surfaces that write their own protocol (A2A, MCP): the
// surface assembles the AgentRequest from what it read, the backend answers it, and the usage
// parts are tallied as they pass, so the cost is known when the parts end.
import { type Batches, pullBatches } from "../batches.ts";
import { hiddenParams } from "../hidden-params.ts";
import type { Call, Invoker } from "../invoker.ts";
import type { AgentPart, AgentRequest, SessionInfo } from "../parts.ts";
import type { CallParams, HiddenParams } from "../types.ts";
import { UsageTally } from "../usage.ts";

export interface PartsAnswer {
  readonly request: AgentRequest;
  readonly session: SessionInfo;
  /** A network read at a time; leaving early (`return()`) closes the connection to AWS. */
  readonly parts: Batches<AgentPart>;
  /** What the call learned: cost, session, AWS request id; final once the parts have ended. */
  hidden(): HiddenParams;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  /** Closes the connection to AWS. */
  cancel(): void;
}

/** What a surface's `toRequest` may need beyond the call: the secret its own signed ids are keyed with (signed-ids.ts). */
export interface PartsContext {
  idSecret(): Promise<string>;
}

export async function partsCall<P extends CallParams & { model: string }>(
  invoker: Invoker,
  params: P,
  toRequest: (call: P & Call, context: PartsContext) => AgentRequest | Promise<AgentRequest>,
): Promise<PartsAnswer> {
  const call = invoker.withDefaults(params);
  // Prepared on first need: a request refused before it asks for the secret prepares nothing.
  let prepared: ReturnType<Invoker["prepare"]> | undefined;
  const prepare = () => (prepared ??= invoker.prepare(call));
  const request = await toRequest(call, { idSecret: () => prepare().idSecret() });
  const answer = await prepare().invoke(request);
  const tally = new UsageTally(call, answer.leftover);
  const source = answer.parts;
  const tallied = (result: IteratorResult<AgentPart[], void>): AgentPart[] | undefined => {
    if (result.done) return undefined;
    for (const part of result.value) if (part.type === "usage") tally.add(part);
    return result.value;
  };
  return {
    request,
    session: answer.session,
    parts: pullBatches(() => source.next().then(tallied), () => source.return()),
    hidden: () => hiddenParams(answer, tally),
    usage: tally,
    cancel: () => answer.cancel(),
  };
}
