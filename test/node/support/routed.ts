// What the routing and key-limit tests share: deployments told apart by their agent id (the
// emulator records it), a Node server per config with its request log read as JSON records,
// and everything started stopped by `stopAll`.
import OpenAI from "openai";
import { startServer } from "../../../bin/server.ts";
import { parseConfig } from "../../../src/proxy/config.ts";
import { STATIC_CREDENTIALS } from "../../emulator/credentials.ts";
import type { Emulator, RecordedRequest } from "../../emulator/server.ts";

export const MASTER = "sk-routing-master-0123456789";

/** The agent id a deployment id is served as: letters and digits, 10 at most (`east` → `EAST000000`). */
export function agentOf(id: string): string {
  return id.toUpperCase().replace(/[^0-9A-Z]/g, "").padEnd(10, "0").slice(0, 10);
}

/** A model_list entry: deployment `id` of `name`, on `base` (an emulator URL, maybe with /scenario/...). */
export function deployment(name: string, id: string, base: string, params: Record<string, unknown> = {}, info: Record<string, unknown> = { id }) {
  return {
    model_name: name,
    litellm_params: {
      model: `bedrock/agent/${agentOf(id)}/ALIAS00001`,
      aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
      aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
      aws_region_name: "us-west-2",
      api_base: base,
      ...params,
    },
    model_info: info,
  };
}

export interface Served {
  url: string;
  /** The request log, one JSON record per request, in the order they closed. */
  records(): Array<Record<string, unknown>>;
  /** Server-side failure lines. */
  failures: string[];
  openai(key?: string): OpenAI;
  close(): Promise<void>;
}

const running: Array<() => Promise<void>> = [];

/** A Node server for `raw` (a config as YAML would parse), on a free port; master key MASTER unless the config sets one. */
export async function serve(raw: Record<string, unknown>): Promise<Served> {
  const general = { master_key: MASTER, ...(raw.general_settings as Record<string, unknown> | undefined) };
  const config = parseConfig({ ...raw, general_settings: general }, { lookup: () => undefined, warn: () => {} });
  const lines: string[] = [];
  const failures: string[] = [];
  const server = await startServer({ config, port: 0, log: (line) => failures.push(line), requestLog: (line) => lines.push(line), logFormat: "json" });
  running.push(() => server.close());
  return {
    url: server.url,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    failures,
    openai: (key = MASTER) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 }),
    close: () => server.close(),
  };
}

/** Also stopped by stopAll (an emulator a test started). */
export function track(emulator: Emulator): Emulator {
  let closed = false;
  const close = emulator.close.bind(emulator);
  emulator.close = () => (closed ? Promise.resolve() : ((closed = true), close()));
  running.push(() => emulator.close());
  return emulator;
}

export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((stop) => stop().catch(() => {})));
}

/** How many of `requests` each deployment id got (by agent id). */
export function countBy<K extends string>(requests: readonly RecordedRequest[], ids: readonly K[]): Record<K, number> {
  return Object.fromEntries(ids.map((id) => [id, requests.filter((r) => r.agentId === agentOf(id)).length])) as Record<K, number>;
}

/** The deployment id of a recorded request. */
export function deploymentOf(request: RecordedRequest | undefined, ids: readonly string[]): string | undefined {
  return ids.find((id) => agentOf(id) === request?.agentId);
}

/** The error a promise rejects with (undefined if it resolves). */
export async function rejection<T = InstanceType<typeof OpenAI.APIError>>(promise: Promise<unknown>): Promise<T> {
  return (await promise.then(() => undefined, (e: unknown) => e)) as T;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counters by the minute (rpm, tpm, a deployment's failures) start again when the minute turns:
 * a test counting up to one waits out the last `marginMs` of a minute first (at most that long).
 */
export async function awayFromMinuteEnd(marginMs = 2000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await sleep(left + 20);
}
