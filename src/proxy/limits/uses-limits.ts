import type { ProxyConfig } from "../config.ts";

/** Whether the config counts anything that must hold across instances: a key's limits or budget, or a deployment's rpm/tpm. */
export function usesLimits(config: ProxyConfig): boolean {
  return config.apiKeys.some((key) => key.limits !== undefined) || config.models.some((m) => m.rpm !== undefined || m.tpm !== undefined);
}
