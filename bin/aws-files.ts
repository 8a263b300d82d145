// Node only: the library's AwsFileReader over the shared AWS config files and the web identity
// token file. Kept out of src/ so that the library and the Worker never touch a file system.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { AwsFileReader } from "../src/aws/profile.ts";

/**
 * Reads `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE` and
 * `AWS_CONFIG_FILE`) on each use, so rotated keys are picked up without a restart.
 */
export function nodeAwsFileReader(env: Record<string, string | undefined> = process.env): AwsFileReader {
  return {
    async profile(name) {
      const [credentials, config] = await Promise.all([
        readIni(env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), ".aws", "credentials")),
        readIni(env.AWS_CONFIG_FILE || join(homedir(), ".aws", "config")),
      ]);
      // The config file names sections `[profile NAME]`, except `[default]`; the credentials file `[NAME]`.
      const fromConfig = config.get(name === "default" ? "default" : `profile ${name}`);
      const fromCredentials = credentials.get(name);
      if (!fromConfig && !fromCredentials) return undefined;
      return { ...fromConfig, ...fromCredentials };
    },
    webIdentityToken: (path) => readFile(path, "utf8"),
  };
}

/** An INI file's sections; a missing file has none. */
async function readIni(path: string): Promise<Map<string, Record<string, string>>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
  return parseIni(text);
}

/**
 * The subset of INI the AWS CLI writes: `[section]`, `key = value`, `#` and `;` comments.
 * Indented lines belong to a nested block (e.g. `s3 =`), which credentials never use: skipped.
 */
export function parseIni(text: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s/.test(raw) || /^\s*([#;]|$)/.test(raw)) continue;
    const section = /^\[\s*([^\]]+?)\s*\]/.exec(raw);
    if (section) {
      const name = section[1]!.replace(/\s+/g, " ");
      current = sections.get(name) ?? {};
      sections.set(name, current);
      continue;
    }
    const eq = raw.indexOf("=");
    if (current && eq > 0) current[raw.slice(0, eq).trim().toLowerCase()] = raw.slice(eq + 1).trim();
  }
  return sections;
}
