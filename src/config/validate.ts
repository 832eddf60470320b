/**
 * Core config validation with Triton's texts: `ValidateModelConfig` (model level), `ValidateInstanceGroup` and
 * `ValidateModelIOConfig`. Pure checks over a normalized config; the first problem found throws a ServerError.
 */
import { internal, invalidArg } from '../protocol/errors.ts';
import { ENSEMBLE_PLATFORM, TENSORRT_PLATFORM } from './backend-kinds.ts';
import type { ModelConfig } from './model-config.ts';
import type { DeviceFacts } from './normalize.ts';
import { validateBackendFields } from './validate-backend.ts';
import { validateEnsemble } from './validate-ensemble.ts';
import { validateIoConfig } from './validate-io.ts';
import { validateScheduling } from './validate-scheduling.ts';

export { validateIoConfig } from './validate-io.ts';

/** Triton's build default of `--min-supported-compute-capability`. */
const DEFAULT_MIN_COMPUTE_CAPABILITY = 7.5;

/** Model-level checks, then instance groups, then inputs/outputs. */
export function validateConfig(config: Readonly<ModelConfig>, devices: DeviceFacts): void {
  validateModelConfig(config);
  validateInstanceGroups(config, devices);
  validateIoConfig(config);
}

/**
 * Everything but inputs/outputs (core `ValidateModelConfig`): name/platform/backend, max_batch_size, version policy,
 * scheduling, ensembles, response cache with decoupled models, model metrics.
 */
export function validateModelConfig(config: Readonly<ModelConfig>): void {
  const name = config.name;
  validateBackendFields(config);
  if (config.max_batch_size < 0) throw invalidArg(`'max_batch_size' must be non-negative value for ${name}`);
  if (config.version_policy === undefined) throw invalidArg(`must specify 'version policy' for ${name}`);
  validateScheduling(config);
  if (config.ensemble_scheduling !== undefined) {
    validateEnsemble(config);
  } else if (config.platform === ENSEMBLE_PLATFORM) {
    throw invalidArg(`ensemble scheduling must be set for ensemble ${name} whose platform is ${ENSEMBLE_PLATFORM}`);
  }
  if (config.model_transaction_policy?.decoupled === true && config.response_cache?.enable === true) {
    throw invalidArg(
      `Response Cache does not currently support model ${name} with 'decoupled' transaction policy. ` +
        'Please disable the response cache.',
    );
  }
  if (config.model_metrics !== undefined) validateModelMetrics(config.model_metrics);
}

/**
 * Core `ValidateInstanceGroup` over normalized groups: KIND_GPU needs existing usable GPUs, KIND_CPU / KIND_MODEL must
 * not list GPUs, KIND_AUTO must have been resolved, `profile` is TensorRT-only. Ensembles are skipped.
 */
export function validateInstanceGroups(config: Readonly<ModelConfig>, devices: DeviceFacts): void {
  if (config.ensemble_scheduling !== undefined) return;
  const name = config.name;
  if (config.instance_group.length === 0) throw invalidArg(`must specify one or more 'instance group's for ${name}`);
  const usable = new Set(devices.gpus);
  for (const group of config.instance_group) {
    const prefix = `instance group ${group.name} of model ${name}`;
    switch (group.kind) {
      case 'KIND_MODEL':
        if (group.gpus.length > 0) throw invalidArg(`${prefix} has kind KIND_MODEL but specifies one or more GPUs`);
        break;
      case 'KIND_GPU':
        if (group.gpus.length === 0) {
          throw invalidArg(
            usable.size === 0
              ? `${prefix} has kind KIND_GPU but no GPUs are available`
              : `${prefix} has kind KIND_GPU but specifies no GPUs`,
          );
        }
        for (const gpu of group.gpus) {
          if (!usable.has(gpu)) {
            const cc = (devices.minComputeCapability ?? DEFAULT_MIN_COMPUTE_CAPABILITY).toFixed(6);
            const list = [...usable].sort((a, b) => a - b).join(', ');
            throw invalidArg(
              `${prefix} specifies invalid or unsupported gpu id ${gpu}. GPUs with at least the minimum required ` +
                `CUDA compute compatibility of ${cc} are: ${list}`,
            );
          }
        }
        break;
      case 'KIND_CPU':
        if (group.gpus.length > 0) throw invalidArg(`${prefix} has kind KIND_CPU but specifies one or more GPUs`);
        break;
      default:
        throw internal(`${prefix} has unexpected kind ${group.kind}`);
    }
    if (config.platform !== TENSORRT_PLATFORM && group.profile.length > 0) {
      // Triton's text has no space before "specifies".
      throw invalidArg(
        `${prefix} and platform ${config.platform}specifies profile field which is only supported for TensorRT models`,
      );
    }
  }
}

interface MetricControl {
  metric_identifier?: { family: string };
  histogram_options?: { buckets: number[] };
}

function validateModelMetrics(metrics: Record<string, unknown>): void {
  const controls = (metrics.metric_control ?? []) as MetricControl[];
  for (const control of controls) {
    if (control.metric_identifier === undefined) throw invalidArg("metric control must specify 'metric_identifier'");
    if (control.metric_identifier.family === '') throw invalidArg("metric identifier must specify non-empty 'family'");
    if (control.histogram_options === undefined) throw invalidArg("metric control must specify 'histogram_options'");
    if (control.histogram_options.buckets.length === 0) {
      throw invalidArg("histogram options must specify non-empty 'buckets'");
    }
  }
}
