// Runs Debian's redis-server on a free loopback port, without persistence, and stops it by its PID.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { freePort } from "./free-port.ts";

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server and waits for it to exit (a no-op when it is stopped). */
  stop(): Promise<void>;
  /** Starts it again on the same port, after stop: Redis coming back after going away. */
  restart(): Promise<void>;
}

/**
 * Why the Redis tests cannot run here, or undefined when they can. With REQUIRE_REDIS=1 (CI)
 * they never skip: a missing redis-server then fails them.
 */
export function redisSkipReason(): string | undefined {
  if (process.env.REQUIRE_REDIS === "1" || hasRedisServer()) return undefined;
  return "redis-server is not on PATH (apt-get install redis-server; REQUIRE_REDIS=1 makes this a failure)";
}

function hasRedisServer(): boolean {
  return !spawnSync("redis-server", ["--version"], { stdio: "ignore" }).error;
}

export async function startRedisServer(): Promise<RedisServer> {
  if (!hasRedisServer()) throw new Error("redis-server is not on PATH, and REQUIRE_REDIS=1: apt-get install redis-server");
  const port = await freePort();
  let child: ChildProcess | undefined = await launch(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return resolve();
      running.once("exit", () => resolve());
      running.kill("SIGTERM");
    });
  const restart = async () => {
    await stop();
    child = await launch(port);
  };
  return { url: `redis://127.0.0.1:${port}`, port, stop, restart };
}

/** Starts redis-server on the port and resolves once it answers PING. */
async function launch(port: number): Promise<ChildProcess> {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (data: Buffer) => (output += data));
  child.stderr!.on("data", (data: Buffer) => (output += data));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output}`);
    if (await answersPing(port)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
  throw new Error(`redis-server did not answer on port ${port} within 10 s:\n${output}`);
}

/** Listening is not enough: a Redis still starting may refuse commands. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data: Buffer) => done(data.toString().startsWith("+PONG")));
  });
}
