/**
 * ModelConfig in the plain-object form the server works with: proto field names, enums as `TYPE_*`/`KIND_*` names,
 * 64-bit integers as numbers, every scalar and repeated field present (proto3 defaults), maps as objects, unset
 * sub-messages and oneof members absent. `configObjectFromMessage` produces it; the pipeline fills and checks it.
 */
import type { ConfigDataType } from '../protocol/datatypes.ts';

export interface TensorReshape {
  shape: number[];
}

export interface ModelInput {
  name: string;
  data_type: ConfigDataType;
  format: 'FORMAT_NONE' | 'FORMAT_NHWC' | 'FORMAT_NCHW';
  dims: number[];
  reshape?: TensorReshape;
  is_shape_tensor: boolean;
  allow_ragged_batch: boolean;
  optional: boolean;
  is_non_linear_format_io: boolean;
}

export interface ModelOutput {
  name: string;
  data_type: ConfigDataType;
  dims: number[];
  reshape?: TensorReshape;
  label_filename: string;
  is_shape_tensor: boolean;
  is_non_linear_format_io: boolean;
}

export interface BatchInput {
  kind: string;
  target_name: string[];
  data_type: ConfigDataType;
  source_input: string[];
}

export interface BatchOutput {
  target_name: string[];
  kind: string;
  source_input: string[];
}

export interface VersionPolicy {
  latest?: { num_versions: number };
  all?: Record<string, never>;
  specific?: { versions: number[] };
}

export type InstanceKind = 'KIND_AUTO' | 'KIND_GPU' | 'KIND_CPU' | 'KIND_MODEL';

export interface InstanceGroup {
  name: string;
  kind: InstanceKind;
  count: number;
  rate_limiter?: { resources: { name: string; global: boolean; count: number }[]; priority: number };
  gpus: number[];
  secondary_devices: { kind: string; device_id: number }[];
  profile: string[];
  passive: boolean;
  host_policy: string;
}

export interface ExecutionAccelerator {
  name: string;
  parameters: Record<string, string>;
}

export interface OptimizationPolicy {
  graph?: { level: number };
  priority: 'PRIORITY_DEFAULT' | 'PRIORITY_MAX' | 'PRIORITY_MIN';
  cuda?: Record<string, unknown>;
  execution_accelerators?: {
    gpu_execution_accelerator: ExecutionAccelerator[];
    cpu_execution_accelerator: ExecutionAccelerator[];
  };
  input_pinned_memory?: { enable: boolean };
  output_pinned_memory?: { enable: boolean };
  gather_kernel_buffer_threshold: number;
  eager_batching: boolean;
}

export interface QueuePolicy {
  timeout_action: 'REJECT' | 'DELAY';
  default_timeout_microseconds: number;
  allow_timeout_override: boolean;
  max_queue_size: number;
}

export interface DynamicBatching {
  preferred_batch_size: number[];
  max_queue_delay_microseconds: number;
  preserve_ordering: boolean;
  priority_levels: number;
  default_priority_level: number;
  default_queue_policy?: QueuePolicy;
  /** Keys are priority levels as decimal strings (uint64 map keys). */
  priority_queue_policy: Record<string, QueuePolicy>;
}

export interface WarmupInput {
  data_type: ConfigDataType;
  dims: number[];
  zero_data?: boolean;
  random_data?: boolean;
  input_data_file?: string;
}

export interface ModelWarmup {
  name: string;
  batch_size: number;
  inputs: Record<string, WarmupInput>;
  count: number;
}

export interface ModelConfig {
  name: string;
  platform: string;
  backend: string;
  runtime: string;
  version_policy?: VersionPolicy;
  max_batch_size: number;
  input: ModelInput[];
  output: ModelOutput[];
  batch_input: BatchInput[];
  batch_output: BatchOutput[];
  optimization?: OptimizationPolicy;
  dynamic_batching?: DynamicBatching;
  sequence_batching?: Record<string, unknown>;
  ensemble_scheduling?: Record<string, unknown>;
  instance_group: InstanceGroup[];
  default_model_filename: string;
  cc_model_filenames: Record<string, string>;
  metric_tags: Record<string, string>;
  parameters: Record<string, { string_value: string }>;
  model_warmup: ModelWarmup[];
  model_operations?: { op_library_filename: string[] };
  model_transaction_policy?: { decoupled: boolean };
  model_repository_agents?: { agents: { name: string; parameters: Record<string, string> }[] };
  response_cache?: { enable: boolean };
  model_metrics?: Record<string, unknown>;
}
