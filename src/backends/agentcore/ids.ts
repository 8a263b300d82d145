// AgentCore's session and user ids: checked against the service's rules before any header is
// built from them, and scoped by caller (see caller-scope.ts).
import type { CallerScope } from "../../caller-scope.ts";
import { BadRequestError } from "../../errors.ts";

// The published rules: 33 to 100 characters, no "." or ":".
const SESSION_ID = /^[a-zA-Z0-9][a-zA-Z0-9_-]{32,99}$/;
const USER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_/:@.-]{0,127}$/;

/** A session id a caller named, checked and scoped. */
export async function agentCoreSessionId(id: string, scope: CallerScope | undefined): Promise<string> {
  const checked = check(id, SESSION_ID, "session_id", "33 to 100 letters, digits, \"-\" or \"_\"");
  return scope ? check(await scope.claim(checked, "session_id"), SESSION_ID, "session_id", "33 to 100 letters, digits, \"-\" or \"_\" (with the caller's tag)") : checked;
}

/** A new session id: 36 characters, tagged for the caller. */
export function newAgentCoreSessionId(scope: CallerScope | undefined): Promise<string> | string {
  return scope ? scope.issue() : crypto.randomUUID();
}

/** The end user (or the config's actor) as the memory actor and runtime user id, namespaced by the caller. */
export async function scopedActor(user: string, scope: CallerScope | undefined, param = "user"): Promise<string> {
  const checked = check(user, USER_ID, param, "up to 128 letters, digits and _/:@.-");
  return scope ? scope.claim(checked, param) : checked;
}

function check(value: string, pattern: RegExp, param: string, expected: string): string {
  if (!pattern.test(value)) {
    throw new BadRequestError(`Invalid ${param} for AgentCore: expected ${expected}`, { param, code: "invalid_session_id" });
  }
  return value;
}
