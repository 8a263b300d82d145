// A model_list entry answered by the emulator (a scenario of it, when named), with the
// emulator's static keys written into the config.
import { inject } from "vitest";
import { STATIC_CREDENTIALS } from "../../emulator/credentials.ts";

export function emulatedModel(name: string, scenario?: string) {
  const emulatorUrl = inject("emulatorUrl");
  return {
    model_name: name,
    litellm_params: {
      model: "bedrock/agent/L1RT58GYRW/MFPSBCXYTW",
      aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
      aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
      aws_region_name: "us-west-2",
      api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
      num_retries: 0,
    },
  };
}

/** The same for an AgentCore harness or runtime (its ARN). */
export function emulatedAgentCore(name: string, arn: string, scenario?: string) {
  const emulatorUrl = inject("emulatorUrl");
  return {
    model_name: name,
    litellm_params: {
      model: `bedrock/agentcore/${arn}`,
      aws_access_key_id: STATIC_CREDENTIALS.accessKeyId,
      aws_secret_access_key: STATIC_CREDENTIALS.secretAccessKey,
      api_base: scenario ? `${emulatorUrl}/scenario/${scenario}` : emulatorUrl,
      num_retries: 0,
    },
  };
}
