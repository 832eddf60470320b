/**
 * LogSettings: reads and changes the server's log settings. Values must carry the right type (bool for
 * log_info/log_warning/log_error, uint32 for log_verbose_level, string for log_format and log_file).
 */
import { invalidArg, ServerError } from '../../protocol/errors.ts';
import { logSettings, updateLogSettings, type LogSettings } from '../../observe/log.ts';
import { unary } from './unary.ts';

interface SettingValue {
  parameter_choice?: 'bool_param' | 'uint32_param' | 'string_param';
  bool_param?: boolean;
  uint32_param?: number;
  string_param?: string;
}

const BOOL_KEYS = new Set(['log_info', 'log_warning', 'log_error']);

function expect(key: string, value: SettingValue, choice: NonNullable<SettingValue['parameter_choice']>): void {
  if (value.parameter_choice !== choice) throw invalidArg(`expect ${choice} for '${key}'`);
}

function changesFrom(settings: Record<string, SettingValue>): Partial<LogSettings> {
  const changes: { -readonly [K in keyof LogSettings]?: LogSettings[K] } = {};
  for (const [key, value] of Object.entries(settings)) {
    if (BOOL_KEYS.has(key)) {
      expect(key, value, 'bool_param');
      changes[key as 'log_info'] = Boolean(value.bool_param);
    } else if (key === 'log_verbose_level') {
      expect(key, value, 'uint32_param');
      changes.log_verbose_level = Number(value.uint32_param);
    } else if (key === 'log_format') {
      expect(key, value, 'string_param');
      if (value.string_param !== 'default' && value.string_param !== 'ISO8601') {
        throw invalidArg(`invalid log format '${value.string_param}', expected "default" or "ISO8601"`);
      }
      changes.log_format = value.string_param;
    } else if (key === 'log_file') {
      expect(key, value, 'string_param');
      if (value.string_param !== logSettings().log_file) throw new ServerError('UNSUPPORTED', 'log_file can only be set at start-up (--log-file)');
    } else {
      throw invalidArg(`unknown log setting '${key}'`);
    }
  }
  return changes;
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

export const logSettingsRpc = {
  LogSettings: unary((request: { settings: Record<string, SettingValue> }) => {
    const changes = changesFrom(request.settings ?? {});
    return { settings: asSettingValues(updateLogSettings(changes)) };
  }),
};
