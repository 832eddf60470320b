/**
 * `/v2/logging` (GET reads, POST changes the log settings), as Triton's HTTPAPIServer::HandleLogging does it: the POST
 * body must parse as JSON (an empty one too); a root that is not an object, unknown names and `null` values change
 * nothing; a non-null `log_file` is 501; a value of the wrong type is TritonJson's accessor error (500); a
 * `log_format` other than "default" or "ISO8601" is 503 `invalid argument for --log_format, got: <value>`. Settings
 * before a failing one stay applied (the order is the core's). Any other method is 405.
 */
import type { Express, Request, Response } from 'express';
import type { DataPlane } from '../../core/data-plane.ts';
import type { LogFormat, LogSettings, LogSettingsUpdate } from '../../core/log-settings.ts';
import { internal, unavailable } from '../../protocol/errors.ts';
import { isJsonObject, isUint, NOT_BOOL, NOT_STRING, NOT_UINT, type JsonObject } from './json-fields.ts';
import { readBody } from './request-body.ts';
import { parseRequestJson } from './request-json.ts';
import { sendError, sendErrorMessage, sendJson } from './responses.ts';

/** What the logging route needs: the data plane and the body size limit. */
export interface LoggingRoutesContext {
  readonly dataPlane: DataPlane;
  /** --http-max-input-size in bytes. */
  readonly maxInputSize: number;
}

/** Registers `/v2/logging` on the control plane. */
export function registerLoggingRoutes(app: Express, ctx: LoggingRoutesContext): void {
  app
    .route('/v2/logging')
    .get((_req: Request, res: Response) => sendJson(res, 200, settingsJson(ctx.dataPlane.logSettings())))
    .post(async (req: Request, res: Response) => {
      try {
        const { root } = parseRequestJson(await readBody(req, ctx.maxInputSize));
        sendJson(res, 200, settingsJson(ctx.dataPlane.updateLogSettings(logSettingsUpdate(root))));
      } catch (error) {
        sendError(res, error);
      }
    })
    .all((_req: Request, res: Response) => sendErrorMessage(res, 405, 'Method Not Allowed'));
}

/** The body's settings as the data plane's update; each reader throws TritonJson's error for a wrong type. */
export function logSettingsUpdate(root: unknown): LogSettingsUpdate {
  const body: JsonObject = isJsonObject(root) ? root : {};
  const present = (name: string): boolean => Object.hasOwn(body, name) && body[name] !== null;
  const bool = (name: string) => (): boolean => {
    const value = body[name];
    if (typeof value !== 'boolean') throw internal(NOT_BOOL);
    return value;
  };
  return {
    ...(present('log_file') ? { log_file: true } : {}),
    ...(present('log_info') ? { log_info: bool('log_info') } : {}),
    ...(present('log_warning') ? { log_warning: bool('log_warning') } : {}),
    ...(present('log_error') ? { log_error: bool('log_error') } : {}),
    ...(present('log_verbose_level') ? { log_verbose_level: () => verboseLevel(body.log_verbose_level) } : {}),
    ...(present('log_format') ? { log_format: () => logFormat(body.log_format) } : {}),
  };
}

function verboseLevel(value: unknown): number {
  if (!isUint(value)) throw internal(NOT_UINT);
  return value;
}

function logFormat(value: unknown): LogFormat {
  if (typeof value !== 'string') throw internal(NOT_STRING);
  if (value !== 'default' && value !== 'ISO8601') throw unavailable(`invalid argument for --log_format, got: ${value}`);
  return value;
}

/** Triton's response: every setting, in its order. */
function settingsJson(settings: LogSettings): LogSettings {
  return {
    log_file: settings.log_file,
    log_info: settings.log_info,
    log_warning: settings.log_warning,
    log_error: settings.log_error,
    log_verbose_level: settings.log_verbose_level,
    log_format: settings.log_format,
  };
}
