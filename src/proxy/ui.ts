// The playground page (ui/): its routes on the app. The files come from an `ASSETS`-shaped
// fetcher with their headers: Workers Static Assets' binding on a Worker (ui/_headers),
// bin/ui-files.ts under Node. Kept this small: it is in the Worker's bundle.
import type { Hono } from "hono/tiny";
import type { ProxyConfig } from "./config.ts";

/** Fetches a static file; a Worker's `env.ASSETS` is one. */
export interface Assets {
  fetch(request: Request): Promise<Response>;
}

/** `GET /` and the page's files, unless `general_settings.ui: false` or there are no files to serve. */
export function uiRoutes(app: Hono, config: ProxyConfig, assets: Assets | undefined): void {
  if (!config.ui || typeof assets?.fetch !== "function") return;
  for (const path of ["/", "/app.js", "/style.css", "/markdown.js", "/trace.js"]) app.get(path, (c) => assets.fetch(c.req.raw));
}
