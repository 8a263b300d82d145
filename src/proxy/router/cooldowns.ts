// Cooldowns (LiteLLM's allowed_fails and cooldown_time): a deployment that failed allowed_fails
// times within a minute is skipped for cooldown_time seconds while others are healthy. Counted
// in the shared store, so every instance skips it; all under one owner, so one read serves a model.
import { AgentError } from "../../errors.ts";
import type { ModelDeployment, RouterSettings } from "../config.ts";
import type { CounterStore } from "../limits/counter-store.ts";

const OWNER = "router";
const MINUTE = 60_000;

export class Cooldowns {
  constructor(
    private readonly store: CounterStore,
    private readonly settings: RouterSettings,
    /** Where a store failure is told: cooldowns then count as none (routing goes on). */
    private readonly log: (line: string) => void,
  ) {}

  /** The ids of those cooling down now. */
  async cooling(group: readonly ModelDeployment[]): Promise<Set<string>> {
    try {
      const values = await this.store.read(group.map((d) => `${OWNER}|cooldown|${d.id}`));
      return new Set(group.filter((_, i) => values[i]! > 0).map((d) => d.id));
    } catch (error) {
      this.log(`router: cooldowns could not be read, none assumed: ${(error as Error).message}`);
      return new Set();
    }
  }

  /** Counts a failure; true when it put the deployment in cooldown. */
  async failed(deployment: ModelDeployment): Promise<boolean> {
    const minute = Math.floor(Date.now() / MINUTE);
    try {
      const [fails] = await this.store.add([{ key: `${OWNER}|fails|${deployment.id}|${minute}`, add: 1, ttlMs: 2 * MINUTE }]);
      if (fails! < Math.max(1, this.settings.allowedFails)) return false;
      await this.store.add([{ key: `${OWNER}|cooldown|${deployment.id}`, add: 1, ttlMs: this.settings.cooldownSeconds * 1000 }]);
      return true;
    } catch (error) {
      this.log(`router: a failure of deployment ${deployment.id} could not be counted: ${(error as Error).message}`);
      return false;
    }
  }
}

/**
 * Whether a failure is the deployment's, worth another deployment: throttling, AWS's 5xx, a
 * timeout or a broken connection, and what AWS refused for this deployment's own agent or
 * credentials (access denied, not found). Never the caller's own mistake (a 400 of ours).
 */
export function deploymentFailure(error: unknown): error is AgentError {
  if (!(error instanceof AgentError)) return false;
  if (error.retryable || error.status >= 500) return true;
  return error.awsCode !== undefined && [401, 403, 404, 408, 424].includes(error.status);
}
