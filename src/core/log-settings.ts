/**
 * Run-time log settings as both transports change them (HTTP `/v2/logging`, gRPC LogSettings). The store lives in
 * observe/ and is injected; the core decides the order in which settings apply, the refusal of `log_file` and the
 * verbose level's integer cast, all as Triton's frontends do. Each transport reads its wire values itself (a reader
 * throws that transport's own error for a value of the wrong type), so a failure part-way leaves the settings before
 * it applied, as in Triton.
 */
import { unsupported } from '../protocol/errors.ts';

export type LogFormat = 'default' | 'ISO8601';

/** The settings in Triton's order and JSON names (the order of the HTTP response). */
export interface LogSettings {
  /** Where lines go: '' = standard error. Set at start-up only (--log-file). */
  readonly log_file: string;
  readonly log_info: boolean;
  readonly log_warning: boolean;
  readonly log_error: boolean;
  readonly log_verbose_level: number;
  readonly log_format: LogFormat;
}

/** Where the settings are kept (observe/log.ts). */
export interface LogSettingsStore {
  get(): LogSettings;
  /** Replaces some settings; the values have been checked. Returns the new settings. */
  update(changes: Partial<LogSettings>): LogSettings;
}

/**
 * A requested change: each present member reads its value from the wire when the core gets to it, throwing the
 * transport's error for a wrong type. `log_file` present means "asked to change", which is always refused.
 */
export interface LogSettingsUpdate {
  readonly log_file?: true;
  readonly log_info?: () => boolean;
  readonly log_warning?: () => boolean;
  readonly log_error?: () => boolean;
  /** Any unsigned integer; stored as Triton stores it (cast to int32, negative = 0). */
  readonly log_verbose_level?: () => number;
  readonly log_format?: () => LogFormat;
}

/** Triton's text for a `log_file` change (UNSUPPORTED: HTTP 501, gRPC UNIMPLEMENTED). */
export const LOG_FILE_REFUSAL = 'log file location can not be updated through network protocol';

const BOOL_KEYS = ['log_info', 'log_warning', 'log_error'] as const;

/** Applies `update` to `store` one setting at a time in Triton's order; returns the settings after it. */
export function applyLogSettingsUpdate(store: LogSettingsStore, update: LogSettingsUpdate): LogSettings {
  if (update.log_file !== undefined) throw unsupported(LOG_FILE_REFUSAL);
  for (const key of BOOL_KEYS) {
    const read = update[key];
    if (read !== undefined) store.update({ [key]: read() });
  }
  if (update.log_verbose_level !== undefined) store.update({ log_verbose_level: Math.max(0, update.log_verbose_level() | 0) });
  if (update.log_format !== undefined) store.update({ log_format: update.log_format() });
  return store.get();
}
