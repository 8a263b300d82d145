// One error hierarchy for everything the library can raise. Each error knows its HTTP status
// and its OpenAI-shaped body, so the endpoint can answer with it as is.
import { scrubAwsMessage, scrubSecrets } from "./scrub.ts";

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface AgentErrorOptions {
  /** The AWS error code (e.g. `ThrottlingException`), when AWS said one. */
  awsCode?: string;
  /** `x-amzn-requestid` of the failed call, to quote to AWS support. */
  requestId?: string;
  param?: string;
  code?: string;
  cause?: unknown;
  /** Seconds the caller should wait before trying again, when known. */
  retryAfter?: number;
  /**
   * What the message quotes of AWS's own text (or STS's, or the agent code's behind AWS): it may
   * name accounts, users, roles and policies, so the endpoint shows it to the master key only.
   */
  awsMessage?: string;
  /** How `safeMessage` begins ("Could not assume the configured role"); by default AWS refused (or failed) the call. */
  summaryLead?: string;
}

export class AgentError extends Error {
  override name = "AgentError";
  readonly status: number = 500;
  readonly type: string = "api_error";
  /** Worth trying again later (throttling, 5xx, a dropped connection). */
  readonly retryable: boolean = false;
  readonly code: string | null;
  readonly param: string | null;
  readonly awsCode: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;
  /** What AWS wrote, scrubbed of secrets; undefined when the message is all ours. */
  readonly awsMessage: string | undefined;
  readonly #summaryLead: string | undefined;

