// GET /metrics on the Node server, scraped after real traffic: the figures add up to what the
// answers themselves said (counts, tokens, cost), and streams are counted while open.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../bin/server.ts";
import { hashKey } from "../../src/proxy/auth.ts";
import { parseConfig } from "../../src/proxy/config.ts";
import { STALL_TEXT_BEFORE } from "../emulator/scenarios.ts";
import { emulatedModel } from "./support/emulated-model.ts";

const MASTER = "sk-metrics-master-0123456789";
const TEAM_KEY = "sk-metrics-team-0123456789";
type Server = { url: string; close(): Promise<void> };

async function serve(general: Record<string, unknown> = {}): Promise<Server> {
  const raw = {
    model_list: [emulatedModel("agent"), emulatedModel("throttled", "http-error:ThrottlingException"), emulatedModel("stalls", "stall:30000")],
    general_settings: {
      master_key: MASTER,
      api_keys: [{ name: "team", key_sha256: await hashKey(TEAM_KEY), models: ["agent"] }],
      ...general,
    },
  };
  return startServer({ config: parseConfig(raw, { lookup: () => undefined }), port: 0, log: () => {} });
}

/** `name{labels} value` lines → value by series; histograms by their _count and _sum. */
async function scrape(server: Server, key = MASTER): Promise<(name: string, labels?: Record<string, string>) => number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  const series = (await response.text())
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const match = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)!;
      const labels = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
  return (name, labels = {}) =>
    series
      .filter((s) => s.name === `bedrock_agents_openai_${name}` && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);
}

describe("GET /metrics", () => {
  let server: Server;
  beforeAll(async () => {
    server = await serve();
  });
  afterAll(() => server?.close());

  it("counts requests, latency, tokens, cost and upstream errors as the answers reported them", async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    let tokensIn = 0;
    let tokensOut = 0;
    let cost = 0;
    for (let i = 0; i < 3; i++) {
      const { data, response } = await openai.chat.completions.create({ model: "agent", messages: [{ role: "user", content: `q${i}` }] }).withResponse();
      tokensIn += data.usage!.prompt_tokens;
      tokensOut += data.usage!.completion_tokens;
      cost += Number(response.headers.get("x-litellm-response-cost"));
    }
    for (let i = 0; i < 2; i++) {
      const stream = await openai.chat.completions.create({
        model: "agent",
        messages: [{ role: "user", content: `s${i}` }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const chunk of stream) {
        tokensIn += chunk.usage?.prompt_tokens ?? 0;
        tokensOut += chunk.usage?.completion_tokens ?? 0;
      }
    }
    for (let i = 0; i < 2; i++) await openai.chat.completions.create({ model: "throttled", messages: [{ role: "user", content: "x" }] }).catch(() => {});

    const metric = await scrape(server);
    const chat = { model: "agent", route: "/v1/chat/completions" };
    expect(metric("requests_total", { ...chat, status: "200" })).toBe(5);
    expect(metric("requests_total", { model: "throttled", status: "429" })).toBe(2);
    expect(metric("request_duration_seconds_count", chat)).toBe(5);
    expect(metric("request_duration_seconds_sum", chat)).toBeGreaterThan(0);
    expect(metric("time_to_first_token_seconds_count", chat)).toBe(2);
    expect(metric("tokens_total", { model: "agent", direction: "input" })).toBe(tokensIn);
    expect(metric("tokens_total", { model: "agent", direction: "output" })).toBe(tokensOut);
    // The three non-streamed answers' cost headers, plus the two streams' (the same answer size).
    expect(metric("cost_usd_total", { model: "agent" })).toBeCloseTo((cost * 5) / 3, 9);
    expect(metric("upstream_errors_total", { model: "throttled", aws_code: "ThrottlingException" })).toBe(2);
    expect(metric("open_streams")).toBe(0);
    expect(metric("process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("counts a stream as open until it ends", async () => {
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "stalls", stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes(STALL_TEXT_BEFORE.trim())) text += new TextDecoder().decode((await reader.read()).value);
    expect((await scrape(server))("open_streams", { model: "stalls" })).toBe(1);
    await reader.cancel();
    await expect.poll(async () => (await scrape(server))("open_streams", { model: "stalls" })).toBe(0);
  });

  it("labels by the route's pattern, so no client can grow the series (issue 20.1)", async () => {
    const before = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } })).text();
    const send = (path: string, key?: string, method = "GET") =>
      fetch(`${server.url}${path}`, { method, headers: key ? { authorization: `Bearer ${key}` } : {} }).then((r) => r.arrayBuffer());
    for (let batch = 0; batch < 40; batch++) {
      const sent: Array<Promise<unknown>> = [];
      for (let i = 0; i < 25; i++) {
        const id = `resp_${batch}_${i}_${Math.random().toString(36).slice(2)}`;
        sent.push(send(`/v1/responses/${id}`), send(`/v1/responses/${id}`, TEAM_KEY), send(`/${id}`), send(`/v1/${id}/x`, MASTER, "POST"));
      }
      await Promise.all(sent);
    }
    const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } })).text();
    const routes = new Set([...text.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
    expect([...routes].filter((route) => route!.includes("resp_"))).toEqual([]);
    expect(routes).toContain("/v1/responses/:id");
    expect(routes).toContain("unknown");
    expect(routes.size).toBeLessThanOrEqual(6);
    // 4,000 distinct paths added a handful of series: a few KiB, not megabytes.
    expect(text.length - before.length).toBeLessThan(16_384);
    const metric = await scrape(server);
    expect(metric("requests_total", { route: "/v1/responses/:id", status: "401" })).toBe(1000);
    expect(metric("requests_total", { route: "/v1/responses/:id", status: "404" })).toBe(1000);
    expect(metric("requests_total", { route: "unknown", status: "404" })).toBe(2000);
  });

  it("names the A2A and MCP routes by their patterns too", async () => {
    const headers = { authorization: `Bearer ${MASTER}`, "content-type": "application/json", accept: "application/json, text/event-stream" };
    await (await fetch(`${server.url}/a2a/agent/.well-known/agent-card.json`, { headers })).arrayBuffer();
    const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } };
    await (await fetch(`${server.url}/mcp`, { method: "POST", headers, body: JSON.stringify(initialize) })).arrayBuffer();
    const metric = await scrape(server);
    expect(metric("requests_total", { route: "/a2a/:model/.well-known/agent-card.json", status: "200" })).toBe(1);
    expect(metric("requests_total", { route: "/mcp", status: "200" })).toBe(1);
  });

  it("is the master key's: 401 without a key, 403 for an API key", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const team = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TEAM_KEY}` } });
    expect(team.status).toBe(403);
    expect(((await team.json()) as { error: { code: string } }).error.code).toBe("metrics_not_allowed");
  });

  it("opens to anyone with allow_open_metrics: true", async () => {
    const open = await serve({ allow_open_metrics: true });
    try {
      expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
