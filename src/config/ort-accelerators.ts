/**
 * Execution providers for one ONNX Runtime session, from `optimization.execution_accelerators` (ORT backend
 * `ModelState::LoadModel`): GPU accelerators (TensorRT, CUDA options) and the CUDA EP for KIND_GPU instances, then CPU
 * accelerators (OpenVINO), then the default CPU EP. Option names are ONNX Runtime's provider option keys.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ExecutionAccelerator, ModelConfig } from './model-config.ts';
import { parseBoolValue, parseIntValue, parseUnsignedValue } from './param-parse.ts';

/** One execution provider entry; `name`/`deviceId` are onnxruntime-node's, other keys are ORT provider options. */
export interface ExecutionProviderPlan {
  name: 'tensorrt' | 'cuda' | 'openvino' | 'cpu';
  deviceId?: number;
  [option: string]: unknown;
}

type Check = 'bool' | 'int' | 'uint' | 'string';

/** TensorRT accelerator keys passed through under the same name, with how Triton checks the value. */
const TRT_PASS_THROUGH: Readonly<Record<string, Check>> = {
  trt_max_partition_iterations: 'int',
  trt_min_subgraph_size: 'int',
  trt_dla_enable: 'bool',
  trt_dla_core: 'int',
  trt_engine_cache_enable: 'bool',
  trt_engine_cache_path: 'string',
  trt_engine_cache_prefix: 'string',
  trt_dump_subgraphs: 'bool',
  trt_force_sequential_engine_build: 'bool',
  trt_context_memory_sharing_enable: 'bool',
  trt_layer_norm_fp32_fallback: 'bool',
  trt_timing_cache_enable: 'bool',
  trt_timing_cache_path: 'string',
  trt_force_timing_cache: 'bool',
  trt_detailed_build_log: 'bool',
  trt_build_heuristics_enable: 'bool',
  trt_sparsity_enable: 'bool',
  trt_builder_optimization_level: 'int',
  trt_auxiliary_streams: 'int',
  trt_tactic_sources: 'string',
  trt_extra_plugin_lib_paths: 'string',
  trt_profile_min_shapes: 'string',
  trt_profile_max_shapes: 'string',
  trt_profile_opt_shapes: 'string',
  trt_cuda_graph_enable: 'bool',
  trt_dump_ep_context_model: 'bool',
  trt_ep_context_file_path: 'string',
  trt_ep_context_embed_mode: 'int',
};

const PRECISION_KEYS: Readonly<Record<string, string>> = {
  FP16: 'trt_fp16_enable',
  BF16: 'trt_bf16_enable',
  INT8: 'trt_int8_enable',
};

/** Triton's default for the deprecated `gpu_mem_limit` parameter: SIZE_MAX. */
const SIZE_MAX = '18446744073709551615';

/** The provider list for one instance; throws INVALID_ARG with Triton's text for unknown accelerators or values. */
export function executionProvidersFor(
  config: Readonly<ModelConfig>,
  instance: { kind: 'KIND_CPU' | 'KIND_GPU' | 'KIND_MODEL'; deviceId: number },
): ExecutionProviderPlan[] {
  const accelerators = config.optimization?.execution_accelerators;
  const providers: ExecutionProviderPlan[] = [];
  if (instance.kind === 'KIND_GPU') {
    const cudaOptions: Record<string, string> = {};
    for (const ea of accelerators?.gpu_execution_accelerator ?? []) {
      if (ea.name === 'tensorrt') providers.push(tensorRtProvider(ea, instance.deviceId));
      else if (ea.name === 'cuda') Object.assign(cudaOptions, cudaAcceleratorOptions(ea));
      else throw unknownAccelerator(ea.name);
    }
    providers.push({ name: 'cuda', deviceId: instance.deviceId, ...cudaOptions, ...deprecatedCudaOptions(config) });
  }
  for (const ea of accelerators?.cpu_execution_accelerator ?? []) {
    if (ea.name === 'openvino') providers.push({ name: 'openvino', device_type: 'CPU' });
    else throw unknownAccelerator(ea.name);
  }
  providers.push({ name: 'cpu' });
  return providers;
}

