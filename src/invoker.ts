// One call to an AWS agent, whatever the surface: its region and credentials decided once, the
// backend its model string names, the transport it sends with.
import type { CredentialProvider } from "./aws/credential-provider.ts";
import type { CredentialSource, Credentials } from "./aws/credentials.ts";
import { resolveEndpoint, resolveRegion } from "./aws/endpoint.ts";
import type { AwsFileReader } from "./aws/profile.ts";
import { CallSignals, DEFAULT_RETRY_POLICY, type RetryPolicy } from "./aws/retry.ts";
import { Signers, sendWithRefresh } from "./aws/signing.ts";
import type { Transport } from "./aws/transport.ts";
import type { BackendContext } from "./backends/context.ts";
import { reportingErrors } from "./backends/reporting-errors.ts";
import { BadRequestError, ConfigurationError } from "./errors.ts";
import { type ModelRef, parseModel } from "./model.ts";
import type { AgentAnswer, AgentRequest } from "./parts.ts";
import { idSecret } from "./signed-ids.ts";
import type { AwsParams, CallParams, CustomPrices, RequestOptions } from "./types.ts";

export interface ClientOptions extends AwsParams, Omit<RequestOptions, "signal" | "scope">, CustomPrices {
  /** The fetch to send requests with; the global one by default. */
  fetch?: typeof fetch;
  /** Backoff before the first retry, doubled for each later one. */
  retry_base_delay_ms?: number;
  /**
   * Local AWS files (profiles, `AWS_WEB_IDENTITY_TOKEN_FILE`), for runtimes with a file system:
   * the Node server passes one (bin/aws-files.ts). Without it, those settings are an error.
   */
  aws_file_reader?: AwsFileReader;
}

/** An agent sends traces as it works; this long a silence means it is stuck. */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

/** A call's parameters over the client's defaults. */
export type Call = CallParams & ClientOptions & { model: string };

/** A backend: an AgentRequest for the agent a model string names, answered as parts. */
export type Backend<K extends ModelRef["kind"] = ModelRef["kind"]> = (
  request: AgentRequest,
  model: Extract<ModelRef, { kind: K }>,
  call: Call,
  context: BackendContext,
) => Promise<AgentAnswer>;

/** The backends a client serves, by the kind of model string; a build may carry fewer. */
export type Backends = { [K in ModelRef["kind"]]?: Backend<K> };

const KINDS: Record<ModelRef["kind"], string> = {
  agent: "Agents Classic (bedrock/agent/...)",
  harness: "AgentCore harnesses",
  runtime: "AgentCore runtimes",
};

/** Warm signing keys and cached temporary credentials, shared by every call it prepares. */
export class Invoker {
  readonly #signers = new Signers();

  readonly #defaults: ClientOptions;
  readonly #backends: Backends;
  /** Where credentials come from; temporary ones are cached by it, shared by every call. */
  readonly #credentials: CredentialProvider;

  constructor(defaults: ClientOptions, backends: Backends, credentials: CredentialProvider) {
    this.#defaults = defaults;
    this.#backends = backends;
    this.#credentials = credentials;
  }

  /** A call's parameters over the defaults. */
  withDefaults<P extends CallParams & { model: string }>(params: P): P & Call {
    // Object.assign, not a spread: a spread here gives each call an object of its own kind, kept while it streams.
    const call: Record<string, unknown> = Object.assign({}, this.#defaults as Record<string, unknown>);
    for (const [key, value] of Object.entries(params)) if (value !== undefined) call[key] = value;
    return call as unknown as P & Call;
  }

  /** A call's AWS settings, decided once: its region, credentials, transport and backend. */
  prepare(call: Call) {
    const region = resolveRegion(call, call.env, call.aws_file_reader);
    // Where credentials come from is decided once, on first need (profiles are read then).
    let source: Promise<CredentialSource> | undefined;
    const sourceOf = () => (source ??= region.then((r) => this.#credentials.source(call, call.env, r, call.aws_file_reader)));
    const secret = async () => {
      if (call.id_secret) return call.id_secret;
      try {
        return idSecret(await sourceOf());
      } catch (error) {
        // A runtime called with a bearer token may have no AWS credentials to derive one from.
        if (call.api_key === undefined || !(error instanceof ConfigurationError)) throw error;
        throw new ConfigurationError(
          "This model's response ids and tool call ids are signed with a secret derived from AWS credentials, and it has none " +
            "(it is called with a bearer api_key): set id_secret (general_settings.id_secret on the endpoint)",
          { code: "id_secret_missing" },
        );
      }
    };
    const invoke = async (request: AgentRequest): Promise<AgentAnswer & { cancel(): void }> => {
      const model = parseModel(request.model);
      const backend = this.#backends[model.kind] as Backend | undefined;
      if (!backend) {
        throw new BadRequestError(`This build serves only ${Object.keys(this.#backends).map((k) => KINDS[k as ModelRef["kind"]]).join(" and ")}, not ${KINDS[model.kind]}`, {
          param: "model",
          code: "invalid_model",
        });
      }
      const signals = new CallSignals(call.signal, call.timeout);
      const fetchFn = call.fetch ?? ((input, init) => fetch(input, init));
      const { retries, baseDelayMs, maxDelayMs } = DEFAULT_RETRY_POLICY;
      const retry: RetryPolicy = { retries: call.num_retries ?? retries, baseDelayMs: call.retry_base_delay_ms ?? baseDelayMs, maxDelayMs };
      const at = await region;
      const context: BackendContext = {
        idSecret: secret,
        scope: call.scope,
        send: async (service, send, bearer) => {
          const transport = (credentials: Credentials | undefined): Transport => ({
            endpoint: resolveEndpoint(call, call.env, at, service),
            signer: credentials && this.#signers.get(credentials, service.signingName, at),
            bearer,
            fetch: fetchFn,
            signals,
            retry,
            idleTimeout: call.idle_timeout ?? DEFAULT_IDLE_TIMEOUT_SECONDS,
            service: service.label,
          });
          if (bearer !== undefined) return send(transport(undefined));
          const resolved = await signals.until(
            sourceOf().then((s) => this.#credentials.resolve(s, { fetch: fetchFn, reader: call.aws_file_reader })),
          );
          return sendWithRefresh(send, resolved, transport, signals);
        },
      };
      const answer = await backend(request, model, call, context);
      const parts = call.on_error ? reportingErrors(answer.parts, call.on_error) : answer.parts;
      // Literals, not spreads: a spread in a hot path gives each object its own hidden class, kept as long as the stream.
      return { session: answer.session, outcome: answer.outcome, parts, cancel: () => signals.cancel(), leftover: answer.parts.leftover };
    };
    return { idSecret: secret, invoke };
  }
}
