// What every runtime's smoke run must have produced, compared with the emulator's own constants.
import { expect } from "vitest";
import { STATIC_CREDENTIALS } from "../../../emulator/credentials.ts";
import { DEMO_EXPECTED_USAGE, UTF8_SPLIT_TEXT, demoAnswer } from "../../../emulator/scenarios.ts";
import type { RecordedRequest } from "../../../emulator/server.ts";
import type { SmokeInput, SmokeResult } from "../fixtures/smoke.mjs";

const question = "Which runtimes do you run on?";

export function smokeInput(apiBase: string): SmokeInput {
  return { apiBase, accessKeyId: STATIC_CREDENTIALS.accessKeyId, secretAccessKey: STATIC_CREDENTIALS.secretAccessKey, question };
}

export async function expectSmoke(result: SmokeResult & { runtime: string }, runtime: RegExp, emulatorUrl: string) {
  expect(result.runtime).toMatch(runtime);
  const usage = {
    prompt_tokens: DEMO_EXPECTED_USAGE.inputTokens,
    completion_tokens: DEMO_EXPECTED_USAGE.outputTokens,
    total_tokens: DEMO_EXPECTED_USAGE.inputTokens + DEMO_EXPECTED_USAGE.outputTokens,
  };
  expect(result.whole).toMatchObject({ content: demoAnswer(question), finish_reason: "stop", usage });
  expect(result.whole.cost).toBeGreaterThan(0);
  expect(result.streamed).toMatchObject({ text: demoAnswer(question), finish_reason: "stop", usage });
  expect(result.streamed.contentChunks).toBeGreaterThan(2);
  expect(result.utf8).toBe(UTF8_SPLIT_TEXT);
  expect(result.error).toEqual({ name: "AuthenticationError", status: 401, awsCode: "InvalidSignatureException", isAgentError: true });
  // The calls really reached the emulator, signed and with the session ids the runtime reported.
  for (const session of [result.whole.session_id, result.streamed.session_id]) {
    const query = `?sessionId=${encodeURIComponent(session)}`;
    const requests = (await (await fetch(`${emulatorUrl}/__emulator/requests${query}`)).json()) as RecordedRequest[];
    expect(requests.map((r) => r.status)).toEqual([200]);
  }
}
