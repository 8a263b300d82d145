import { type IdContext, SignedIds } from "../../signed-ids.ts";

export interface HarnessCallRef {
  sessionId: string;
  /** The harness's own id of the call. */
  toolUseId: string;
}

/** Tool call ids of a harness: signed (see signed-ids.ts), carrying the session and the harness's id. */
export class HarnessCallIds {
  readonly #ids: SignedIds;

  constructor(secret: IdContext["secret"], harnessArn: string) {
    this.#ids = new SignedIds({ secret, agent: harnessArn }, "tool call id", "call_");
  }

  encode(ref: HarnessCallRef): Promise<string> {
    return this.#ids.sign([ref.sessionId, ref.toolUseId]);
  }

  async decode(id: unknown, param: string): Promise<HarnessCallRef> {
    const [sessionId, toolUseId] = await this.#ids.open(id, 2, param);
    return { sessionId: sessionId!, toolUseId: toolUseId! };
  }

  /** The harness's id for a call id in the history: ours decoded, anyone else's as it is. */
  async toolUseId(id: string, param: string): Promise<string> {
    return this.decode(id, param).then((ref) => ref.toolUseId, () => id);
  }
}
