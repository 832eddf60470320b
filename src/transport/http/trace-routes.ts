/**
 * `/v2[/models/<m>]/trace/setting` (GET reads, POST changes the trace settings), as tritonserver 2.51 answers: the
 * POST body must parse as JSON; a root that is not an object changes nothing; each known setting is a string
 * (`trace_level` an array of strings) or null to clear it, with TritonJson's 500 texts for other types; unknown names
 * are ignored; the settings after the change are the answer. Any other method is 405.
 */
import type { Express, Request, Response } from 'express';
import type { DataPlane } from '../../core/data-plane.ts';
import type { TraceSettingUpdate } from '../../core/trace-settings.ts';
import { internal } from '../../protocol/errors.ts';
import { isJsonObject, NOT_ARRAY, NOT_STRING } from './json-fields.ts';
import { readBody } from './request-body.ts';
import { parseRequestJson } from './request-json.ts';
import { sendError, sendErrorMessage, sendJson } from './responses.ts';

export interface TraceRoutesContext {
  readonly dataPlane: DataPlane;
  /** --http-max-input-size in bytes. */
  readonly maxInputSize: number;
}

const SCALARS = ['trace_rate', 'trace_count', 'log_frequency', 'trace_file'] as const;

export function registerTraceRoutes(app: Express, ctx: TraceRoutesContext): void {
  for (const path of ['/v2/trace/setting', '/v2/models/:model/trace/setting']) {
    const model = (req: Request): string | undefined => (req.params.model === undefined ? undefined : String(req.params.model));
    app
      .route(path)
      .get((req: Request, res: Response) => {
        try {
          sendJson(res, 200, ctx.dataPlane.traceSettingsView(model(req)));
        } catch (error) {
          sendError(res, error);
        }
      })
      .post(async (req: Request, res: Response) => {
        try {
          const { root } = parseRequestJson(await readBody(req, ctx.maxInputSize));
          sendJson(res, 200, ctx.dataPlane.updateTraceSettings(traceSettingUpdate(root), model(req)));
        } catch (error) {
          sendError(res, error);
        }
      })
      .all((_req: Request, res: Response) => sendErrorMessage(res, 405, 'Method Not Allowed'));
  }
}

/** The body's settings as the data plane's update. */
export function traceSettingUpdate(root: unknown): TraceSettingUpdate {
  if (!isJsonObject(root)) return {};
  const update: Record<string, readonly string[] | null> = {};
  if (Object.hasOwn(root, 'trace_level')) {
    const value = root.trace_level;
    if (value === null) update.trace_level = null;
    else {
      if (!Array.isArray(value)) throw internal(NOT_ARRAY);
      update.trace_level = value.map((level) => {
        if (typeof level !== 'string') throw internal(NOT_STRING);
        return level;
      });
    }
  }
  for (const name of SCALARS) {
    if (!Object.hasOwn(root, name)) continue;
    const value = root[name];
    if (value === null) update[name] = null;
    else if (typeof value !== 'string') throw internal(NOT_STRING);
    else update[name] = [value];
  }
  return update;
}
