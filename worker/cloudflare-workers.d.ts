// The Workers runtime's own module, as far as worker/ uses it: @cloudflare/workers-types declares
// it together with the runtime's globals, which clash with the DOM types this project checks with.
declare module "cloudflare:workers" {
  /** The synchronous KV API of a SQLite-backed Durable Object (`ctx.storage.kv`). */
  export interface SyncKvStorage {
    list<T = unknown>(options?: { prefix?: string }): Iterable<[string, T]>;
    get<T = unknown>(key: string): T | undefined;
    put(key: string, value: unknown): void;
    delete(key: string): boolean;
  }
  export interface DurableObjectState {
    storage: { kv: SyncKvStorage };
  }
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
