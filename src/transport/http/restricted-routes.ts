/**
 * `--http-restricted-api` on the HTTP endpoint, as Triton's HTTPAPIServer does it: each route belongs to one category
 * (by path alone, before the method is looked at, so a restricted route with the wrong method is still 403); a request
 * to a restricted route without the header, or with another value, is 403
 * `{"error":"This API is restricted, expecting header '<header>'"}` (text/plain, as Triton answers it). Unknown paths belong to no category and stay 404.
 * Header names match in any case (evhtp_kv_find); the value must match exactly; of repeated headers the first counts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RestrictedCategory, Restrictions } from '../../options/restricted-features.ts';
import { sendPlainErrorMessage } from './responses.ts';

// Triton's route regexes (http_server.cc), matched against the whole raw path.
const MODEL_ROUTE = /^\/v2\/models\/([^/]+)(?:\/versions\/([0-9]+))?(?:\/(infer|generate|generate_stream|ready|config|stats|trace\/setting))?$/;
const HEALTH_ROUTE = /^\/v2\/health\/(?:live|ready)$/;
const SHARED_MEMORY_ROUTE = /^\/v2\/(?:system|cuda)sharedmemory(?:\/region\/[^/]+)?\/(?:status|register|unregister)$/;
const REPOSITORY_ROUTE = /^\/v2\/repository(?:\/[^/]+)?\/(?:index|models\/[^/]+\/(?:load|unload|release))$/;

const MODEL_ROUTE_CATEGORY: Record<string, RestrictedCategory> = {
  '': 'metadata',
  ready: 'health',
  infer: 'inference',
  generate: 'inference',
  generate_stream: 'inference',
  config: 'model-config',
  stats: 'statistics',
};

/** The category of a request path, in the order of Triton's HTTPAPIServer::Handle; undefined for unknown paths. */
export function routeCategory(path: string): RestrictedCategory | undefined {
  if (path === '/v2/models/stats') return 'statistics';
  if (path === '/v2/logging') return 'logging';
  const model = MODEL_ROUTE.exec(path);
  if (model !== null) {
    const kind = model[3] ?? '';
    // A versioned model trace route is no route at all in Triton: it falls through to 404.
    if (kind === 'trace/setting') return model[2] === undefined ? 'trace' : undefined;
    return MODEL_ROUTE_CATEGORY[kind];
  }
  if (path === '/v2') return 'metadata';
  if (HEALTH_ROUTE.test(path)) return 'health';
  if (SHARED_MEMORY_ROUTE.test(path)) return 'shared-memory';
  if (REPOSITORY_ROUTE.test(path)) return 'model-repository';
  if (path === '/v2/trace/setting') return 'trace';
  return undefined;
}

/** Answers 403 and returns true when the request may not use its route; false lets it through. */
export type RestrictionGuard = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

/** The guard for `restrictions`, or undefined when nothing is restricted (so requests pay nothing). */
export function restrictionGuard(restrictions: Restrictions): RestrictionGuard | undefined {
  if (Object.keys(restrictions).length === 0) return undefined;
  const lowered = new Map(
    Object.entries(restrictions).map(([category, r]) => [category, { ...r, name: r.header.toLowerCase() }]),
  );
  return (req, res, path) => {
    const category = routeCategory(path);
    const restriction = category === undefined ? undefined : lowered.get(category);
    if (restriction === undefined) return false;
    if (req.headersDistinct[restriction.name]?.[0] === restriction.value) return false;
    req.resume();
    sendPlainErrorMessage(res, 403, `This API is restricted, expecting header '${restriction.header}'`);
    return true;
  };
}
