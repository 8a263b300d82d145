// responses(): OpenAI's Responses API; `previous_response_id` continues the session a response id carries.
import { bytesToBase64url } from "../aws/base64.ts";
import { BadRequestError } from "../errors.ts";
import type { Invoker } from "../invoker.ts";
import { SignedIds } from "../signed-ids.ts";
import { hiddenParams } from "../hidden-params.ts";
import { responsesRequest } from "../surfaces/responses/request.ts";
import { type ResponseInfo, toResponse, toResponseEvents } from "../surfaces/responses/response.ts";
import type { ResponseEventStream, ResponseObject, ResponseStreamEvent, ResponsesParams } from "../surfaces/responses/types.ts";
import { UsageTally } from "../usage.ts";
import { AnswerStream } from "./stream.ts";

export async function responsesCall(invoker: Invoker, params: ResponsesParams): Promise<ResponseObject | ResponseEventStream> {
  const call = invoker.withDefaults(params);
  const request = responsesRequest(call);
  const prepared = invoker.prepare(call);
  // Response ids carry the session, signed like tool call ids and bound to the model.
  const ids = new SignedIds({ secret: prepared.idSecret, agent: call.model }, "response id", "resp_");
  // The answer's id will need the secret: settled before the agent runs, so a retry never repeats its work.
  await ids.ready();
  if (call.previous_response_id !== undefined && call.previous_response_id !== null) {
    // [session, this response's own part]; ids issued before they had one are [session].
    const [session] = await ids.open(call.previous_response_id, [2, 1], "previous_response_id");
    if (call.scope) await call.scope.claim(session!, "previous_response_id", { issued: true });
    if (request.sessionId !== undefined && request.sessionId !== session) {
      throw new BadRequestError("session_id names another session than previous_response_id", { param: "session_id", code: "session_mismatch" });
    }
    request.sessionId = session;
  }
  const answer = await prepared.invoke(request);
  const info: ResponseInfo = {
    id: await ids.sign([answer.session.sessionId, uniquePart()]),
    createdAt: Math.floor(Date.now() / 1000),
    model: call.model,
    params: call,
    tools: request.tools,
    includeTraces: request.options.includeTraces,
    includeCitations: request.options.includeCitations,
  };
  const tally = new UsageTally(call, answer.leftover);
  if (!call.stream) return { ...(await toResponse(answer, info, tally)), _hidden_params: hiddenParams(answer, tally) };

  const usage = () => ({ input_tokens: tally.inputTokens, output_tokens: tally.outputTokens });
  return new ResponseStream(info.id, answer, tally, toResponseEvents(answer, info, tally), usage);
}

/** What tells apart the ids of a session's responses: 96 random bits. */
function uniquePart(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return bytesToBase64url(bytes);
}

/** A streamed Response: its id is known before its first event. */
class ResponseStream extends AnswerStream<ResponseStreamEvent, ResponseEventStream["usage"]> implements ResponseEventStream {
  constructor(
    readonly id: string,
    ...rest: ConstructorParameters<typeof AnswerStream<ResponseStreamEvent, ResponseEventStream["usage"]>>
  ) {
    super(...rest);
  }
}
