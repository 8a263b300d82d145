// The Cloudflare Worker: wires the Worker's bindings into the endpoint's app, nothing more.
import type { Hono } from "hono";
import type { Env } from "../src/env.ts";
import { ConfigError, parseConfig, parseConfigJson } from "../src/proxy/config.ts";
import { createApp } from "../src/proxy/app.ts";
import { LIVENESS_PATHS, READINESS_PATH, liveness, readiness } from "../src/proxy/health.ts";
import { usesLimits } from "../src/proxy/limits/uses-limits.ts";
import bundledConfig from "./config.generated.json";
import { DurableStore, type LimitsNamespace } from "./durable-store.ts";

// A Durable Object class is found among the exports of the Worker's main module.
export { LimitsObject } from "./limits-object.ts";

// Isolates come and go and run side by side: limits counted in one would not hold.
const NO_LIMITS_BINDING =
  'key limits, budgets and model rpm/tpm are counted in a Durable Object, and the LIMITS binding is missing: add to wrangler.toml [[durable_objects.bindings]] name = "LIMITS" class_name = "LimitsObject" and [[migrations]] tag = "v1" new_sqlite_classes = ["LimitsObject"]';

let cached: { env: Env; app: Hono } | { env: Env; error: string } | undefined;

function appFor(env: Env): { app: Hono } | { error: string } {
  if (cached?.env === env) return cached;
  const options = {
    lookup: (name: string) => (typeof env[name] === "string" ? (env[name] as string) : undefined),
    warn: (message: string) => console.warn(`config warning: ${message}`),
  };
  try {
    const config =
      typeof env.CONFIG === "string" && env.CONFIG !== ""
        ? parseConfigJson(env.CONFIG, options)
        : parseConfig(bundledConfig, options);
    const store = env.LIMITS ? new DurableStore(env.LIMITS as LimitsNamespace) : undefined;
    if (!store && usesLimits(config)) throw new ConfigError(NO_LIMITS_BINDING);
    cached = { env, app: createApp({ config, env, store }) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    cached = { env, error: `Invalid config: ${error.message}` };
  }
  return cached;
}

export default {
  fetch(request: Request, env: Env, ctx: unknown): Response | Promise<Response> {
    const app = appFor(env);
    if ("error" in app) {
      // The isolate lives but cannot serve: probes say so without the reason.
      const path = new URL(request.url).pathname;
      // /health is liveness too (as the app answers it): readiness is what reports the config.
      if (path === "/health") return Response.json({ status: "ok" });
      if ((LIVENESS_PATHS as readonly string[]).includes(path)) return liveness();
      if (path === READINESS_PATH) return readiness(false);
      const body = { error: { message: app.error, type: "configuration_error", param: null, code: "invalid_config" } };
      return Response.json(body, { status: 500 });
    }
    return app.app.fetch(request, env, ctx as never);
  },
};
