import { expect } from "vitest";
import { AgentError } from "../../../src/errors.ts";

/** The AgentError a call fails with; the test fails when it succeeds or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<AgentError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentError);
  return error as AgentError;
}
