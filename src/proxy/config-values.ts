// The checks of config values: each knows its key path, and whether the value may be quoted
// (never for keys that hold secrets). Web-standard: this goes into the Worker bundle.

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const ENV_REF = "os.environ/";
// Keys whose values are never quoted in a message (api_base may carry credentials in its URL).
const UNQUOTED = new Set([
  "master_key",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_web_identity_token",
  "aws_external_id",
  "api_base",
  "api_key",
  "id_secret",
]);
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/; // as src/endpoint.ts checks it
/** A value at a key path, and the variable it came from when it was `os.environ/NAME`. */
export interface Value {
  value: unknown;
  path: string;
  hidden: boolean;
  from?: string;
}

export interface Context {
  lookup: (name: string) => string | undefined;
  warn: (message: string) => void;
  /** Unset variables, with the key paths that referred to them. */
  unset: Map<string, string[]>;
}

export type Check = (v: Value) => unknown;

export const str = (v: Value): string => {
  if (typeof v.value !== "string" || v.value === "") fail(v, "a non-empty string");
  return v.value;
};

/** A signing secret: long enough that guessing it is hopeless. */
export const secret = (v: Value): string => {
  if (str(v).length < 32) fail(v, "a random secret of at least 32 characters (e.g. openssl rand -base64 32)");
  return v.value as string;
};

export const num =
  (expected: string, ok: (n: number) => boolean): Check =>
  (v) => {
    // A variable's value is a string; a number from the file is already one.
    const n = v.from !== undefined && typeof v.value === "string" && v.value.trim() !== "" ? Number(v.value) : v.value;
    if (typeof n !== "number" || !Number.isFinite(n) || !ok(n)) fail(v, expected);
    return n;
  };

export const bool = (v: Value): boolean => {
  const b = v.from === undefined ? v.value : v.value === "true" ? true : v.value === "false" ? false : v.value;
  if (typeof b !== "boolean") fail(v, "true or false");
  return b;
};

export const oneOf =
  (values: readonly string[]): Check =>
  (v) => {
    if (!values.includes(str(v))) fail(v, `one of ${values.join(", ")}`);
    return v.value;
  };

export const region = (v: Value): string => {
  if (!REGION.test(str(v))) fail(v, "a region name such as us-east-1");
  return v.value as string;
};

export const httpUrl = (v: Value): string => {
  const url = URL.canParse(str(v)) ? new URL(v.value as string) : undefined;
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.search || url.hash) {
    fail(v, "an http or https URL without credentials, query or fragment");
  }
  return v.value as string;
};

/** Resolves `os.environ/NAME`; an unset variable gives `value: undefined` and is noted once. */
export function resolve(value: unknown, path: string, key: string, ctx: Context): Value {
  const hidden = UNQUOTED.has(key);
  if (typeof value !== "string" || !value.startsWith(ENV_REF)) return { value, path, hidden };
  const name = value.slice(ENV_REF.length);
  if (name.trim() === "") throw new ConfigError(`${path}: os.environ/ needs a variable name`);
  const found: unknown = ctx.lookup(name);
  if (found !== undefined && typeof found !== "string") {
    throw new ConfigError(`${path}: os.environ/${name} is not a string, got ${kind(found)}`);
  }
  if (found === undefined || found === "") {
    const paths = ctx.unset.get(name) ?? [];
    ctx.unset.set(name, [...paths, path]);
    return { value: undefined, path, hidden, from: name };
  }
  return { value: found, path, hidden, from: name };
}

export function mapping(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${path}: ${value === undefined ? "required" : `expected a mapping, got ${kind(value)}`}`);
  }
  return value as Record<string, unknown>;
}

export function optionalMapping(value: unknown, path: string): Record<string, unknown> {
  return value === null || value === undefined ? {} : mapping(value, path);
}

export function fail(v: Value, expected: string, detail?: string | undefined): never {
  const got =
    v.value === undefined
      ? ", got nothing"
      : v.hidden && typeof v.value === "string"
        ? "" // a secret of the right type: say what is wrong, never what it is
        : `, got ${typeof v.value === "string" ? JSON.stringify(clip(v.value)) : kind(v.value, !v.hidden)}`;
  throw new ConfigError(`${label(v)}: expected ${expected}${got}${detail ?? ""}`);
}

export function label(v: Value): string {
  return v.from === undefined ? v.path : `${v.path} (os.environ/${v.from})`;
}

/** What a value is, for messages; numbers and booleans shown when not secret. */
export function kind(value: unknown, show = false): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (show && (typeof value === "number" || typeof value === "boolean")) return String(value);
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}

export function keyPath(parent: string, key: string): string {
  if (/^[A-Za-z_][\w-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(clip(key))}]`;
}

export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
