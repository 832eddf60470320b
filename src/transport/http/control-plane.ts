/**
 * The control-plane routes on express: health, server and model metadata, model readiness, config, statistics, the
 * repository extension and log settings, each answered by the data plane. Matching is
 * Triton's: full path, case-sensitive, no trailing slash, query ignored; a known path with the wrong method is 405
 * `{"error":"Method Not Allowed"}`, anything else (a version that is not all digits included) 404
 * `{"error":"Not Found"}` as text/plain. Health and model readiness answer text/plain, the JSON routes
 * application/json, their 405s included (see responses.ts).
 */
import express, { type Express, type Request, type Response } from 'express';
import type { DataPlane } from '../../core/data-plane.ts';
import { registerLoggingRoutes } from './logging-routes.ts';
import { registerSharedMemoryRoutes } from './shared-memory-routes.ts';
import { registerTraceRoutes } from './trace-routes.ts';
import { registerRepositoryRoutes } from './repository-routes.ts';
import { keepRawPathParams } from './raw-path-params.ts';
import { sendEmpty, sendError, sendErrorMessage, sendJson, sendPlainErrorMessage, type ContentType } from './responses.ts';

/** What the control plane needs: the data plane and the body size limit. */
export interface ControlPlaneContext {
  readonly dataPlane: DataPlane;
  /** --http-max-input-size, for request bodies of the repository and logging routes. */
  readonly maxInputSize: number;
}

type Handler = (req: Request, res: Response) => void;

export function createControlPlane(ctx: ControlPlaneContext): Express {
  const app = express();
  app.set('strict routing', true);
  app.set('case sensitive routing', true);
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.use(keepRawPathParams); // model names are the raw URL segments, as in Triton

  /** A GET route; `type` is the Content-Type of its errors (405 included). */
  const get = (path: string, handler: Handler, type: ContentType = 'application/json'): void => {
    const methodNotAllowed: Handler = (_req, res) => sendErrorMessage(res, 405, 'Method Not Allowed', {}, type);
    app.route(path).get(guarded(handler, type)).all(guarded(methodNotAllowed, type));
  };

  const plane = ctx.dataPlane;
  get('/v2/health/live', (_req, res) => sendEmpty(res, plane.serverLive() ? 200 : 400), 'text/plain');
  get('/v2/health/ready', (_req, res) => sendEmpty(res, plane.serverReady() ? 200 : 400), 'text/plain');
  get('/v2', (_req, res) => sendJson(res, 200, plane.serverMetadata()));

  // Before the model routes: a model named "stats" cannot be reached by name, as in Triton.
  get('/v2/models/stats', (_req, res) => sendJson(res, 200, { model_stats: plane.modelStatistics() }));

  for (const prefix of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
    get(`${prefix}/stats`, (req, res) => sendJson(res, 200, { model_stats: plane.modelStatistics(model(req), version(req)) }));
    get(prefix, (req, res) => sendJson(res, 200, plane.modelMetadata(model(req), version(req))));
    // Triton's ServerModelIsReady: an unknown model, version or one not READY is just "not ready" (as gRPC's ModelReady).
    get(`${prefix}/ready`, (req, res) => {
      if (plane.isModelReady(model(req), version(req))) sendEmpty(res, 200);
      else sendPlainErrorMessage(res, 400, 'Model version not ready');
    }, 'text/plain');
    get(`${prefix}/config`, (req, res) => sendJson(res, 200, plane.modelConfigJson(model(req), version(req))));
  }

  registerRepositoryRoutes(app, ctx);
  registerLoggingRoutes(app, ctx);
  registerSharedMemoryRoutes(app, ctx);
  registerTraceRoutes(app, ctx);

  app.use((_req: Request, res: Response) => sendPlainErrorMessage(res, 404, 'Not Found'));
  app.use((error: unknown, _req: Request, res: Response, _next: unknown) => sendError(res, error));
  return app;
}

function model(req: Request): string {
  return String(req.params.model);
}

/** The `{v}` segment, or undefined on the routes without one. Triton accepts only digits there. */
function version(req: Request): string | undefined {
  return req.params.version === undefined ? undefined : String(req.params.version);
}

/**
 * Runs a handler, turning a non-numeric version into Triton's 404 (before the method is looked at: Triton's route
 * regex has no such path) and thrown errors into its error body of Content-Type `type`.
 */
function guarded(handler: Handler, type: ContentType): Handler {
  return (req, res) => {
    if (req.params.version !== undefined && !/^[0-9]+$/.test(String(req.params.version))) {
      sendPlainErrorMessage(res, 404, 'Not Found');
      return;
    }
    try {
      handler(req, res);
    } catch (error) {
      sendError(res, error, type);
    }
  };
}
