/** The one table from the server's error codes to HTTP statuses (Triton's HttpCodeFromError, since 24.01). */
import type { ErrorCode } from '../../protocol/errors.ts';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INTERNAL: 500,
  NOT_FOUND: 404,
  UNAVAILABLE: 503,
  UNSUPPORTED: 501,
  INVALID_ARG: 400,
  ALREADY_EXISTS: 400,
  CANCELLED: 400,
  UNKNOWN: 400,
  RESOURCE_EXHAUSTED: 429,
};
