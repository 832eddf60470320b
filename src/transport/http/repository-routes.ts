/**
 * The repository extension over HTTP (Triton's `/v2/repository(?:/([^/]+))?/(index|models/([^/]+)/(load|unload))`):
 * POST only (405 otherwise); plus nereid's GET `/v2/repository/models/<m>/release`, a model's live gray release. The index answers a bare JSON array and ignores a repository segment; load and unload
 * refuse one with 501, answer 200 with an empty body (as application/json, as Triton does), and return only once the
 * operation has finished. Bodies are
 * read within --http-max-input-size and interpreted as in repository-bodies.ts; errors are the core's, mapped as usual.
 */
import type { Express, Request, Response } from 'express';
import type { DataPlane } from '../../core/data-plane.ts';
import type { IndexEntry } from '../../core/model-control.ts';
import { unsupported } from '../../protocol/errors.ts';
import { indexReadyFlag, loadOverrides, parseJsonBody, unloadDependentsFlag } from './repository-bodies.ts';
import { readBody } from './request-body.ts';
import { sendEmpty, sendError, sendErrorMessage, sendJson } from './responses.ts';

/** What the repository routes need: the data plane and the body size limit. */
export interface RepositoryRoutesContext {
  readonly dataPlane: DataPlane;
  /** --http-max-input-size in bytes. */
  readonly maxInputSize: number;
}

type AsyncHandler = (req: Request, res: Response, body: Buffer) => Promise<void> | void;

/** Registers the index, load and unload routes (with and without a repository segment) on the control plane. */
export function registerRepositoryRoutes(app: Express, ctx: RepositoryRoutesContext): void {
  const post = (path: string, handler: AsyncHandler): void => {
    app
      .route(path)
      .post(async (req: Request, res: Response) => {
        try {
          await handler(req, res, await readBody(req, ctx.maxInputSize));
        } catch (error) {
          sendError(res, error);
        }
      })
      .all((_req: Request, res: Response) => sendErrorMessage(res, 405, 'Method Not Allowed'));
  };

  for (const prefix of ['/v2/repository', '/v2/repository/:repo']) {
    post(`${prefix}/index`, (_req, res, body) => {
      const ready = indexReadyFlag(parseJsonBody(body));
      sendJson(res, 200, ctx.dataPlane.repositoryIndex(ready).map(indexRow));
    });
    post(`${prefix}/models/:model/load`, async (req, res, body) => {
      checkNoRepository(req);
      await ctx.dataPlane.loadModel(String(req.params.model), loadOverrides(parseJsonBody(body)));
      sendEmpty(res, 200, 'application/json');
    });
    // nereid's own: the live gray release of a model (GET; restricted with the rest of the repository API).
    app
      .route(`${prefix}/models/:model/release`)
      .get((req: Request, res: Response) => {
        try {
          checkNoRepository(req);
          sendJson(res, 200, ctx.dataPlane.releaseStatus(String(req.params.model)));
        } catch (error) {
          sendError(res, error);
        }
      })
      .all((_req: Request, res: Response) => sendErrorMessage(res, 405, 'Method Not Allowed'));
    post(`${prefix}/models/:model/unload`, async (req, res, body) => {
      checkNoRepository(req);
      await ctx.dataPlane.unloadModel(String(req.params.model), { unloadDependents: unloadDependentsFlag(body) });
      sendEmpty(res, 200, 'application/json');
    });
  }
}

function checkNoRepository(req: Request): void {
  if (req.params.repo !== undefined) throw unsupported("'repository_name' specification is not supported");
}

/** Triton's key order (name, version, state, reason), absent members left out. */
function indexRow(entry: IndexEntry): IndexEntry {
  return {
    name: entry.name,
    ...(entry.version === undefined ? {} : { version: entry.version }),
    ...(entry.state === undefined ? {} : { state: entry.state }),
    ...(entry.reason === undefined || entry.reason === '' ? {} : { reason: entry.reason }),
  };
}
