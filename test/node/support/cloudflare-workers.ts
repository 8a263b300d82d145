// "cloudflare:workers" under Node, where vitest's node project aliases it (vitest.config.ts): the
// Worker's entry exports a Durable Object class, which only workerd ever instantiates.
export class DurableObject {
  constructor(
    protected ctx: unknown,
    protected env: unknown,
  ) {}
}
