// Routes answered from the config alone, without a call to AWS: one model's object (the openai
// package's `models.retrieve`) and Anthropic's token count (`messages.countTokens`), an estimate.
import type { Context } from "hono";
import type { Hono } from "hono/tiny";
import { NotFoundError } from "../errors.ts";
import { estimateInputTokens } from "../surfaces/messages/count-tokens.ts";
import type { RouteDeps } from "./route-deps.ts";

/** A model as `GET /v1/models` lists it and `GET /v1/models/{id}` gives it. */
export function modelObject(id: string): { id: string; object: "model"; created: number; owned_by: string } {
  return { id, object: "model", created: 0, owned_by: "bedrock-agents-openai" };
}

/** Header on a token count: how it was made. */
export const TOKEN_COUNT_HEADER = "x-token-count";

export function localRoutes(app: Hono, deps: RouteDeps): void {
  const retrieve = (c: Context) => {
    const id = c.req.param("id") ?? "";
    // As OpenAI answers: one 404 whether the model is not there or not this key's.
    if (!deps.deployments.has(id) || !deps.allowed(c, id)) {
      throw new NotFoundError(`The model \`${id.slice(0, 100)}\` does not exist or you do not have access to it`, {
        param: "model",
        code: "model_not_found",
      });
    }
    return c.json(modelObject(id));
  };

  const countTokens = async (c: Context) => {
    const body = await deps.readJson(c);
    deps.deploymentFor(c, body.model);
    c.header(TOKEN_COUNT_HEADER, "estimate");
    // `estimated`: this count is not a tokenizer's (count-tokens.ts says how it is made).
    return c.json({ input_tokens: estimateInputTokens(body), estimated: true });
  };

  for (const prefix of ["/v1", ""]) {
    // {.+}: a model_name may hold a slash, which a client may send as is or as %2F.
    app.get(`${prefix}/models/:id{.+}`, deps.authorize, retrieve);
    app.post(`${prefix}/messages/count_tokens`, deps.authorize, deps.limitBody, countTokens);
  }
}
