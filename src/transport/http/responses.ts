/**
 * Writing HTTP responses the way Triton does: errors are always `{"error":"<message>"}`, health and readiness answers
 * are empty bodies.
 *
 * The Content-Type follows Triton's HTTP server (libevhtp answers `text/plain` wherever a handler sets none): the
 * JSON routes (metadata, config, statistics, repository, logging) set application/json before anything else, so even
 * their 405s and empty load/unload answers carry it. Health, model readiness, unknown paths, restricted APIs and the
 * infer route's checks outside its JSON path (wrong method, unknown model or version, Content-Encoding, header
 * length, errors found while writing the response) set none: `text/plain`.
 */
import type { ServerResponse } from 'node:http';
import { asServerError, RateLimitedError, ResponseError, ServerError, type ErrorCode } from '../../protocol/errors.ts';
import { HTTP_STATUS } from './http-status.ts';

export type ContentType = 'application/json' | 'text/plain';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
  res.end(payload);
}

/** An empty body: text/plain for health and readiness, application/json for repository load and unload. */
export function sendEmpty(res: ServerResponse, status: number, contentType: ContentType = 'text/plain'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': 0 });
  res.end();
}

export function sendErrorMessage(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
  contentType: ContentType = 'application/json',
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = Buffer.from(JSON.stringify({ error: message }));
  res.writeHead(status, { ...headers, 'Content-Type': contentType, 'Content-Length': payload.length });
  res.end(payload);
}

/** Triton's error body where its handler set no Content-Type (see above). */
export function sendPlainErrorMessage(res: ServerResponse, status: number, message: string): void {
  sendErrorMessage(res, status, message, {}, 'text/plain');
}

/**
 * An error Triton's HTTP server answers outside its inference JSON path: text/plain, with extra response headers
 * where it sets some (a 501 for an unknown Content-Encoding names the accepted ones).
 */
export class HttpError extends ServerError {
  constructor(code: ErrorCode, message: string, readonly headers: Record<string, string> = {}) {
    super(code, message);
  }
}

/**
 * Any thrown value as Triton's error response, of Content-Type `contentType` (an HttpError or a ResponseError:
 * text/plain); foreign
 * errors become 500 without a stack trace.
 */
export function sendError(res: ServerResponse, error: unknown, contentType: ContentType = 'application/json'): void {
  const e = asServerError(error);
  if (e instanceof HttpError) sendErrorMessage(res, HTTP_STATUS[e.code], e.message, e.headers, 'text/plain');
  else if (e instanceof RateLimitedError) sendErrorMessage(res, HTTP_STATUS[e.code], e.message, { 'Retry-After': String(e.retryAfterSeconds) }, contentType);
  else sendErrorMessage(res, HTTP_STATUS[e.code], e.message, {}, e instanceof ResponseError ? 'text/plain' : contentType);
}

/** Runs a check that Triton makes outside its inference JSON path: its error becomes an HttpError (text/plain). */
export function outsideJsonPath<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    const e = asServerError(error);
    throw new HttpError(e.code, e.message);
  }
}
