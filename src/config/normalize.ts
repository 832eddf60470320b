/**
 * Core normalization (`NormalizeModelConfig` + `NormalizeInstanceGroup`): the defaults Triton writes into every loaded
 * config, auto-complete or not. Only fills what is unset, so running it twice changes nothing.
 */
import { ONNX_BACKEND, TF_BACKEND } from './backend-kinds.ts';
import type { InstanceGroup, ModelConfig, OptimizationPolicy } from './model-config.ts';
import { plainMessage } from './model-config-schema.ts';
import { sequenceBatchingOf } from './sequence-batching.ts';

export { expandInstances } from './instance-layout.ts';
export type { InstanceSpec } from './instance-layout.ts';

/** The devices this server may place instances on. */
export interface DeviceFacts {
  /** Usable GPU ids (compute capability high enough); empty on a CPU-only host. */
  gpus: readonly number[];
  /** `--min-supported-compute-capability`, only used in error texts; default 7.5. */
  minComputeCapability?: number;
  /**
   * Whether GPU instances can get an execution provider (onnxruntime-node's CUDA provider is installed); default
   * true. When false, KIND_AUTO resolves to KIND_CPU, while KIND_GPU still fails the load naming the missing provider.
   */
  gpuProviderAvailable?: boolean;
}

/** Default idle time of a sequence slot when the config gives 0. */
const SEQUENCE_IDLE_DEFAULT_US = 1_000_000;

/** Returns a normalized copy: model-level defaults, then instance groups. */
export function normalizeConfig(config: ModelConfig, devices: DeviceFacts): ModelConfig {
  return normalizeInstanceGroups(normalizeModelLevel(config), devices);
}

/**
 * Model-level defaults: version policy `latest { num_versions: 1 }`, empty preferred batch sizes become
 * `[max_batch_size]` (when it is > 0), sequence idle time, and pinned input/output memory enabled (not for ensembles).
 */
export function normalizeModelLevel(config: ModelConfig): ModelConfig {
  const c = structuredClone(config);
  if (c.version_policy === undefined) c.version_policy = { latest: { num_versions: 1 } };

  const db = c.dynamic_batching;
  if (db !== undefined && db.preferred_batch_size.length === 0 && c.max_batch_size > 0) {
    db.preferred_batch_size.push(c.max_batch_size);
  }

  const seq = sequenceBatchingOf(c);
  if (seq !== undefined) {
    if (seq.max_sequence_idle_microseconds === 0) seq.max_sequence_idle_microseconds = SEQUENCE_IDLE_DEFAULT_US;
    if (seq.oldest !== undefined && seq.oldest.preferred_batch_size.length === 0 && c.max_batch_size > 0) {
      seq.oldest.preferred_batch_size.push(c.max_batch_size);
    }
  }

  if (c.ensemble_scheduling === undefined) {
    const optimization = c.optimization ?? plainMessage<OptimizationPolicy>('ModelOptimizationPolicy');
    optimization.input_pinned_memory ??= { enable: true };
    optimization.output_pinned_memory ??= { enable: true };
    c.optimization = optimization;
  }
  return c;
}

/**
 * Instance groups (not for ensembles): none → one group named `<model>`; unnamed groups → `<model>_<index>`;
 * KIND_AUTO → KIND_GPU when GPUs exist, every listed gpu is usable and the GPU provider is installed, else KIND_CPU;
 * count < 1 → 1, or 2 for
 * KIND_CPU on the onnxruntime/tensorflow backends; KIND_GPU without gpus → every usable GPU.
 */
export function normalizeInstanceGroups(config: ModelConfig, devices: DeviceFacts): ModelConfig {
  const c = structuredClone(config);
  if (c.ensemble_scheduling !== undefined) return c;
  const usable = new Set(devices.gpus);
  const sortedGpus = [...usable].sort((a, b) => a - b);

  if (c.instance_group.length === 0) {
    c.instance_group.push(plainMessage<InstanceGroup>('ModelInstanceGroup', { name: c.name }));
  }
  c.instance_group.forEach((group, index) => {
    if (group.name === '') group.name = `${c.name}_${index}`;
    if (group.kind === 'KIND_AUTO') {
      const allUsable = usable.size > 0 && devices.gpuProviderAvailable !== false && group.gpus.every((g) => usable.has(g));
      group.kind = allUsable ? 'KIND_GPU' : 'KIND_CPU';
    }
    if (group.count < 1) group.count = defaultInstanceCount(group.kind, c.backend);
    if (group.kind === 'KIND_GPU' && group.gpus.length === 0) group.gpus = [...sortedGpus];
  });
  return c;
}

/** Backends that opt into two CPU instances by default (others get one). */
function defaultInstanceCount(kind: InstanceGroup['kind'], backend: string): number {
  return kind === 'KIND_CPU' && (backend === ONNX_BACKEND || backend === TF_BACKEND) ? 2 : 1;
}
