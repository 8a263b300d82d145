import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmulator } from "./emulator/server.ts";
import { startStsEmulator } from "./emulator/sts.ts";

export interface VectorCase {
  name: string;
  positive: boolean;
  /** The encoded frame, base64. */
  encoded: string;
  /** The decoded JSON (positive) or the expected error text (negative). */
  decoded: string;
}

// Runs in Node for both projects: starts the emulators (STS issues credentials the agent
// runtime then accepts) and hands fixtures to tests that may run inside workerd, where there
// is no file system.
export default async function setup(project: TestProject) {
  const emulator = await startEmulator();
  const sts = await startStsEmulator({ agentRuntime: emulator });
  project.provide("emulatorUrl", emulator.url);
  project.provide("stsUrl", sts.url);
  project.provide("eventstreamVectors", readVectors());
  return async () => {
    await Promise.all([emulator.close(), sts.close()]);
  };
}

function readVectors(): VectorCase[] {
  const root = join(import.meta.dirname, "fixtures", "eventstream-vectors");
  return (["positive", "negative"] as const).flatMap((kind) =>
    readdirSync(join(root, "encoded", kind)).map((name) => ({
      name,
      positive: kind === "positive",
      encoded: readFileSync(join(root, "encoded", kind, name)).toString("base64"),
      decoded: readFileSync(join(root, "decoded", kind, name), "utf8"),
    })),
  );
}

declare module "vitest" {
  export interface ProvidedContext {
    emulatorUrl: string;
    stsUrl: string;
    eventstreamVectors: VectorCase[];
  }
}
