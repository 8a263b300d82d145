// The caller's key limits, checked before anything else of a call: a refusal is recorded (by
// which limit) and thrown; an admitted request settles its tokens and spend when it closes.
import type { Context } from "hono";
import { AgentError } from "../../errors.ts";
import type { Caller } from "../auth.ts";
import { recordOf, whenClosed } from "../request-log.ts";
import { addRouteHeaders } from "../route-headers.ts";
import type { CounterStore } from "./counter-store.ts";
import { admitKey } from "./key-limits.ts";
import { limitsUnavailable } from "./limit-errors.ts";

export function callerLimits(store: CounterStore, failOpen: boolean, log: (line: string) => void) {
  return async (c: Context): Promise<void> => {
    const key = (c.get("caller") as Caller | undefined)?.key;
    if (!key?.limits) return;
    const record = recordOf(c);
    let admission;
    try {
      admission = await admitKey(store, { ...key, limits: key.limits });
    } catch (error) {
      if (error instanceof AgentError) {
        record.limit = error.code === "budget_exceeded" ? "budget" : (error.code ?? "").replace(/_limit_exceeded$/, "");
        throw error;
      }
      log(`limits: the store could not be reached for key "${key.name}"${failOpen ? ", served anyway (limits_fail_open)" : ", refused"}: ${(error as Error).message}`);
      if (failOpen) return;
      record.limit = "unavailable";
      throw limitsUnavailable();
    }
    addRouteHeaders(c, admission.headers);
    whenClosed(c, (closed) => {
      const tokens = (closed.input_tokens ?? 0) + (closed.output_tokens ?? 0);
      admission.settle(tokens, closed.cost_usd ?? null).catch((error: Error) => log(`limits: what key "${key.name}" used could not be counted: ${error.message}`));
    });
  };
}
