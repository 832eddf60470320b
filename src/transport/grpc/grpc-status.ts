/** The one table from the server's error codes to gRPC status codes (Triton's grpc_utils mapping). */
import { status, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { asServerError, type ErrorCode } from '../../protocol/errors.ts';

export const GRPC_STATUS: Readonly<Record<ErrorCode, status>> = {
  INVALID_ARG: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  UNAVAILABLE: status.UNAVAILABLE,
  UNSUPPORTED: status.UNIMPLEMENTED,
  INTERNAL: status.INTERNAL,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  CANCELLED: status.CANCELLED,
  UNKNOWN: status.UNKNOWN,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
};

/** Any thrown value as a gRPC error: the status from the table, the message as details, no stack trace. */
export function toGrpcError(error: unknown): Partial<ServiceError> {
  const e = asServerError(error);
  return { code: GRPC_STATUS[e.code], details: e.message, metadata: new Metadata() };
}
