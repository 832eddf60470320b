/**
 * Writing HTTP responses the way Triton does: errors are always `{"error":"<message>"}` as application/json, health
 * and readiness answers are empty bodies.
 */
import type { ServerResponse } from 'node:http';
import { asServerError, ServerError, type ErrorCode } from '../../protocol/errors.ts';
import { HTTP_STATUS } from './http-status.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
  res.end(payload);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

export function sendErrorMessage(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = Buffer.from(JSON.stringify({ error: message }));
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': payload.length });
  res.end(payload);
}

/** A ServerError that also sets response headers (a 501 for an unknown Content-Encoding names the accepted ones). */
export class HttpError extends ServerError {
  constructor(code: ErrorCode, message: string, readonly headers: Record<string, string>) {
    super(code, message);
  }
}

/** Any thrown value as Triton's error response; foreign errors become 500 without a stack trace. */
export function sendError(res: ServerResponse, error: unknown): void {
  const e = asServerError(error);
  sendErrorMessage(res, HTTP_STATUS[e.code], e.message, e instanceof HttpError ? e.headers : {});
}
