/**
 * The JSON form of a ModelConfig that Triton serves (GET /v2/models/{m}/config, gRPC ModelConfig as JSON): protobuf
 * JSON with proto field names, every scalar / repeated / map field printed (defaults included), enums as names, unset
 * sub-messages and oneof members left out, floats printed as float32. Protobuf would print 64-bit integers as strings;
 * Triton (core `ModelConfigToJson`) rewrites a fixed list of them into numbers and leaves the others as strings.
 */
import protobuf from 'protobufjs';
import { ModelConfigType } from './model-config-schema.ts';
import type { ModelConfig } from './model-config.ts';

export { modelConfigFromJson } from './config-json-parse.ts';

/**
 * 64-bit fields Triton turns back into JSON numbers (paths through messages; arrays are transparent, `value` is a map
 * value). Everything else 64-bit stays a string: instance_group.secondary_devices.device_id, the cuda graph_spec dims,
 * sequence_batching.state.initial_state.dims (Triton looks that one up in the wrong object) and uint64 map keys.
 */
const NUMERIC_INT64_PATHS: ReadonlySet<string> = new Set([
  'input.dims',
  'input.reshape.shape',
  'output.dims',
  'output.reshape.shape',
  'version_policy.specific.versions',
  'dynamic_batching.max_queue_delay_microseconds',
  'dynamic_batching.priority_levels',
  'dynamic_batching.default_priority_level',
  'dynamic_batching.default_queue_policy.default_timeout_microseconds',
  'dynamic_batching.priority_queue_policy.value.default_timeout_microseconds',
  'sequence_batching.max_sequence_idle_microseconds',
  'sequence_batching.oldest.max_queue_delay_microseconds',
  'sequence_batching.direct.max_queue_delay_microseconds',
  'sequence_batching.state.dims',
  'ensemble_scheduling.step.model_version',
  'model_warmup.inputs.value.dims',
]);

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** The config as Triton's JSON object (serialize with JSON.stringify). */
export function modelConfigToJson(config: Readonly<ModelConfig>): Record<string, unknown> {
  return messageToJson(ModelConfigType, config as unknown as Record<string, unknown>, '');
}

function messageToJson(type: protobuf.Type, message: Record<string, unknown>, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
    const value = message[field.name];
    if (field.map) {
      const entries = (value ?? {}) as Record<string, unknown>;
      const map: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(entries)) map[key] = valueToJson(field, v, `${fieldPath}.value`);
      out[field.name] = map;
    } else if (field.repeated) {
      out[field.name] = ((value ?? []) as unknown[]).map((v) => valueToJson(field, v, fieldPath));
    } else if (field.resolvedType instanceof protobuf.Type || field.partOf !== null) {
      // Sub-messages and oneof members print only when set.
      if (value !== undefined && value !== null) out[field.name] = valueToJson(field, value, fieldPath);
    } else {
      out[field.name] = valueToJson(field, value, fieldPath);
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, (value ?? {}) as Record<string, unknown>, path);
  if (resolved instanceof protobuf.Enum) {
    if (value === undefined || value === null) return resolved.valuesById[0];
    return typeof value === 'number' ? (resolved.valuesById[value] ?? value) : value;
  }
  if (INT64_TYPES.has(field.type)) {
    const n = value === undefined || value === null ? 0 : value;
    return NUMERIC_INT64_PATHS.has(path) ? Number(n) : String(n);
  }
  switch (field.type) {
    case 'float':
      return floatToJson(Number(value ?? 0), true);
    case 'double':
      return floatToJson(Number(value ?? 0), false);
    case 'bool':
      return value ?? false;
    case 'string':
      return value ?? '';
    default:
      return value ?? 0;
  }
}

/** Protobuf prints float fields with the shortest text that reads back as the same float32; NaN/∞ as strings. */
function floatToJson(x: number, single: boolean): number | string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (!single) return x;
  const target = Math.fround(x);
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(target.toPrecision(precision));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
}
