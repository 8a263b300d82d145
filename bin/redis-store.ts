// Node only: the CounterStore that several Node servers share, in Redis. Kept out of src/ so that
// ioredis never reaches the Worker bundle (a Worker counts in a Durable Object instead).
import { Redis, type RedisOptions } from "ioredis";
import type { Admission, Change, CounterStore, Gate } from "../src/proxy/limits/counter-store.ts";

/** `redis://[:password@]host[:port][/db]`, `rediss://…` (TLS), or its parts. */
export type RedisAddress = string | { host: string; port?: number; password?: string; tls?: boolean };

export interface RedisStoreOptions {
  /** Prepended to every counter's key, so the store can share a Redis with other things. */
  keyPrefix?: string;
  /** How long a call waits for Redis (to connect, or to answer) before it rejects. */
  timeoutMs?: number;
}

/** Redis is down, unreachable or too slow: the message names host:port, never a password. */
export class RedisUnreachableError extends Error {
  override name = "RedisUnreachableError";
}

// Both scripts run atomically in Redis: no other server's call comes between a read and a write.
// Lua turns numbers it returns into integers, so values go back as the strings Redis keeps.

/** KEYS: the gates' keys; ARGV: limit, add, ttlMs per gate. Answers {refused index, values before...}. */
const ADMIT_LUA = `
local values = {}
local refused = -1
for i, key in ipairs(KEYS) do
  values[i] = redis.call('GET', key) or '0'
  local value, limit, add = tonumber(values[i]), tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1])
  if refused < 0 and not (value < limit and value + add <= limit) then refused = i - 1 end
end
if refused < 0 then
  for i, key in ipairs(KEYS) do
    redis.call('INCRBYFLOAT', key, ARGV[3*i-1])
    redis.call('PEXPIRE', key, ARGV[3*i])
  end
end
table.insert(values, 1, tostring(refused))
return values`;

/** KEYS: the counters' keys; ARGV: add, ttlMs per counter. Answers the new values. */
const ADD_LUA = `
local values = {}
for i, key in ipairs(KEYS) do
  values[i] = redis.call('INCRBYFLOAT', key, ARGV[2*i-1])
  redis.call('PEXPIRE', key, ARGV[2*i])
end
return values`;

/** The commands defineCommand adds: the number of keys, the keys, then the arguments. */
interface CounterScripts {
  counterAdmit(numberOfKeys: number, ...keysThenArgs: string[]): Promise<string[]>;
  counterAdd(numberOfKeys: number, ...keysThenArgs: string[]): Promise<string[]>;
}

export class RedisStore implements CounterStore {
  private readonly redis: Redis & CounterScripts;
  private readonly keyPrefix: string;
  private readonly timeoutMs: number;
  /** host:port, for messages. */
  private readonly where: string;
  private readonly password: string | undefined;
  private lastError: Error | undefined;
  private waitingForReady: Promise<void> | undefined;

  constructor(address: RedisAddress, options: RedisStoreOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? "bedrock-agents-openai:";
    this.timeoutMs = options.timeoutMs ?? 1000;
    const failFast: RedisOptions = {
      lazyConnect: true,
      // A call fails at once while disconnected rather than queueing until Redis is back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // A script whose answer was lost may have run: sending it again could count twice.
      autoResendUnfulfilledCommands: false,
      connectTimeout: this.timeoutMs,
      commandTimeout: this.timeoutMs,
      // Reconnects in the background for as long as the store lives, so it recovers by itself.
      retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
    };
    if (typeof address === "string") {
      const url = new URL(address);
      this.where = `${url.hostname}:${url.port || 6379}`;
      this.password = url.password ? decodeURIComponent(url.password) : undefined;
      this.redis = new Redis(address, failFast) as Redis & CounterScripts;
    } else {
      this.where = `${address.host}:${address.port ?? 6379}`;
      this.password = address.password;
      const { host, port, password, tls } = address;
      this.redis = new Redis({ ...failFast, host, port, password, ...(tls ? { tls: {} } : {}) }) as Redis & CounterScripts;
    }
    // Without a listener ioredis prints every connection error; the calls report them instead.
    this.redis.on("error", (error: Error) => (this.lastError = error));
    this.redis.on("ready", () => (this.lastError = undefined));
    this.redis.defineCommand("counterAdmit", { lua: ADMIT_LUA });
    this.redis.defineCommand("counterAdd", { lua: ADD_LUA });
  }

  async admit(gates: Gate[]): Promise<Admission> {
    if (gates.length === 0) return { refused: -1, values: [] };
    const args = gates.flatMap((gate) => [String(gate.limit), String(gate.add), ttl(gate.ttlMs)]);
    const reply = await this.call(() => this.redis.counterAdmit(gates.length, ...gates.map((gate) => this.keyPrefix + gate.key), ...args));
    return { refused: Number(reply[0]), values: reply.slice(1).map(Number) };
  }

  async add(changes: Change[]): Promise<number[]> {
    if (changes.length === 0) return [];
    const args = changes.flatMap((change) => [String(change.add), ttl(change.ttlMs)]);
    const reply = await this.call(() => this.redis.counterAdd(changes.length, ...changes.map((change) => this.keyPrefix + change.key), ...args));
    return reply.map(Number);
  }

  async read(keys: string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const reply = await this.call(() => this.redis.mget(keys.map((key) => this.keyPrefix + key)));
    return reply.map((value) => (value === null ? 0 : Number(value)));
  }

  /** Closes the connection (politely when it is up) and stops reconnecting. */
  async close(): Promise<void> {
    if (this.redis.status === "end") return;
    if (this.redis.status !== "ready") return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Runs a command once connected; a failure to reach Redis becomes a RedisUnreachableError. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    await this.ready();
    try {
      return await command();
    } catch (error) {
      // An error Redis answered (a script's) is not a connection problem: as it is.
      if ((error as Error).name === "ReplyError") throw error;
      throw this.unreachable(error as Error);
    }
  }

  /** Resolves once connected; rejects after timeoutMs, or at once when the store was closed. */
  private ready(): Promise<void> {
    if (this.redis.status === "ready") return Promise.resolve();
    if (this.redis.status === "end") return Promise.reject(new RedisUnreachableError(`Redis store for ${this.where} is closed`));
    // Calls arriving together share one wait (and one listener).
    this.waitingForReady ??= new Promise<void>((resolve, reject) => {
      const settle = (error?: Error) => {
        clearTimeout(timer);
        this.redis.off("ready", onReady).off("end", onEnd);
        this.waitingForReady = undefined;
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => settle();
      const onEnd = () => settle(new RedisUnreachableError(`Redis store for ${this.where} is closed`));
      const timer = setTimeout(() => settle(this.unreachable(this.lastError)), this.timeoutMs);
      this.redis.on("ready", onReady).on("end", onEnd);
      if (this.redis.status === "wait") this.redis.connect().catch(() => {}); // lazyConnect: the first call connects
    });
    return this.waitingForReady;
  }

  private unreachable(cause: Error | undefined): RedisUnreachableError {
    let reason = cause?.message ?? `no answer within ${this.timeoutMs} ms`;
    if (this.password) reason = reason.replaceAll(this.password, "***");
    return new RedisUnreachableError(`Redis could not be reached at ${this.where}: ${reason}`);
  }
}

/** PEXPIRE takes whole milliseconds, at least 1 (0 would delete the key at once). */
function ttl(ttlMs: number): string {
  return String(Math.max(1, Math.ceil(ttlMs)));
}
