// Every backend: what the client and the endpoint serve. A narrower build imports fewer.
import type { Backends } from "../invoker.ts";
import { invokeClassic } from "./agents-classic/agent.ts";
import { invokeHarness } from "./harness/agent.ts";
import { invokeRuntime } from "./runtime/agent.ts";

export const ALL_BACKENDS: Backends = {
  agent: (request, model, _call, context) => invokeClassic(request, model, context),
  harness: invokeHarness,
  runtime: invokeRuntime,
};
