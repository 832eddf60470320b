/**
 * A version's dynamic-batching facts, read once from its normalized config (`dynamic_batching`, `max_batch_size`, the
 * inputs) the way Triton's DynamicBatchScheduler and PriorityQueue read them, and kept in the frozen model plan. The
 * dynamic batcher reads only this, never the raw config.
 */
import type { DynamicBatching, ModelConfig, QueuePolicy } from '../config/model-config.ts';

/** One priority level's ModelQueuePolicy. */
export interface LevelPolicy {
  timeoutAction: 'REJECT' | 'DELAY';
  /** 0 = requests of this level never time out. */
  defaultTimeoutUs: number;
  allowTimeoutOverride: boolean;
  /** 0 = unlimited. */
  maxQueueSize: number;
}

/** What the batch queue needs: sizes, delay, ordering and the priority levels with their policies. */
export interface BatcherSettings {
  /** > 0 (the batcher is only used for batching models). */
  maxBatchSize: number;
  /** Ascending, unique; never empty (empty becomes `[maxBatchSize]`, as Triton's normalization does). */
  preferredBatchSizes: readonly number[];
  /** 0 = never wait. */
  maxQueueDelayUs: number;
  /** Responses leave in arrival order (applied by the glue, not by the queue). */
  preserveOrdering: boolean;
  /** 0 = a single level. */
  priorityLevels: number;
  defaultPriorityLevel: number;
  /** Index 0 = level 1; a single entry when priorityLevels is 0. */
  levels: readonly LevelPolicy[];
}

/** The batcher's settings plus what batch formation needs of the inputs. */
export interface BatchingPlan extends Readonly<BatcherSettings> {
  /** Inputs whose variable dimensions must agree within a batch (not ragged, with a -1 in the model-side dims). */
  readonly shapeKeyInputs: readonly string[];
}

/** proto3 defaults of ModelQueuePolicy: REJECT, no timeout, no override, unlimited size. */
const DEFAULT_POLICY: Readonly<QueuePolicy> = {
  timeout_action: 'REJECT',
  default_timeout_microseconds: 0,
  allow_timeout_override: false,
  max_queue_size: 0,
};

function levelPolicy(policy: Readonly<QueuePolicy>): LevelPolicy {
  return {
    timeoutAction: policy.timeout_action === 'DELAY' ? 'DELAY' : 'REJECT',
    defaultTimeoutUs: policy.default_timeout_microseconds,
    allowTimeoutOverride: policy.allow_timeout_override,
    maxQueueSize: policy.max_queue_size,
  };
}

/**
 * Maps `dynamic_batching` to the batcher's settings. Levels without an entry in `priority_queue_policy` (keys are
 * decimal strings) use `default_queue_policy`; with `priority_levels` 0 only the default policy is used.
 */
export function batcherSettings(config: Readonly<DynamicBatching>, maxBatchSize: number): BatcherSettings {
  const mbs = Math.max(1, maxBatchSize);
  const preferred = [...new Set(config.preferred_batch_size)].sort((a, b) => a - b);
  const fallback = config.default_queue_policy ?? DEFAULT_POLICY;
  const levels: LevelPolicy[] = [];
  if (config.priority_levels === 0) {
    levels.push(levelPolicy(fallback));
  } else {
    for (let level = 1; level <= config.priority_levels; level++) {
      levels.push(levelPolicy(config.priority_queue_policy[String(level)] ?? fallback));
    }
  }
  return {
    maxBatchSize: mbs,
    preferredBatchSizes: preferred.length > 0 ? preferred : [mbs],
    maxQueueDelayUs: config.max_queue_delay_microseconds,
    preserveOrdering: config.preserve_ordering,
    priorityLevels: config.priority_levels,
    defaultPriorityLevel: config.default_priority_level,
    levels,
  };
}

/**
 * The batching plan of a version, or undefined when its requests are not batched together: Triton batches across
 * requests only with `dynamic_batching` and `max_batch_size > 0`.
 */
export function batchingPlan(config: Readonly<ModelConfig>): BatchingPlan | undefined {
  if (config.dynamic_batching === undefined || config.max_batch_size <= 0) return undefined;
  const settings = batcherSettings(config.dynamic_batching, config.max_batch_size);
  const shapeKeyInputs = config.input
    .filter((input) => !input.allow_ragged_batch && (input.reshape?.shape ?? input.dims).includes(-1))
    .map((input) => input.name);
  return Object.freeze({
    ...settings,
    preferredBatchSizes: Object.freeze(settings.preferredBatchSizes),
    levels: Object.freeze(settings.levels.map((level) => Object.freeze(level))),
    shapeKeyInputs: Object.freeze(shapeKeyInputs),
  });
}
