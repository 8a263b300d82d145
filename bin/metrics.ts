// Node only: Prometheus metrics of the endpoint's requests, with prom-client, served at GET /metrics.
// Kept out of src/ so that nothing of it enters the Worker bundle.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestObserver, RequestRecord } from "../src/proxy/request-log.ts";

export interface Metrics extends RequestObserver {
  contentType: string;
  render(): Promise<string>;
}

const PREFIX = "bedrock_agents_openai_";
// Agents take seconds: buckets from 50 ms to 5 minutes.
const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** A registry of its own (two servers in one process count apart), with Node's process metrics. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  const requests = new Counter({
    name: `${PREFIX}requests_total`,
    help: "Requests answered, by model_name, route and HTTP status",
    labelNames: ["model", "route", "status"] as const,
    registers,
  });
  const duration = new Histogram({
    name: `${PREFIX}request_duration_seconds`,
    help: "Time from a request's arrival to the end of its answer (of its stream, when streamed)",
    labelNames: ["model", "route"] as const,
    buckets: SECONDS,
    registers,
  });
  const firstToken = new Histogram({
    name: `${PREFIX}time_to_first_token_seconds`,
    help: "Time from a streaming request's arrival to its first event from the agent",
    labelNames: ["model", "route"] as const,
    buckets: SECONDS,
    registers,
  });
  const tokens = new Counter({
    name: `${PREFIX}tokens_total`,
    help: "Tokens the agents' model calls spent, by model_name and direction (input, output)",
    labelNames: ["model", "direction"] as const,
    registers,
  });
  const cost = new Counter({
    name: `${PREFIX}cost_usd_total`,
    help: "Cost of the answers in USD, by model_name (answers whose price is unknown add nothing)",
    labelNames: ["model"] as const,
    registers,
  });
  const upstreamErrors = new Counter({
    name: `${PREFIX}upstream_errors_total`,
    help: "Errors AWS answered with, by model_name and AWS error code",
    labelNames: ["model", "aws_code"] as const,
    registers,
  });
  const openStreams = new Gauge({
    name: `${PREFIX}open_streams`,
    help: "Streaming answers in progress, by model_name",
    labelNames: ["model"] as const,
    registers,
  });

  const byDeployment = new Counter({
    name: `${PREFIX}deployment_requests_total`,
    help: "Requests by the deployment that answered (model_info.id, or the id derived for it) and HTTP status",
    labelNames: ["model", "deployment", "status"] as const,
    registers,
  });
  const retries = new Counter({
    name: `${PREFIX}router_retries_total`,
    help: "Deployments that failed a call and were left for another (num_retries), by the deployment that failed",
    labelNames: ["model", "deployment"] as const,
    registers,
  });
  const cooldowns = new Counter({
    name: `${PREFIX}router_cooldowns_total`,
    help: "Times a deployment was put in cooldown (allowed_fails failures within a minute)",
    labelNames: ["model", "deployment"] as const,
    registers,
  });
  const fallbacks = new Counter({
    name: `${PREFIX}router_fallbacks_total`,
    help: "Requests that fell back to another model_name (fallbacks), by the model asked and the one fallen back to",
    labelNames: ["model", "fallback"] as const,
    registers,
  });
  const limitRejections = new Counter({
    name: `${PREFIX}limit_rejections_total`,
    help: "Requests a key's limits refused, by key name and reason (rpm, tpm, parallel, budget, unavailable)",
    labelNames: ["key", "reason"] as const,
    registers,
  });
  const keySpend = new Counter({
    name: `${PREFIX}key_spend_usd_total`,
    help: "Cost of the answers in USD, by API key name (the master key as \"master key\")",
    labelNames: ["key"] as const,
    registers,
  });

  const model = (record: RequestRecord) => record.model ?? "";
  const each = (list: string | undefined, count: (id: string) => void) => list?.split(",").forEach(count);
  const open = new WeakSet<RequestRecord>();
  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    streamOpened(record) {
      open.add(record);
      openStreams.inc({ model: model(record) });
    },
    ended(record) {
      // The route's pattern, never its path: a client chooses paths without end.
      const labels = { model: model(record), route: record.route };
      requests.inc({ ...labels, status: String(record.status) });
      duration.observe(labels, record.duration_ms / 1000);
      if (open.delete(record)) {
        openStreams.dec({ model: model(record) });
        if (record.ttfb_ms !== undefined && !record.error) firstToken.observe(labels, record.ttfb_ms / 1000);
      }
      if (record.input_tokens) tokens.inc({ model: model(record), direction: "input" }, record.input_tokens);
      if (record.output_tokens) tokens.inc({ model: model(record), direction: "output" }, record.output_tokens);
      if (record.cost_usd) cost.inc({ model: model(record) }, record.cost_usd);
      if (record.aws_code) upstreamErrors.inc({ model: model(record), aws_code: record.aws_code });
      if (record.deployment) byDeployment.inc({ model: model(record), deployment: record.deployment, status: String(record.status) });
      each(record.retried_from, (deployment) => retries.inc({ model: model(record), deployment }));
      each(record.cooldowns, (deployment) => cooldowns.inc({ model: model(record), deployment }));
      if (record.fallback) fallbacks.inc({ model: model(record), fallback: record.fallback });
      if (record.limit) limitRejections.inc({ key: record.caller ?? "", reason: record.limit });
      if (record.cost_usd && record.caller) keySpend.inc({ key: record.caller }, record.cost_usd);
    },
  };
}
