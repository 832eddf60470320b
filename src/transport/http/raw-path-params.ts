/**
 * Triton reads URL path segments as they are sent: `/v2/models/%25/config` asks for a model named `%25`, a lone `%`
 * is a name like any other, and `%2E` or `%2F` never become `.` or `/`. Express's router percent-decodes route
 * parameters (and fails with 500 on a `%` it cannot decode), so the control plane escapes each `%` of the path once
 * before routing: the router's decoding then hands back exactly the raw segment. Literal routes are unaffected, as
 * an escape never adds or removes a `/`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Express middleware: rewrites `req.url` so that decoded route parameters equal the raw path segments. */
export function keepRawPathParams(req: IncomingMessage, _res: ServerResponse, next: () => void): void {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path.includes('%')) req.url = path.replaceAll('%', '%25') + (query < 0 ? '' : url.slice(query));
  next();
}
