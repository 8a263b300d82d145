// The playground's files (the package's ui/ folder) as an `ASSETS`-shaped fetcher for the app,
// as Workers Static Assets serve them on a Worker. Only the page's own files: nothing else of
// the folder or the disk is reachable.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Assets } from "../src/proxy/ui.ts";

// bin/ under tsx and dist/ once bundled: both one level below the package root.
const UI_DIR = fileURLToPath(new URL("../ui/", import.meta.url));

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** As ui/_headers sets them where Workers Static Assets serve the page. */
export const UI_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export function uiFiles(dir = UI_DIR): Assets {
  return {
    async fetch(request: Request): Promise<Response> {
      const path = new URL(request.url).pathname;
      const name = path === "/" ? "index.html" : path.slice(1);
      const type = TYPES[name.slice(name.lastIndexOf(".") + 1)];
      if (!/^[a-z]+\.[a-z]+$/.test(name) || !type) return new Response("Not found", { status: 404, headers: UI_HEADERS });
      try {
        const body = await readFile(dir + name);
        return new Response(request.method === "HEAD" ? null : body, { headers: { ...UI_HEADERS, "content-type": type, "cache-control": "no-cache" } });
      } catch {
        return new Response("Not found", { status: 404, headers: UI_HEADERS });
      }
    },
  };
}
