// Node only: reads a LiteLLM-style config.yaml and validates it with config.ts.

import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";
import { ConfigError, type ProxyConfig, parseConfig } from "../src/proxy/config.ts";

export interface LoadConfigOptions {
  /** Where `os.environ/NAME` is read from; `process.env` by default. */
  env?: Record<string, string | undefined>;
  warn?: (message: string) => void;
}

export async function loadConfigFile(path: string, options: LoadConfigOptions = {}): Promise<ProxyConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`${path}: cannot read the config file (${code ?? (error as Error).message})`, {
      cause: error,
    });
  }
  const warn = options.warn ?? ((message: string) => console.warn(message));
  // YAML 1.2 as the `yaml` package reads it, plus `<<` merge keys, which PyYAML (LiteLLM) reads.
  const doc = parseDocument(text, { merge: true, prettyErrors: true });
  const error = doc.errors[0];
  if (error) throw new ConfigError(`${path}: invalid YAML${yamlReason(error)}`);
  for (const warning of doc.warnings) warn(`${path}: YAML warning${yamlReason(warning)}`);
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    throw new ConfigError(`${path}: invalid YAML: ${(error as Error).message}`);
  }
  const env = options.env ?? process.env;
  return parseConfig(raw, { lookup: (name) => env[name], warn });
}

/**
 * ` at line L, column C: reason`. The `yaml` package's message ends with a snippet of the
 * offending line, which may hold a secret: only its first line is kept, without the position.
 */
function yamlReason(error: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  const reason = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  const pos = error.linePos?.[0];
  return `${pos ? ` at line ${pos.line}, column ${pos.col}` : ""}: ${reason}`;
}
