/** Settings from the environment: a Worker's bindings, or `process.env` where it exists. */
export type Env = Record<string, unknown>;

/**
 * Reads a string setting from `env` first, then from `process.env` (Node, Bun, Deno with
 * permission). Empty strings count as unset, so `FOO=` does not shadow a real value.
 */
export function readEnv(env: Env | undefined, name: string): string | undefined {
  const fromEnv = env?.[name];
  if (typeof fromEnv === "string" && fromEnv !== "") return fromEnv;
  const fromProcess = processEnv()?.[name];
  return typeof fromProcess === "string" && fromProcess !== "" ? fromProcess : undefined;
}

function processEnv(): Record<string, string | undefined> | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  } catch {
    return undefined; // Deno without --allow-env throws on access
  }
}