  constructor(message: string, options: AgentErrorOptions = {}) {
    // Secrets never stay in a message, whoever reads it: AWS may echo them anywhere in its text.
    super(scrubSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.awsCode = options.awsCode;
    this.code = options.code ?? options.awsCode ?? null;
    this.param = options.param ?? null;
    this.requestId = options.requestId;
    this.retryAfter = options.retryAfter;
    this.awsMessage = options.awsMessage === undefined ? undefined : scrubAwsMessage(options.awsMessage);
    this.#summaryLead = options.summaryLead;
  }

  /**
   * The message without AWS's text: what failed, AWS's code, the status and AWS's request id
   * (to look the call up in CloudTrail or quote to AWS support). The message itself when it
   * quotes nothing of AWS's.
   */
  get safeMessage(): string {
    if (this.awsMessage === undefined) return this.message;
    const lead = this.#summaryLead ?? (this.status >= 500 ? "AWS failed the call" : "AWS refused the call");
    const requestId = this.requestId ? `; AWS request id ${this.requestId}` : "";
    return `${lead}: ${this.awsCode ?? this.code ?? this.type} (HTTP ${this.status})${requestId}`;
  }

  /** The same error with `safeMessage` as its message, for a caller not trusted with AWS's text. */
  withoutAwsText(): AgentError {
    if (this.awsMessage === undefined) return this;
    const { param, code, awsCode, requestId, retryAfter } = this;
    const ErrorClass = this.constructor as AgentErrorClass;
    return new ErrorClass(this.safeMessage, { param: param ?? undefined, code: code ?? undefined, awsCode, requestId, retryAfter });
  }

  toJSON(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** The request cannot be served as written (bad model string, bad messages, ...). */
export class BadRequestError extends AgentError {
  override name = "BadRequestError";
  override readonly status = 400;
  override readonly type = "invalid_request_error";
}

/** A setting the library needs is missing or malformed (credentials, region, endpoint). */
export class ConfigurationError extends AgentError {
  override name = "ConfigurationError";
  override readonly status = 500;
  override readonly type = "configuration_error";
}

/** AWS refused the credentials (unknown key, bad signature, expired token). */
export class AuthenticationError extends AgentError {
  override name = "AuthenticationError";
  override readonly status = 401;
  override readonly type = "authentication_error";
}

export class PermissionDeniedError extends AgentError {
  override name = "PermissionDeniedError";
  override readonly status = 403;
  override readonly type = "permission_error";
}

export class NotFoundError extends AgentError {
  override name = "NotFoundError";
  override readonly status = 404;
  override readonly type = "not_found_error";
}

export class PayloadTooLargeError extends AgentError {
  override name = "PayloadTooLargeError";
  override readonly status = 413;
  override readonly type = "invalid_request_error";
}

export class ConflictError extends AgentError {
  override name = "ConflictError";
  override readonly status = 409;
  override readonly type = "conflict_error";
}

/** AgentCore's session is busy ("Session operation in progress": being provisioned, or another call on it): worth another try shortly. */
export class RetryableConflictError extends ConflictError {
  override name = "RetryableConflictError";
  override readonly retryable = true;
}

/** Something the agent depends on failed (an action group's Lambda, a knowledge base). */
export class DependencyFailedError extends AgentError {
  override name = "DependencyFailedError";
  override readonly status = 424;
  override readonly type = "dependency_failed_error";
}

export class RateLimitError extends AgentError {
  override name = "RateLimitError";
  override readonly status = 429;
  override readonly type = "rate_limit_error";
  override readonly retryable = true;
}

/** A service quota is used up: waiting a moment will not help, unlike throttling. */
export class QuotaExceededError extends AgentError {
  override name = "QuotaExceededError";
  override readonly status = 429;
  override readonly type = "insufficient_quota";
}

export class InternalServerError extends AgentError {
  override name = "InternalServerError";
  override readonly status: number = 500;
  override readonly type = "server_error";
  override readonly retryable = true;
}

export class BadGatewayError extends InternalServerError {
  override name = "BadGatewayError";
  override readonly status = 502;
}

/** The model behind the agent is not ready yet; AWS asks to try again. */
export class ServiceUnavailableError extends InternalServerError {
  override name = "ServiceUnavailableError";
  override readonly status = 503;
}

/** The agent's event stream was corrupt (CRC mismatch, bad frame) or ended inside a frame. */
export class StreamError extends AgentError {
  override name = "StreamError";
  override readonly status = 502;
  override readonly type = "server_error";
}

/** The network failed: connection refused or reset, DNS, TLS. */
export class ConnectionError extends AgentError {
  override name = "ConnectionError";
  override readonly status = 502;
  override readonly type = "api_connection_error";
  override readonly retryable = true;
}

export class TimeoutError extends AgentError {
  override name = "TimeoutError";
  override readonly status = 504;
  override readonly type = "timeout_error";
}

/** The caller aborted through its own `signal`. 499 is the usual "client closed request". */
export class AbortError extends AgentError {
  override name = "AbortError";
  override readonly status = 499;
  override readonly type = "request_aborted";
}

type AgentErrorClass = new (message: string, options?: AgentErrorOptions) => AgentError;

// By AWS code, not status: ValidationException and ServiceQuotaExceededException share 400,
// DependencyFailedException and ModelNotReadyException share 424.
const BY_AWS_CODE: Record<string, AgentErrorClass> = {
  ValidationException: BadRequestError,
  ServiceQuotaExceededException: QuotaExceededError,
  AccessDeniedException: PermissionDeniedError,
  ResourceNotFoundException: NotFoundError,
  ConflictException: ConflictError,
  DependencyFailedException: DependencyFailedError,
  // AgentCore: the agent's own code failed (424); a conflict worth another try (409).
  RuntimeClientError: DependencyFailedError,
  RetryableConflictException: RetryableConflictError,
  ModelNotReadyException: ServiceUnavailableError,
  ThrottlingException: RateLimitError,
  TooManyRequestsException: RateLimitError,
  InternalServerException: InternalServerError,
  InternalFailure: InternalServerError,
  BadGatewayException: BadGatewayError,
  ServiceUnavailableException: ServiceUnavailableError,
  ServiceUnavailable: ServiceUnavailableError,
  UnrecognizedClientException: AuthenticationError,
  InvalidSignatureException: AuthenticationError,
  IncompleteSignatureException: AuthenticationError,
  MissingAuthenticationTokenException: AuthenticationError,
  ExpiredTokenException: AuthenticationError,
  InvalidClientTokenId: AuthenticationError,
  SignatureDoesNotMatch: AuthenticationError,
};

// For codes we do not know: by status, else any 5xx is AWS's failure and the rest the request's.
const BY_STATUS: Record<number, AgentErrorClass> = {
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  424: DependencyFailedError,
  429: RateLimitError,
  502: BadGatewayError,
  503: ServiceUnavailableError,
};

function classForStatus(status: number): AgentErrorClass {
  return BY_STATUS[status] ?? (status >= 500 ? InternalServerError : BadRequestError);
}

const SESSION_BUSY = /session operation in progress/i;

/**
 * The error for an AWS error code, falling back to the HTTP status for codes we do not know.
 * Its message comes from AWS, so it is AWS's text unless `options.awsMessage` says which part is.
 */
export function awsError(
  awsCode: string | undefined,
  status: number,
  message: string,
  options: Omit<AgentErrorOptions, "awsCode"> = {},
): AgentError {
  // AgentCore may name a busy session a plain ConflictException: its message says to retry.
  const busySession = status === 409 && SESSION_BUSY.test(message);
  const ErrorClass = busySession ? RetryableConflictError : (awsCode && BY_AWS_CODE[awsCode]) || classForStatus(status);
  return new ErrorClass(message, { awsMessage: message, ...options, awsCode });
}

/** AWS's error code from `x-amzn-ErrorType` or the body: cut at `:` and `,`, keep what follows `#`. */
export function normalizeAwsCode(raw: string | undefined | null): string | undefined {
  if (!raw) return undefined;
  const code = raw.split(/[:,]/)[0]!.trim();
  const afterHash = code.slice(code.lastIndexOf("#") + 1);
  return afterHash || undefined;
}

/** An exception frame's `:exception-type` is lowerCamelCase; the codes above are UpperCamelCase. */
export function exceptionTypeToCode(exceptionType: string): string {
  return exceptionType.charAt(0).toUpperCase() + exceptionType.slice(1);
}
