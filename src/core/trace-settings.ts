/**
 * The trace extension's settings (`/v2[/models/<m>]/trace/setting`, gRPC TraceSetting), as tritonserver 2.51 keeps
 * them (each behaviour below seen on it): global settings from --trace-config, overridden per model; a setting
 * updated to null (HTTP) or an empty list (gRPC) falls back to the global value (per model) or the start-up value
 * (global). `trace_file` cannot change over the network (UNSUPPORTED); a level other than OFF needs a trace file;
 * unknown names and unknown levels are ignored; values are strings, parsed with Triton's texts.
 */
import { invalidArg, type ServerError, unsupported } from '../protocol/errors.ts';

export type TraceLevel = 'TIMESTAMPS' | 'TENSORS';

/** One scope's settings (global, or a model's with its overrides applied). */
export interface TraceSettingValues {
  /** Empty = OFF. */
  readonly level: readonly TraceLevel[];
  readonly rate: number;
  /** -1 = unlimited; counts down as traces are taken. */
  readonly count: number;
  readonly logFrequency: number;
  readonly file: string;
}

/** A change as the transports read it: per setting name its values (one for scalars), or null to clear it. */
export type TraceSettingUpdate = Readonly<Record<string, readonly string[] | null>>;

/** The settings as the protocol answers them, in Triton's order. */
export interface TraceSettingsView {
  readonly trace_level: readonly string[];
  readonly trace_rate: string;
  readonly trace_count: string;
  readonly log_frequency: string;
  readonly trace_file: string;
  readonly trace_mode: string;
}

export const DEFAULT_TRACE_SETTINGS: TraceSettingValues = { level: [], rate: 1000, count: -1, logFrequency: 0, file: '' };

type Overrides = { -readonly [K in keyof TraceSettingValues]?: TraceSettingValues[K] };

export class TraceSettings {
  private global: TraceSettingValues;
  private readonly models = new Map<string, Overrides>();
  /** Bumped at every change through update() (not by counting traces down). */
  generation = 0;

  /** `mode`: 'opentelemetry' exports spans instead of writing a trace file (no file is needed then). */
  constructor(
    private readonly startup: TraceSettingValues = DEFAULT_TRACE_SETTINGS,
    private readonly mode: 'triton' | 'opentelemetry' = 'triton',
  ) {
    this.global = startup;
    this.refreshActive();
  }

  /** The settings in force for `model` (its overrides over the global ones), or the global ones. */
  values(model?: string): TraceSettingValues {
    const overrides = model === undefined ? undefined : this.models.get(model);
    return overrides === undefined ? this.global : { ...this.global, ...overrides };
  }

  /** True when some scope traces at all: the data path's only check while tracing is off (kept up to date). */
  active = false;

  private refreshActive(): void {
    const traces = (v: TraceSettingValues): boolean => v.level.length > 0 && v.count !== 0;
    this.active = traces(this.global) || [...this.models.keys()].some((name) => traces(this.values(name)));
  }

  view(model?: string): TraceSettingsView {
    const v = this.values(model);
    return {
      trace_level: v.level.length === 0 ? ['OFF'] : [...v.level],
      trace_rate: String(v.rate),
      trace_count: String(v.count),
      log_frequency: String(v.logFrequency),
      trace_file: v.file,
      trace_mode: this.mode,
    };
  }

  /** Applies `update` to the global settings or to `model`'s; throws Triton's errors (nothing applied then). */
  update(update: TraceSettingUpdate, model?: string): TraceSettingsView {
    const changes: Overrides = {};
    const cleared = new Set<keyof TraceSettingValues>();
    const take = <K extends keyof TraceSettingValues>(key: K, name: string, parse: (values: readonly string[]) => TraceSettingValues[K]): void => {
      if (!Object.hasOwn(update, name)) return;
      const values = update[name];
      if (values === null || values === undefined) cleared.add(key);
      else changes[key] = parse(values);
    };
    if (Object.hasOwn(update, 'trace_file') && update.trace_file !== null) {
      throw unsupported('trace file location can not be updated through network protocol');
    }
    take('level', 'trace_level', parseLevels);
    take('rate', 'trace_rate', (values) => parseUint('trace_rate', values));
    take('count', 'trace_count', parseCount);
    take('logFrequency', 'log_frequency', (values) => parseUint('log_frequency', values));

    const next: Overrides = model === undefined ? { ...this.global } : { ...(this.models.get(model) ?? {}) };
    for (const key of cleared) {
      if (model === undefined) (next as Record<string, unknown>)[key] = this.startup[key];
      else delete next[key];
    }
    Object.assign(next, changes);
    const effective = model === undefined ? (next as TraceSettingValues) : { ...this.global, ...next };
    if (this.mode === 'triton' && effective.level.length > 0 && effective.file === '') {
      throw invalidArg('Attempting to set invalid trace setting :trace file name is not given');
    }
    if (model === undefined) this.global = next as TraceSettingValues;
    else if (Object.keys(next).length === 0) this.models.delete(model);
    else this.models.set(model, next);
    this.generation++;
    this.refreshActive();
    return this.view(model);
  }

  /** Takes one trace from `model`'s count (its own when it overrides the count, else the global one). */
  takeOne(model: string): void {
    const overrides = this.models.get(model);
    if (overrides?.count !== undefined) {
      if (overrides.count > 0) overrides.count--;
    } else if (this.global.count > 0) {
      this.global = { ...this.global, count: this.global.count - 1 };
    }
    this.refreshActive();
  }
}

function parseLevels(values: readonly string[]): TraceLevel[] {
  const levels: TraceLevel[] = [];
  for (const value of values) if ((value === 'TIMESTAMPS' || value === 'TENSORS') && !levels.includes(value)) levels.push(value);
  return levels;
}

function single(name: string, values: readonly string[]): string {
  if (values.length !== 1) throw invalidArg(`expect only 1 value for '${name}'`);
  return values[0]!;
}

function parseUint(name: string, values: readonly string[]): number {
  const text = single(name, values);
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw invalidArg(`Unable to parse '${name}', got: ${text}`);
  return Number(text);
}

function parseCount(values: readonly string[]): number {
  const text = single('trace_count', values);
  if (!/^-?\d+$/.test(text)) throw invalidArg(`Unable to parse 'trace_count', got: ${text}`);
  const count = Number(text);
  if (count < -1) throw invalidArg(`Unable to parse 'trace_count'. Expecting value >= -1, got:${text}`);
  return count;
}

/** Triton's answer for settings of a model that does not exist. */
export function unknownTraceModel(model: string): ServerError {
  return invalidArg(`Request for unknown model : ${model}`);
}
