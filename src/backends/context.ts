import type { AwsService } from "../aws/endpoint.ts";
import type { Transport } from "../aws/transport.ts";
import type { CallerScope } from "../caller-scope.ts";

/** What every backend gets from the client for one call. */
export interface BackendContext {
  /** The secret signed ids are keyed with (see idSecret in signed-ids.ts), asked for only when needed. */
  idSecret: () => Promise<string>;
  /** The caller whose session, memory and user ids these are; undefined for the admin. */
  scope: CallerScope | undefined;
  /**
   * Calls `service` with a transport: signed with the call's credentials (one refresh when AWS
   * rejects them), or with `bearer` as the token instead of SigV4.
   */
  send<T>(service: AwsService, call: (transport: Transport) => Promise<T>, bearer?: string): Promise<T>;
}
