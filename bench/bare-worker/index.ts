// The load benchmark's control: a Worker without our code that passes the emulator's demo
// answer through (already OpenAI chunks, unsigned, at the demo's pace) from the same upstream,
// through the same wrangler dev. What it holds under the load is wrangler dev's and workerd's
// part; what ours loses beyond it is ours.
export default {
  async fetch(request: Request, env: { UPSTREAM: string }): Promise<Response> {
    if (request.method !== "POST") return new Response("ok"); // the health check wrangler-dev.ts waits for
    const upstream = await fetch(`${env.UPSTREAM}/__emulator/openai-sse`, { method: "POST", body: await request.text(), signal: request.signal });
    return new Response(upstream.body, { headers: { "content-type": "text/event-stream" } });
  },
};
