// Serves the endpoint under Node with @hono/node-server; shared by the command line and the demo.
import { type Http2Bindings, type HttpBindings, serve } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { AddressInfo } from "node:net";
import { BedrockAgentClient } from "../src/client.ts";
import type { LogFormat, ProxyConfig } from "../src/proxy/config.ts";
import { createApp } from "../src/proxy/app.ts";
import { nodeAwsFileReader } from "./aws-files.ts";
import { createMetrics } from "./metrics.ts";
import { nodeFetch } from "./node-fetch.ts";
import { writesSseItself } from "../src/proxy/sse.ts";
import { writeSse } from "./node-sse.ts";
import { uiFiles } from "./ui-files.ts";
import type { CounterStore } from "../src/proxy/limits/counter-store.ts";
import { RedisStore } from "./redis-store.ts";

export interface ServerOptions {
  config: ProxyConfig;
  port?: number;
  host?: string;
  /** Failure lines (stderr by default). */
  log?: (line: string) => void;
  /** Request lines: stdout by default, where `log` goes when only that is given; false: none. */
  requestLog?: ((line: string) => void) | false;
  /** Over the config's `log_format`. */
  logFormat?: LogFormat;
  /** Where limits and cooldowns are counted; by default Redis when the config names one (router_settings.redis_*, REDIS_URL), else memory. */
  store?: CounterStore;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** Why this config must not be served, or undefined when it may. */
export function refusal(config: ProxyConfig): string | undefined {
  if (config.masterKey !== undefined || config.apiKeys.length > 0 || config.allowOpenAccess) return undefined;
  return (
    "No master key is configured, so the endpoint refuses to serve.\n" +
    "Set LITELLM_MASTER_KEY in the environment (as for LiteLLM), or general_settings.master_key in the config, e.g.\n" +
    "  general_settings:\n    master_key: os.environ/MY_MASTER_KEY\n" +
    "or, to serve without any key, set general_settings.allow_open_access: true"
  );
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  // Under Node the library may read profiles and the web identity token file.
  const client = new BedrockAgentClient({ aws_file_reader: nodeAwsFileReader(), fetch: nodeFetch });
  const metrics = createMetrics();
  const { redis } = options.config.router;
  // Several servers share their counts through Redis; a store of our own making closes with the server.
  const ownStore = options.store === undefined && redis !== undefined ? new RedisStore("url" in redis ? redis.url : redis) : undefined;
  const app = createApp({
    store: options.store ?? ownStore,
    config: options.config,
    log: options.log,
    requestLog: options.requestLog ?? options.log,
    logFormat: options.logFormat,
    client,
    observers: [metrics],
    metrics,
    assets: uiFiles(),
  });
  return new Promise((resolve, reject) => {
    // SSE answers go straight to Node's response; everything else through @hono/node-server.
    const fetch = async (request: Request, env: HttpBindings | Http2Bindings) => {
      writesSseItself(request);
      const response = await app.fetch(request, env);
      return writeSse(request, response, (env as HttpBindings).outgoing) ? RESPONSE_ALREADY_SENT : response;
    };
    const server = serve({ fetch, port: options.port ?? 4000, hostname: options.host ?? "127.0.0.1" }, (info: AddressInfo) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => void (ownStore ? ownStore.close().then(done, done) : done()));
            // Open keep-alive and streaming connections would hold close() forever.
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once("error", reject);
  });
}
