/**
 * LogSettings: reads and changes the server's log settings through the data plane. Translates the request's
 * SettingValue oneofs into typed readers with the texts of Triton's gRPC frontend (`expect boolean for 'log_info'`,
 * INVALID_ARG); names it does not know are ignored, as in Triton. Order, partial application and the log_file
 * refusal are the core's.
 */
import type { DataPlane } from '../../core/data-plane.ts';
import type { LogFormat, LogSettings, LogSettingsUpdate } from '../../core/log-settings.ts';
import { invalidArg } from '../../protocol/errors.ts';
import { unary } from './unary.ts';

interface SettingValue {
  parameter_choice?: 'bool_param' | 'uint32_param' | 'string_param';
  bool_param?: boolean;
  uint32_param?: number;
  string_param?: string;
}

function readBool(key: string, value: SettingValue): () => boolean {
  return () => {
    if (value.parameter_choice !== 'bool_param') throw invalidArg(`expect boolean for '${key}'`);
    return Boolean(value.bool_param);
  };
}

function readVerbose(value: SettingValue): () => number {
  return () => {
    if (value.parameter_choice !== 'uint32_param') throw invalidArg("expect int32 for 'log_verbose_level'");
    return Number(value.uint32_param ?? 0);
  };
}

function readFormat(value: SettingValue): () => LogFormat {
  return () => {
    if (value.parameter_choice !== 'string_param') throw invalidArg("expect string for 'log_format'");
    const format = value.string_param ?? '';
    if (format !== 'default' && format !== 'ISO8601') throw invalidArg(`invalid argument for log_format, got: ${format}`);
    return format;
  };
}

/** The request's settings as the data plane's update (any value type of `log_file` asks to change it). */
export function logSettingsUpdate(settings: Readonly<Record<string, SettingValue>>): LogSettingsUpdate {
  const at = (key: string): SettingValue | undefined => (Object.hasOwn(settings, key) ? settings[key] : undefined);
  const [file, info, warning, error, verbose, format] = ['log_file', 'log_info', 'log_warning', 'log_error', 'log_verbose_level', 'log_format'].map(at);
  return {
    ...(file === undefined ? {} : { log_file: true }),
    ...(info === undefined ? {} : { log_info: readBool('log_info', info) }),
    ...(warning === undefined ? {} : { log_warning: readBool('log_warning', warning) }),
    ...(error === undefined ? {} : { log_error: readBool('log_error', error) }),
    ...(verbose === undefined ? {} : { log_verbose_level: readVerbose(verbose) }),
    ...(format === undefined ? {} : { log_format: readFormat(format) }),
  };
}

function asSettingValues(settings: LogSettings): Record<string, SettingValue> {
  return {
    log_file: { string_param: settings.log_file },
    log_info: { bool_param: settings.log_info },
    log_warning: { bool_param: settings.log_warning },
    log_error: { bool_param: settings.log_error },
    log_verbose_level: { uint32_param: settings.log_verbose_level },
    log_format: { string_param: settings.log_format },
  };
}

/** The LogSettings handler over `dataPlane`. */
export function logSettingsRpc(dataPlane: DataPlane) {
  return {
    LogSettings: unary((request: { settings?: Record<string, SettingValue> }) => ({
      settings: asSettingValues(dataPlane.updateLogSettings(logSettingsUpdate(request.settings ?? {}))),
    })),
  };
}
