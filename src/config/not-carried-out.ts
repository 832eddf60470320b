/**
 * Every field of Triton's model configuration, classified (issue 16, item 5): what nereid carries out, what has no
 * effect on an ONNX Runtime model in Triton either (or only informs an extension whose requests are refused), and
 * what nereid does not carry out. A model that sets a field of the last kind is refused at load with a reason naming
 * the field, never served as if the field were not there. test/config/not-carried-out.test.ts walks
 * protos/model_config.proto so that a field added to the schema cannot go unclassified.
 *
 * Paths are dotted through sub-messages, repeated fields and map values (`instance_group.rate_limiter`). A listed
 * path covers the fields below it; a message is covered by its fields.
 */
import { unsupported } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';

/** Carried out as Triton does (including Triton's own validation that refuses a field for ONNX Runtime models). */
export const CARRIED_OUT: readonly string[] = [
  'name', 'platform', 'backend', 'version_policy', 'max_batch_size',
  'input.name', 'input.data_type', 'input.format', 'input.dims', 'input.reshape', 'input.is_shape_tensor', 'input.optional',
  'input.is_non_linear_format_io',
  'output.name', 'output.data_type', 'output.dims', 'output.reshape', 'output.is_shape_tensor', 'output.is_non_linear_format_io',
  'output.label_filename',
  'optimization.graph', 'optimization.execution_accelerators',
  'dynamic_batching',
  // The sequence batcher refuses the parts it does not carry out itself (sequence-batching.ts).
  'sequence_batching',
  'instance_group.name', 'instance_group.kind', 'instance_group.count', 'instance_group.gpus', 'instance_group.profile',
  'instance_group.passive', 'instance_group.host_policy',
  'default_model_filename', 'parameters', 'model_warmup', 'response_cache',
  'ensemble_scheduling.step.model_name', 'ensemble_scheduling.step.model_version', 'ensemble_scheduling.step.input_map',
  'ensemble_scheduling.step.output_map',
];

/** No effect on an ONNX Runtime model in Triton either, or read only by a refused extension: accepted, documented. */
export const NO_EFFECT: Readonly<Record<string, string>> = {
  'optimization.input_pinned_memory': 'pinned host buffers only speed up GPU copies; nereid makes none of its own',
  'optimization.output_pinned_memory': 'pinned host buffers only speed up GPU copies; nereid makes none of its own',
};

interface Refusal {
  readonly path: string;
  /** What nereid does not do. */
  readonly why: string;
  /** Whether a value found at the path asks for it (default: present and not the proto default). */
  readonly asks?: (value: unknown) => boolean;
}

/** Not carried out: a model that sets one is refused. */
export const REFUSED: readonly Refusal[] = [
  { path: 'runtime', why: 'every model runs on onnxruntime-node; a backend runtime cannot be chosen' },
  { path: 'input.allow_ragged_batch', why: 'ragged batching is not implemented' },
  { path: 'batch_input', why: 'batch inputs (ragged batching) are not implemented' },
  { path: 'batch_output', why: 'batch outputs (ragged batching) are not implemented' },
  { path: 'optimization.priority', why: 'model priorities are not implemented', asks: (v) => v !== undefined && v !== 'PRIORITY_DEFAULT' && v !== 0 },
  { path: 'optimization.cuda', why: 'CUDA graphs, busy-wait events and output copy streams are not implemented', asks: cudaAsks },
  { path: 'optimization.gather_kernel_buffer_threshold', why: 'the gather kernel is not implemented' },
  { path: 'optimization.eager_batching', why: 'eager batching is not implemented' },
  { path: 'ensemble_scheduling.step.model_namespace', why: 'model namespaces are not implemented' },
  { path: 'instance_group.rate_limiter', why: 'the rate limiter is not implemented', asks: (v) => v !== undefined },
  { path: 'instance_group.secondary_devices', why: 'secondary devices are not implemented' },
  { path: 'cc_model_filenames', why: 'choosing a model file by CUDA compute capability is not implemented' },
  { path: 'metric_tags', why: 'metric tags are not implemented' },
  { path: 'model_operations.op_library_filename', why: 'onnxruntime-node cannot register custom operator libraries' },
  { path: 'model_transaction_policy.decoupled', why: 'decoupled models are not implemented' },
  { path: 'model_repository_agents.agents', why: 'repository agents are not implemented' },
  { path: 'model_metrics.metric_control', why: 'per-model metric settings are not implemented' },
];

function cudaAsks(value: unknown): boolean {
  if (value === undefined) return false;
  const cuda = value as { graphs?: boolean; busy_wait_events?: boolean; graph_spec?: unknown[]; output_copy_stream?: boolean };
  return cuda.graphs === true || cuda.busy_wait_events === true || (cuda.graph_spec?.length ?? 0) > 0 || cuda.output_copy_stream === true;
}

/** Present and not its proto default, looking inside messages: any field set below counts. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return value !== '' && value !== '0';
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.values(value).some(isSet);
  return true;
}

/** Every value at a dotted path, through repeated fields. */
function valuesAt(value: unknown, segments: readonly string[]): unknown[] {
  if (segments.length === 0) return [value];
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, segments));
  if (value === null || typeof value !== 'object') return [];
  return valuesAt((value as Record<string, unknown>)[segments[0]!], segments.slice(1));
}

/** Refuses (UNSUPPORTED, naming the field) a config that asks for something nereid does not carry out. */
export function refuseNotCarriedOut(config: Readonly<ModelConfig>): void {
  for (const refusal of REFUSED) {
    const asks = refusal.asks ?? isSet;
    if (valuesAt(config, refusal.path.split('.')).some((value) => asks(value))) {
      throw unsupported(`model '${config.name}': ${refusal.path} is not supported: ${refusal.why}`);
    }
  }
}
