/**
 * ONNX Runtime session options derived from a model config, as the ORT backend sets them (`ModelState` constructor and
 * `LoadModel`), expressed with onnxruntime-node's option names. Pure: the instance layer turns the plan into
 * `InferenceSession.SessionOptions`.
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';
import { type ExecutionProviderPlan, executionProvidersFor } from './ort-accelerators.ts';
import { parseBoolValue, parseIntValue } from './param-parse.ts';

export type { ExecutionProviderPlan } from './ort-accelerators.ts';

/** Model-wide session settings (identical for every instance). */
export interface ModelSessionOptions {
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  executionMode: 'sequential' | 'parallel';
  /** Only set when the config gives a count > 0 (otherwise ORT picks). */
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  enableCpuMemArena: boolean;
  enableMemPattern: boolean;
  /** Session config entries (onnxruntime-node `extra`), e.g. `session.use_device_allocator_for_initializers`. */
  sessionConfigEntries: Record<string, string>;
  /** Run config entries for every run, e.g. `memory.enable_memory_arena_shrinkage`. */
  runConfigEntries: Record<string, string>;
  /** `share_session_between_instances`: instances of one group share a session. */
  shareSessionBetweenInstances: boolean;
  /** `model_operations.op_library_filename`: custom-op libraries to register. */
  customOpLibraries: string[];
}

/** Everything needed to create one instance's session. */
export interface SessionPlan extends ModelSessionOptions {
  executionProviders: ExecutionProviderPlan[];
}

const USE_DEVICE_ALLOCATOR_KEY = 'session.use_device_allocator_for_initializers';
const ARENA_SHRINKAGE_KEY = 'memory.enable_memory_arena_shrinkage';

/** The session plan of one instance; throws INVALID_ARG with Triton's texts for invalid parameters/accelerators. */
export function sessionPlanFor(
  config: Readonly<ModelConfig>,
  instance: { kind: 'KIND_CPU' | 'KIND_GPU' | 'KIND_MODEL'; deviceId: number },
): SessionPlan {
  return { ...modelSessionOptions(config), executionProviders: executionProvidersFor(config, instance) };
}

/**
 * The model-wide settings, parsed in the backend's order: graph level (-1 basic, 1 extended, 2 disabled, else all),
 * execution_mode, intra/inter op thread counts, the device allocator flag, mem arena, mem pattern, session sharing.
 */
export function modelSessionOptions(config: Readonly<ModelConfig>): ModelSessionOptions {
  const params = config.parameters;
  const param = (key: string): string | undefined => params[key]?.string_value;

  const executionModeValue = param('execution_mode');
  const executionMode = executionModeValue === undefined ? 0 : parseIntValue(executionModeValue);
  if (executionMode !== 0 && executionMode !== 1) {
    // Triton's text, double space included.
    throw invalidArg(
      `Invalid configuration value provided. Expected values for  execution_mode are 0 or 1 but got ${executionMode} .`,
    );
  }
  const options: ModelSessionOptions = {
    graphOptimizationLevel: graphLevel(config.optimization?.graph?.level),
    executionMode: executionMode === 0 ? 'sequential' : 'parallel',
    enableCpuMemArena: true,
    enableMemPattern: true,
    sessionConfigEntries: {},
    runConfigEntries: {},
    shareSessionBetweenInstances: false,
    customOpLibraries: [...(config.model_operations?.op_library_filename ?? [])],
  };
  const intra = param('intra_op_thread_count');
  if (intra !== undefined && parseIntValue(intra) > 0) options.intraOpNumThreads = parseIntValue(intra);
  const inter = param('inter_op_thread_count');
  if (inter !== undefined && parseIntValue(inter) > 0) options.interOpNumThreads = parseIntValue(inter);
  const deviceAllocator = param(USE_DEVICE_ALLOCATOR_KEY);
  if (deviceAllocator !== undefined) options.sessionConfigEntries[USE_DEVICE_ALLOCATOR_KEY] = deviceAllocator;
  const arena = param('enable_mem_arena');
  if (arena !== undefined) options.enableCpuMemArena = parseBoolValue(arena);
  const pattern = param('enable_mem_pattern');
  if (pattern !== undefined) options.enableMemPattern = parseBoolValue(pattern);
  const share = param('share_session_between_instances');
  if (share !== undefined) options.shareSessionBetweenInstances = parseBoolValue(share);
  const shrinkage = param(ARENA_SHRINKAGE_KEY);
  if (shrinkage !== undefined) options.runConfigEntries[ARENA_SHRINKAGE_KEY] = shrinkage;
  return options;
}

/** ORT backend mapping, which differs from the proto comment: 2 disables optimization. */
function graphLevel(level: number | undefined): ModelSessionOptions['graphOptimizationLevel'] {
  if (level === -1) return 'basic';
  if (level === 1) return 'extended';
  if (level === 2) return 'disabled';
  return 'all';
}
