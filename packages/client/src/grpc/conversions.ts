/**
 * The gRPC answers in the shapes the HTTP JSON bodies have (client.ts): 64-bit counters, sizes and shapes from their
 * decimal strings to numbers, maps of regions and settings to the HTTP objects, empty strings that HTTP leaves out
 * left out.
 */
import type {
  LogSettings,
  ModelMetadata,
  ModelStatistics,
  RepositoryIndexEntry,
  SharedMemoryRegionStatus,
  StatDuration,
  TensorMetadata,
  TraceSettings,
  TraceSettingsUpdate,
} from '../client.ts';
import type { LogSettingsRequest } from './generated/inference/LogSettingsRequest.ts';
import type { LogSettingsResponse__Output } from './generated/inference/LogSettingsResponse.ts';
import type { ModelMetadataResponse__Output, _inference_ModelMetadataResponse_TensorMetadata__Output as TensorMetadataMessage } from './generated/inference/ModelMetadataResponse.ts';
import type { ModelStatistics__Output } from './generated/inference/ModelStatistics.ts';
import type { RepositoryIndexResponse__Output } from './generated/inference/RepositoryIndexResponse.ts';
import type { StatisticDuration__Output } from './generated/inference/StatisticDuration.ts';
import type { SystemSharedMemoryStatusResponse__Output } from './generated/inference/SystemSharedMemoryStatusResponse.ts';
import type { TraceSettingRequest } from './generated/inference/TraceSettingRequest.ts';
import type { TraceSettingResponse__Output } from './generated/inference/TraceSettingResponse.ts';

/** A shape's int64 strings as numbers (dims stay far below 2^53). */
export function shapeOf(shape: readonly string[]): number[] {
  return shape.map(Number);
}

function tensorMetadata(tensor: TensorMetadataMessage): TensorMetadata {
  return { name: tensor.name, datatype: tensor.datatype, shape: shapeOf(tensor.shape) };
}

export function modelMetadata(response: ModelMetadataResponse__Output): ModelMetadata {
  return {
    name: response.name,
    versions: response.versions,
    platform: response.platform,
    inputs: response.inputs.map(tensorMetadata),
    outputs: response.outputs.map(tensorMetadata),
  };
}

/** Index rows with HTTP's members: name always, version, state and reason only when not empty. */
export function repositoryIndex(response: RepositoryIndexResponse__Output): RepositoryIndexEntry[] {
  return response.models.map((m) => ({
    name: m.name,
    ...(m.version === '' ? {} : { version: m.version }),
    ...(m.state === '' ? {} : { state: m.state }),
    ...(m.reason === '' ? {} : { reason: m.reason }),
  }));
}

function duration(d: StatisticDuration__Output | null): StatDuration {
  return { count: Number(d?.count ?? 0), ns: Number(d?.ns ?? 0) };
}

/**
 * A model's statistics as an HTTP `model_stats` entry. The uint64 counters become numbers (exact up to 2^53: 104 days
 * of nanoseconds summed per statistic). memory_usage and response_stats, which HTTP's entries do not carry, are left
 * out.
 */
export function modelStatistics(s: ModelStatistics__Output): ModelStatistics {
  const i = s.inference_stats;
  return {
    name: s.name,
    version: s.version,
    last_inference: Number(s.last_inference),
    inference_count: Number(s.inference_count),
    execution_count: Number(s.execution_count),
    inference_stats: {
      success: duration(i?.success ?? null),
      fail: duration(i?.fail ?? null),
      queue: duration(i?.queue ?? null),
      compute_input: duration(i?.compute_input ?? null),
      compute_infer: duration(i?.compute_infer ?? null),
      compute_output: duration(i?.compute_output ?? null),
      cache_hit: duration(i?.cache_hit ?? null),
      cache_miss: duration(i?.cache_miss ?? null),
    },
    batch_stats: s.batch_stats.map((b) => ({
      batch_size: Number(b.batch_size),
      compute_input: duration(b.compute_input),
      compute_infer: duration(b.compute_infer),
      compute_output: duration(b.compute_output),
    })),
  };
}

/** The settings map as string lists by name. */
export function traceSettings(response: TraceSettingResponse__Output): TraceSettings {
  return Object.fromEntries(Object.entries(response.settings).map(([name, { value }]) => [name, value]));
}

/**
 * An update as the request's map: a string is a one-element list; null (and an empty list) is an empty list, which
 * the server reads as "clear this setting" (back to the global value, or the default).
 */
export function traceSettingsRequest(settings: TraceSettingsUpdate, model: string | undefined): TraceSettingRequest {
  return {
    settings: Object.fromEntries(Object.entries(settings).map(([name, value]) => [
      name,
      { value: value === null ? [] : typeof value === 'string' ? [value] : [...value] },
    ])),
    model_name: model ?? '',
  };
}

/** The settings map of SettingValue oneofs as the HTTP object (each value is its set member's). */
export function logSettings(response: LogSettingsResponse__Output): LogSettings {
  const values: Record<string, boolean | number | string> = {};
  for (const [name, setting] of Object.entries(response.settings)) {
    const member = setting.parameter_choice;
    if (member === undefined) continue;
    const value = setting[member];
    if (value !== undefined) values[name] = value;
  }
  return values as unknown as LogSettings;
}

/** An update as SettingValue oneofs by JavaScript type: boolean → bool_param, number → uint32_param, string → string_param. */
export function logSettingsRequest(settings: Partial<LogSettings>): LogSettingsRequest {
  const out: NonNullable<LogSettingsRequest['settings']> = {};
  for (const [name, value] of Object.entries(settings) as [string, boolean | number | string | undefined][]) {
    if (typeof value === 'boolean') out[name] = { bool_param: value };
    else if (typeof value === 'number') out[name] = { uint32_param: value };
    else if (typeof value === 'string') out[name] = { string_param: value };
  }
  return { settings: out };
}

/** The regions map as HTTP's list (the server's order). */
export function sharedMemoryStatus(response: SystemSharedMemoryStatusResponse__Output): SharedMemoryRegionStatus[] {
  return Object.values(response.regions).map((r) => ({ name: r.name, key: r.key, offset: Number(r.offset), byte_size: Number(r.byte_size) }));
}
