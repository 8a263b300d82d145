// Health probes under LiteLLM's names, so Kubernetes manifests written for LiteLLM work unchanged.
// No key needed, nothing revealed: a probe learns only whether the process lives and the config loaded.

/** The liveness probe paths: LiteLLM's `liveliness` spelling, and the usual `liveness`. */
export const LIVENESS_PATHS = ["/health/liveliness", "/health/liveness"] as const;
export const READINESS_PATH = "/health/readiness";

/** The process is up: LiteLLM's own answer. */
export function liveness(): Response {
  return Response.json("I'm alive!");
}

/** Ready when the config loaded; a Worker with an invalid config stays up but is not ready. */
export function readiness(configLoaded: boolean): Response {
  return configLoaded
    ? Response.json({ status: "healthy", config: "loaded" })
    : Response.json({ status: "unhealthy", config: "invalid" }, { status: 503 });
}
