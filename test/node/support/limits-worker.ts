// The Worker of test/node/durable-store.test.ts: LimitsObject as the Worker has it, and a
// DurableStore over its namespace, called by `POST /<admit|add|read>` with the argument as JSON.
// `POST /object/<owner>` reads keys from that one object, past DurableStore's routing;
// `POST /stored/<owner>` counts what that object keeps in storage.
import { DurableStore, type LimitsNamespace } from "../../../worker/durable-store.ts";
import { LimitsObject as Counting } from "../../../worker/limits-object.ts";

/** The Worker's object, and a count of its stored counters: the test sees expired ones leave. */
export class LimitsObject extends Counting {
  stored(): number {
    return [...this.ctx.storage.kv.list()].length;
  }
}

export default {
  async fetch(request: Request, env: { LIMITS: LimitsNamespace }): Promise<Response> {
    const [, operation, owner] = new URL(request.url).pathname.split("/");
    const argument = (await request.json()) as never;
    try {
      if (operation === "object") return Response.json(await env.LIMITS.getByName(owner!).read(argument));
      if (operation === "stored") return Response.json(await (env.LIMITS.getByName(owner!) as unknown as LimitsObject).stored());
      const store = new DurableStore(env.LIMITS);
      return Response.json(await store[operation as "admit" | "add" | "read"](argument));
    } catch (error) {
      return Response.json({ error: String(error) }, { status: 500 });
    }
  },
};
