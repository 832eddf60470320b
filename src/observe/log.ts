/**
 * Server log lines in Triton's shape: a severity letter, month+day, time, pid, then the message
 * (`I1121 12:00:00.123456 4242] loading model 'add_sub'`), or an ISO-8601 timestamp with --log-format=ISO8601.
 * Info, warning and error lines can be switched off; verbose lines appear only at --log-verbose >= their level.
 * The settings can change at run time (the LogSettings RPC and /v2/logging).
 */
import type { LogSettings, LogSettingsStore } from '../core/log-settings.ts';

export type { LogSettings } from '../core/log-settings.ts';

export type Severity = 'I' | 'W' | 'E' | 'V';

let settings: LogSettings = {
  log_file: '',
  log_info: true,
  log_warning: true,
  log_error: true,
  log_verbose_level: 0,
  log_format: 'default',
};
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function logSettings(): LogSettings {
  return settings;
}

/** Replaces some settings; the caller has checked the values. */
export function updateLogSettings(changes: Partial<LogSettings>): LogSettings {
  settings = { ...settings, ...changes };
  return settings;
}

/** The settings as the data plane keeps them (core/log-settings.ts). */
export const logSettingsStore: LogSettingsStore = { get: logSettings, update: updateLogSettings };

export function setLogVerbose(level: number): void {
  updateLogSettings({ log_verbose_level: level });
}

/** Replaces where lines go (tests capture them). Returns the previous sink. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}

function stamp(): string {
  const now = new Date();
  if (settings.log_format === 'ISO8601') return now.toISOString().replace(/\.\d+Z$/, 'Z');
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const micros = pad(now.getUTCMilliseconds() * 1000, 6);
  return `${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())} ${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}.${micros}`;
}

function write(severity: Severity, message: string): void {
  const line = settings.log_format === 'ISO8601' ? `${stamp()} ${severity} ${process.pid}] ${message}` : `${severity}${stamp()} ${process.pid}] ${message}`;
  sink(line);
}

export const log = {
  info: (message: string): void => {
    if (settings.log_info) write('I', message);
  },
  warn: (message: string): void => {
    if (settings.log_warning) write('W', message);
  },
  error: (message: string): void => {
    if (settings.log_error) write('E', message);
  },
  verbose: (level: number, message: string): void => {
    if (settings.log_verbose_level >= level) write('V', message);
  },
};
