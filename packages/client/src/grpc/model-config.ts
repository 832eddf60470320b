/**
 * ModelConfig as the plain object HTTP's GET .../config answers, so that `modelConfig()` reads the same over both
 * transports. proto-loader already gives proto field names, enums by name, and every scalar, repeated and map field
 * (defaults included), as Triton's JSON does. What differs, and is changed here:
 * - an unset sub-message is null (JSON leaves it out);
 * - each oneof gets a virtual member naming the field that is set (JSON has none);
 * - 64-bit integers are strings; Triton's JSON turns a fixed list of them into numbers (below) and leaves the rest
 *   strings (e.g. instance_group.secondary_devices.device_id, the cuda graph_spec dims, initial_state dims);
 * - the keys of a map with 64-bit keys (dynamic_batching.priority_queue_policy) are protobufjs's 8-character binary
 *   hashes of the integer; JSON has the decimal text;
 * - float fields hold the float32 value as a double (0.10000000149011612); JSON prints the shortest text that reads
 *   back as the same float32 (0.1), and NaN / ±Infinity as strings.
 * Known remaining difference: none for the fields above; 32-bit and double fields, strings, booleans and map keys are
 * already as in the JSON.
 */
import type { ModelConfig } from '../client.ts';
import type { ModelConfig__Output } from './generated/inference/ModelConfig.ts';

/** The 64-bit fields Triton's ModelConfigToJson writes as numbers (paths through messages and arrays; `value` is a map value). */
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

/** The float (float32) fields of model_config.proto. */
const FLOAT_PATHS: ReadonlySet<string> = new Set([
  'sequence_batching.control_input.control.fp32_false_true',
  'sequence_batching.direct.minimum_slot_utilization',
]);

/** The oneofs of model_config.proto, whose virtual members proto-loader adds (`oneofs: true`). */
const ONEOF_NAMES: ReadonlySet<string> = new Set([
  'policy_choice',
  'state_data',
  'strategy_choice',
  'input_data_type',
  'metric_options',
  'scheduling_choice',
]);

/** Map fields: their keys are not field names, so their values' paths go through `value`. */
const MAP_PATHS: ReadonlySet<string> = new Set([
  'dynamic_batching.priority_queue_policy',
  'ensemble_scheduling.step.input_map',
  'ensemble_scheduling.step.output_map',
  'cc_model_filenames',
  'metric_tags',
  'parameters',
  'model_warmup.inputs',
  'optimization.cuda.graph_spec.input',
  'optimization.cuda.graph_spec.graph_lower_bound.input',
  'optimization.execution_accelerators.gpu_execution_accelerator.parameters',
  'optimization.execution_accelerators.cpu_execution_accelerator.parameters',
  'model_repository_agents.agents.parameters',
]);

/** Maps keyed by uint64 / int64. */
const INT64_KEY_MAPS: ReadonlySet<string> = new Set(['dynamic_batching.priority_queue_policy']);

/** The config message as the HTTP JSON object. */
export function modelConfigJson(config: ModelConfig__Output): ModelConfig {
  return convert(config, '') as ModelConfig;
}

function convert(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, path));
  if (typeof value === 'string' && NUMERIC_INT64_PATHS.has(path)) return Number(value);
  if (typeof value === 'number' && FLOAT_PATHS.has(path)) return float32Json(value);
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const isMap = MAP_PATHS.has(path);
  for (const [key, v] of Object.entries(object)) {
    if (v === null) continue;
    if (!isMap && ONEOF_NAMES.has(key) && typeof v === 'string' && Object.hasOwn(object, v)) continue;
    const name = INT64_KEY_MAPS.has(path) ? int64Key(key) : key;
    out[name] = convert(v, isMap ? `${path}.value` : path === '' ? key : `${path}.${key}`);
  }
  return out;
}

/**
 * A 64-bit map key as decimal text. protobufjs keys such maps by the integer's 8 bytes, little-endian, one character
 * each (LongBits.toHash); uint64 is the only 64-bit key type model_config.proto uses.
 */
function int64Key(hash: string): string {
  if (hash.length !== 8) return hash;
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(hash.charCodeAt(i));
  return value.toString();
}

/** A float32 value as protobuf JSON prints it: the shortest decimal that reads back as the same float32. */
function float32Json(x: number): number | string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const target = Math.fround(x);
  for (let precision = 1; precision <= 9; precision++) {
    const candidate = Number(target.toPrecision(precision));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
}
