/**
 * `--http-cors-origin` on the HTTP endpoint: CORS for the configured origins, so that browser pages from them can call
 * the API. A request whose Origin matches gets Access-Control-Allow-Origin (that origin, or `*` when any is allowed),
 * `Vary: Origin` and the response headers a client must read (the binary tensor extension's header length, the
 * response encoding, a rate limit's Retry-After); its preflight (OPTIONS with Access-Control-Request-Method) is
 * answered 204 here, on every route, before the route or a restriction sees it (a preflight never carries the
 * restricted header). Other origins get nothing: the browser then refuses the response, and their preflights go on
 * to whatever the route answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ANY_ORIGIN } from '../../options/cors-origins.ts';

const EXPOSED_HEADERS = 'Inference-Header-Content-Length, Content-Encoding, Retry-After';
const ALLOWED_METHODS = 'GET, POST, OPTIONS';
/** Seconds a browser may cache a preflight's answer. */
const PREFLIGHT_MAX_AGE = '600';
/** A comma-separated list of header names (RFC 9110 tokens); anything else is not echoed back. */
const HEADER_NAMES = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:[ \t]*,[ \t]*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;

/** Adds the CORS headers a request's origin earns; answers its preflight and returns true, else returns false. */
export type CorsHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The handler for `origins`, or undefined when none is configured (so requests pay nothing). */
export function corsHandler(origins: readonly string[]): CorsHandler | undefined {
  if (origins.length === 0) return undefined;
  const any = origins.includes(ANY_ORIGIN);
  const allowed = new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined || !(any || allowed.has(origin))) return false;
    res.setHeader('Access-Control-Allow-Origin', any ? ANY_ORIGIN : origin);
    res.setHeader('Vary', 'Origin');
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) {
      res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      return false;
    }
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    const requested = req.headers['access-control-request-headers']?.trim();
    if (requested !== undefined && HEADER_NAMES.test(requested)) res.setHeader('Access-Control-Allow-Headers', requested);
    res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE);
    req.resume();
    res.writeHead(204);
    res.end();
    return true;
  };
}
