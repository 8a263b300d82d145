// What is known of an answer's session once AWS has answered, for every backend.
import type { SessionInfo } from "../parts.ts";

/**
 * The session ids, and the request id of the attempt being read (a retry gets a new one). A class,
 * not a literal with a getter: such a literal is an object of its own kind each time, which costs
 * every open stream a dictionary of its properties.
 */
export class OpenedSession implements SessionInfo {
  readonly #opened: { readonly requestId: string | undefined };

  constructor(
    readonly sessionId: string,
    readonly memoryId: string | undefined,
    opened: { readonly requestId: string | undefined },
  ) {
    this.#opened = opened;
  }

  get requestId(): string | undefined {
    return this.#opened.requestId;
  }
}