function tensorRtProvider(ea: ExecutionAccelerator, deviceId: number): ExecutionProviderPlan {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(ea.parameters)) {
    let optionKey: string;
    if (key === 'precision_mode') {
      if (value === 'FP32') continue;
      const mapped = PRECISION_KEYS[value];
      if (mapped === undefined) throw invalidArg(`unsupported precision mode '${value}' is requested`);
      options[mapped] = '1';
      continue;
    } else if (key === 'max_workspace_size_bytes') {
      parseUnsignedValue(value);
      optionKey = 'trt_max_workspace_size';
    } else if (key === 'int8_calibration_table_name') {
      optionKey = 'trt_int8_calibration_table_name';
    } else if (key === 'int8_use_native_calibration_table') {
      parseBoolValue(value);
      optionKey = 'trt_int8_use_native_calibration_table';
    } else if (Object.prototype.hasOwnProperty.call(TRT_PASS_THROUGH, key)) {
      check(TRT_PASS_THROUGH[key] as Check, value);
      optionKey = key;
    } else {
      throw invalidArg(`unknown parameter '${key}' is provided for TensorRT Execution Accelerator`);
    }
    // Empty values are dropped, as Triton only forwards non-empty ones.
    if (value !== '') options[optionKey] = value;
  }
  return { name: 'tensorrt', deviceId, ...options };
}

/** `cuda` accelerator parameters go straight to the CUDA EP; two of them are checked as booleans. */
function cudaAcceleratorOptions(ea: ExecutionAccelerator): Record<string, string> {
  const options: Record<string, string> = {};
  for (const [key, value] of Object.entries(ea.parameters)) {
    if (key === 'do_copy_in_default_stream' || key === 'use_ep_level_unified_stream') parseBoolValue(value);
    if (value !== '') options[key] = value;
  }
  return options;
}

/** Deprecated CUDA keys read from ModelConfig.parameters, with Triton's defaults when absent. */
function deprecatedCudaOptions(config: Readonly<ModelConfig>): Record<string, string> {
  const params = config.parameters;
  const get = (key: string): string | undefined => params[key]?.string_value;

  let cudnn = 'EXHAUSTIVE';
  const cudnnValue = get('cudnn_conv_algo_search');
  if (cudnnValue !== undefined) {
    const n = parseIntValue(cudnnValue);
    const names = ['EXHAUSTIVE', 'HEURISTIC', 'DEFAULT'];
    if (names[n] === undefined) throw invalidArg(`unsupported cudnn_conv_algo_search value '${n}' is requested`);
    cudnn = names[n] as string;
  }
  let arena = 'kNextPowerOfTwo';
  const arenaValue = get('arena_extend_strategy');
  if (arenaValue !== undefined) {
    const n = parseIntValue(arenaValue);
    const names = ['kNextPowerOfTwo', 'kSameAsRequested'];
    if (names[n] === undefined) throw invalidArg(`unsupported arena_extend_strategy value '${n}' is requested`);
    arena = names[n] as string;
  }
  return {
    cudnn_conv_algo_search: cudnn,
    gpu_mem_limit: get('gpu_mem_limit') ?? SIZE_MAX,
    arena_extend_strategy: arena,
    do_copy_in_default_stream: get('do_copy_in_default_stream') ?? '1',
  };
}

function check(kind: Check, value: string): void {
  if (kind === 'bool') parseBoolValue(value);
  else if (kind === 'int') parseIntValue(value);
  else if (kind === 'uint') parseUnsignedValue(value);
}

function unknownAccelerator(name: string): Error {
  return invalidArg(`unknown Execution Accelerator '${name}' is requested`);
}
