// Who may ask for raw traces. Traces hold what callers do not otherwise see (tool inputs and
// outputs, retrieved documents, guardrail matches, and with reasoning on the agent's whole
// prompt), so by default only the master key, the operator, may ask for them.
import { PermissionDeniedError } from "../errors.ts";
import type { Caller } from "./auth.ts";
import type { ModelDeployment } from "./config-models.ts";

/**
 * Refuses `include_traces: true` to a caller the model's `allow_traces` does not admit, before
 * anything reaches AWS. Without a caller (open access, no key at all) only `allow_traces: true` admits.
 */
export function checkTraceAccess(deployment: ModelDeployment, caller: Caller | undefined, includeTraces: unknown): void {
  if (includeTraces !== true) return;
  const allowed = deployment.allowTraces ?? caller?.admin === true;
  if (allowed) return;
  const who = deployment.allowTraces === false ? "nobody" : "only the master key";
  throw new PermissionDeniedError(`include_traces is not allowed for the model \`${deployment.model_name}\`: ${who} may ask for its traces`, {
    param: "include_traces",
    code: "traces_not_allowed",
  });
}
