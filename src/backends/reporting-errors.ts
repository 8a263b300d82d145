// An answer's parts with each error part replaced by what `report` makes of it: the one place
// every backend's failures pass on their way to every surface (see `on_error` in types.ts).
import { type Batches, pullBatches } from "../batches.ts";
import type { AgentError } from "../errors.ts";
import type { AgentPart } from "../parts.ts";

export function reportingErrors(parts: Batches<AgentPart>, report: (error: AgentError) => AgentError): Batches<AgentPart> {
  // Promise callbacks, not an async function: see ../batches.ts.
  const reported = (result: IteratorResult<AgentPart[], void>): AgentPart[] | undefined => {
    if (result.done) return undefined;
    const batch = result.value;
    for (let i = 0; i < batch.length; i++) {
      const part = batch[i]!;
      if (part.type === "error") batch[i] = { type: "error", error: report(part.error) };
    }
    return batch;
  };
  return pullBatches(() => parts.next().then(reported), () => parts.return());
}
