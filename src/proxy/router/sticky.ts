// Sticky sessions without storage: a session a deployment of a multi-deployment model starts
// has an id that begins with that deployment's mark (`d1a2b3c4d_...`), and every id that
// continues it carries it: the session id, and inside the signed ids that hold a session
// (response, tool call and A2A task ids). A session the client named itself has no mark: it
// goes where its name hashes, the same deployment every time.
import type { ModelDeployment } from "../config.ts";
import { fnv32, fnvHex as fnv } from "../fnv.ts";

/** The prefix of the session ids a deployment starts. */
export function markOf(deployment: ModelDeployment): string {
  return `d${fnv(deployment.id)}_`;
}

/** Where a request that continues a session must go, and whether only a session id said so. */
export interface Sticky {
  deployment: ModelDeployment;
  /** The session came from a session id field (the client sent its history), not from an id that only this deployment can answer. */
  movable: boolean;
}

/** Fields whose string values may carry a session: session ids, and the signed ids that hold one. */
const SESSION_KEYS = new Set(["session_id", "sessionID", "sessionId", "runtimeSessionId", "contextId"]);
const ID_KEYS = new Set(["previous_response_id", "tool_call_id", "call_id", "tool_use_id", "id", "taskId"]);
const MARK = /(?:^|")d([0-9a-f]{8})_/;
const SIGNED = /^[a-z]+[_-]([\w-]{4,1900})\.[\w-]{22}$/;

/** The deployment a request's ids tie it to, if any: the last id found wins (a later turn, after a move, is newer). */
export function stickyOf(fields: Record<string, unknown>, group: readonly ModelDeployment[]): Sticky | undefined {
  let found: Sticky | undefined;
  let named: string | undefined;
  const visit = (value: unknown, key: string, depth: number): void => {
    if (typeof value === "string") {
      if (SESSION_KEYS.has(key)) {
        const at = deploymentOfMark(value, group);
        if (at) found = { deployment: at, movable: true };
        else named ??= value;
      } else if (ID_KEYS.has(key)) {
        const payload = SIGNED.exec(value)?.[1];
        const session = payload === undefined ? "" : decode(payload);
        // A model with one deployment marks nothing: an id that holds a session is that deployment's.
        const at = deploymentOfMark(session, group) ?? (group.length === 1 && session.startsWith('["') ? group[0] : undefined);
        if (at) found = { deployment: at, movable: false };
      }
    } else if (typeof value === "object" && value !== null && depth < 8) {
      if (Array.isArray(value)) for (const item of value) visit(item, key, depth + 1);
      else for (const [k, v] of Object.entries(value)) visit(v, k, depth + 1);
    }
  };
  visit(fields, "", 0);
  if (found || named === undefined) return found;
  return { deployment: byName(named, group), movable: true };
}

function deploymentOfMark(text: string, group: readonly ModelDeployment[]): ModelDeployment | undefined {
  const mark = MARK.exec(text)?.[1];
  return mark === undefined ? undefined : group.find((d) => fnv(d.id) === mark);
}

/** A session the client named: the deployment with the highest hash of name and deployment (rendezvous), stable as deployments come and go. */
function byName(name: string, group: readonly ModelDeployment[]): ModelDeployment {
  // The caller's tag (caller-scope.ts) is not part of the name: with or without it, the same place.
  const base = name.replace(/-[\w-]{16}$/, "");
  const name32 = fnv32(base);
  let best = group[0]!;
  let top = -1;
  for (const d of group) {
    const score = mix(name32 ^ fnv32(d.id));
    if (score > top) [best, top] = [d, score];
  }
  return best;
}

/** MurmurHash3's finalizer: spreads FNV's weak low bits over all 32, so every deployment gets its share. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function decode(payload: string): string {
  try {
    return atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return "";
  }
}
