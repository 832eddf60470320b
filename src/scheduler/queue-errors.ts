/** The errors of Triton's scheduler queue, with its exact texts. */
import { ServerError, unavailable } from '../protocol/errors.ts';

/**
 * A priority level's queue already holds `max_queue_size` requests. Triton prefixes the text with
 * `[request id: <id>] ` (`<id_unknown>` for an empty id); pass the request's id to get that prefix.
 */
export function queueFullError(requestId?: string): ServerError {
  const prefix = requestId === undefined ? '' : `[request id: ${requestId === '' ? '<id_unknown>' : requestId}] `;
  return unavailable(`${prefix}Exceeds maximum queue size`);
}

/** A queued request passed its deadline under the REJECT timeout action. */
export function timeoutExpiredError(): ServerError {
  return unavailable('Request timeout expired');
}

/** A queued request whose client went away (HTTP connection closed, gRPC call cancelled). */
export function cancelledError(): ServerError {
  return new ServerError('CANCELLED', 'request cancelled by the client');
}
