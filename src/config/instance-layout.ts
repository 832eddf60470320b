/**
 * Expansion of normalized instance groups into the instances the runtime creates (core `PrepareInstances`).
 */
import { invalidArg } from '../protocol/errors.ts';
import type { ModelConfig } from './model-config.ts';

/** One model instance to create. */
export interface InstanceSpec {
  /** `<group>_<k>`; repeats across the GPUs of one group. */
  name: string;
  groupName: string;
  kind: 'KIND_CPU' | 'KIND_GPU' | 'KIND_MODEL';
  /** GPU id for KIND_GPU, 0 otherwise. */
  deviceId: number;
  /** Passive instances are created (and warmed up) but get no requests. */
  passive: boolean;
  /** The group's host_policy, or Triton's default name: `cpu`, `model` or `gpu_<id>`. */
  hostPolicy: string;
}

/**
 * Instances of a normalized config: for each group, for k in 0..count-1, one instance per listed GPU (KIND_GPU) or one
 * (KIND_CPU / KIND_MODEL). Throws INVALID_ARG for a group still of kind KIND_AUTO.
 */
export function expandInstances(config: Readonly<ModelConfig>): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (const group of config.instance_group) {
    for (let k = 0; k < group.count; k++) {
      const base = { name: `${group.name}_${k}`, groupName: group.name, passive: group.passive };
      const policy = (fallback: string): string => (group.host_policy === '' ? fallback : group.host_policy);
      switch (group.kind) {
        case 'KIND_CPU':
          out.push({ ...base, kind: 'KIND_CPU', deviceId: 0, hostPolicy: policy('cpu') });
          break;
        case 'KIND_MODEL':
          out.push({ ...base, kind: 'KIND_MODEL', deviceId: 0, hostPolicy: policy('model') });
          break;
        case 'KIND_GPU':
          for (const gpu of group.gpus) {
            out.push({ ...base, kind: 'KIND_GPU', deviceId: gpu, hostPolicy: policy(`gpu_${gpu}`) });
          }
          break;
        default:
          throw invalidArg(`instance_group kind ${group.kind} not supported`);
      }
    }
  }
  return out;
}
