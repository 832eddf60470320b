/**
 * The one error type of the server. Codes are neutral (Triton's TRITONSERVER_Error codes); each transport maps them to
 * its own status with a single table at its edge.
 */
export type ErrorCode =
  | 'INVALID_ARG'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'UNSUPPORTED'
  | 'ALREADY_EXISTS'
  | 'CANCELLED'
  | 'INTERNAL'
  | 'UNKNOWN'
  /** nereid's own: a per-model or per-client rate limit (gray release) refused the request. */
  | 'RESOURCE_EXHAUSTED';

export class ServerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
  }
}

/**
 * An error raised while shaping a response after its request ran (the classification extension). Triton raises these
 * in its front ends' response writers; its HTTP endpoint sends them as text/plain.
 */
export class ResponseError extends ServerError {}

/** A request refused by a rate limit; HTTP answers 429 with Retry-After (whole seconds until a token is back). */
export class RateLimitedError extends ServerError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RESOURCE_EXHAUSTED', message);
  }
}

/** Shorthands that read like Triton's own error macros. */
export const invalidArg = (message: string): ServerError => new ServerError('INVALID_ARG', message);
export const notFound = (message: string): ServerError => new ServerError('NOT_FOUND', message);
export const unavailable = (message: string): ServerError => new ServerError('UNAVAILABLE', message);
export const unsupported = (message: string): ServerError => new ServerError('UNSUPPORTED', message);
export const internal = (message: string): ServerError => new ServerError('INTERNAL', message);

/** Triton's human name of a code, used in repository-index reasons (`Invalid argument: ...`). */
export const ERROR_CODE_NAMES: Readonly<Record<ErrorCode, string>> = {
  INVALID_ARG: 'Invalid argument',
  NOT_FOUND: 'Not found',
  UNAVAILABLE: 'Unavailable',
  UNSUPPORTED: 'Unsupported',
  ALREADY_EXISTS: 'Already exists',
  CANCELLED: 'Cancelled',
  INTERNAL: 'Internal',
  UNKNOWN: 'Unknown',
  RESOURCE_EXHAUSTED: 'Resource exhausted',
};

/** Any thrown value as a ServerError; foreign errors become INTERNAL with their message. */
export function asServerError(error: unknown): ServerError {
  if (error instanceof ServerError) return error;
  if (error instanceof Error) return internal(error.message);
  return internal(String(error));
}
