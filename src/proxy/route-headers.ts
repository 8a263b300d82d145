// Headers that routing and limits add to whatever answers the request (x-litellm-model-id,
// x-ratelimit-*): set while the call is made, put on the response once it is built.
import type { Context, MiddlewareHandler } from "hono";

const KEY = "routeHeaders";

export function addRouteHeaders(c: Context, headers: Record<string, string>): void {
  c.set(KEY, { ...(c.get(KEY) as Record<string, string> | undefined), ...headers });
}

export const routeHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  const extra = c.get(KEY) as Record<string, string> | undefined;
  if (extra) for (const [name, value] of Object.entries(extra)) c.res.headers.set(name, value);
};
