// Headless Chromium from Debian's package, started by us (so we kill it by its own PID, with
// its whole process group) and driven over CDP by playwright-core: no browser download.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** CHROMIUM_PATH, else `chromium` on the PATH (as .ci/run looks for it), else Debian's place. */
export const chromiumPath =
  process.env.CHROMIUM_PATH ??
  (process.env.PATH ?? "").split(":").map((dir) => join(dir, "chromium")).find((path) => existsSync(path)) ??
  "/usr/bin/chromium";
export const chromiumAvailable = existsSync(chromiumPath);

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

export async function launchChromium(extraArgs: string[] = []): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "bedrock-agents-openai-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${profile}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    ...extraArgs,
    "about:blank",
  ];
  const child = spawn(chromiumPath, args, { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", (error) => ((spawnError = error), resolve()));
  });
  const close = async () => {
    if (!spawnError && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, "SIGTERM"); // the group: renderers and helpers go too
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stderr!.on("data", (data: Buffer) => {
        output += data;
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error(`chromium exited before listening: ${spawnError ?? ""}\n${output}`)));
      setTimeout(() => reject(new Error(`chromium did not start within 30 s:\n${output}`)), 30_000).unref();
    });
    return { browser: await chromium.connectOverCDP(endpoint), close };
  } catch (error) {
    await close();
    throw error;
  }
}
