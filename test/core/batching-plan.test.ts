/** batcherSettings() and batchingPlan(): from a model's plain config to the batching facts of its frozen plan. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import type { DynamicBatching, ModelConfig } from '../../src/config/model-config.ts';
import { batcherSettings, batchingPlan } from '../../src/core/batching-plan.ts';
import { buildModelPlan } from '../../src/core/model-plan.ts';
import { BatchQueue } from '../../src/scheduler/batch-queue.ts';

/** The plain `dynamic_batching` of a config given in protobuf object form (as a config.pbtxt would give it). */
function dynamicBatching(block: Record<string, unknown>): DynamicBatching {
  const config = configObjectFromMessage(
    ModelConfigType.fromObject({ name: 'm', max_batch_size: 8, dynamic_batching: block }),
  ) as unknown as ModelConfig;
  assert.ok(config.dynamic_batching !== undefined);
  return config.dynamic_batching;
}

const DEFAULT_LEVEL = { timeoutAction: 'REJECT', defaultTimeoutUs: 0, allowTimeoutOverride: false, maxQueueSize: 0 };

describe('batcherSettings', () => {
  it('maps `dynamic_batching {}`: no default_queue_policy → REJECT/0/false/0, a single level', () => {
    assert.deepEqual(batcherSettings(dynamicBatching({ preferred_batch_size: [8] }), 8), {
      maxBatchSize: 8,
      preferredBatchSizes: [8],
      maxQueueDelayUs: 0,
      preserveOrdering: false,
      priorityLevels: 0,
      defaultPriorityLevel: 0,
      levels: [DEFAULT_LEVEL],
    });
  });

  it('uses default_queue_policy for the single level', () => {
    const block = dynamicBatching({
      max_queue_delay_microseconds: 250,
      default_queue_policy: { timeout_action: 'DELAY', default_timeout_microseconds: 900, allow_timeout_override: true, max_queue_size: 3 },
    });
    const settings = batcherSettings(block, 4);
    assert.equal(settings.maxQueueDelayUs, 250);
    assert.deepEqual(settings.levels, [{ timeoutAction: 'DELAY', defaultTimeoutUs: 900, allowTimeoutOverride: true, maxQueueSize: 3 }]);
  });

  it('gives each priority level its priority_queue_policy entry (string keys) or the default policy', () => {
    const block = dynamicBatching({
      priority_levels: 3,
      default_priority_level: 2,
      default_queue_policy: { max_queue_size: 5 },
      priority_queue_policy: { 1: { max_queue_size: 1 }, 3: { timeout_action: 'DELAY', default_timeout_microseconds: 10 } },
    });
    assert.deepEqual(Object.keys(block.priority_queue_policy).sort(), ['1', '3']);
    const settings = batcherSettings(block, 8);
    assert.equal(settings.priorityLevels, 3);
    assert.equal(settings.defaultPriorityLevel, 2);
    assert.deepEqual(settings.levels, [
      { ...DEFAULT_LEVEL, maxQueueSize: 1 },
      { ...DEFAULT_LEVEL, maxQueueSize: 5 },
      { ...DEFAULT_LEVEL, timeoutAction: 'DELAY', defaultTimeoutUs: 10 },
    ]);
  });

  it('sorts and dedupes preferred sizes; empty becomes [max_batch_size]', () => {
    assert.deepEqual(batcherSettings(dynamicBatching({ preferred_batch_size: [4, 2, 4] }), 8).preferredBatchSizes, [2, 4]);
    assert.deepEqual(batcherSettings(dynamicBatching({}), 6).preferredBatchSizes, [6]);
  });

  it('carries preserve_ordering', () => {
    assert.equal(batcherSettings(dynamicBatching({ preserve_ordering: true }), 8).preserveOrdering, true);
  });

  it('drives a queue: per-level max_queue_size from the config', () => {
    const queue = new BatchQueue<string>(
      batcherSettings(dynamicBatching({ priority_levels: 2, default_priority_level: 2, priority_queue_policy: { 1: { max_queue_size: 1 } } }), 8),
    );
    queue.add({ payload: 'a', batchSize: 1, shapeKey: '', priority: 1, timeoutUs: 0 }, 0);
    assert.throws(() => queue.add({ payload: 'b', batchSize: 1, shapeKey: '', priority: 1, timeoutUs: 0 }, 0), /Exceeds maximum queue size/);
    queue.add({ payload: 'c', batchSize: 1, shapeKey: '', priority: 0, timeoutUs: 0 }, 0);
    assert.deepEqual(queue.next(0).batch, ['a', 'c']);
  });
});

/** A normalized-enough config in plain form (what the pipeline hands to the plan). */
function configOf(message: Record<string, unknown>): ModelConfig {
  return configObjectFromMessage(ModelConfigType.fromObject({ name: 'm', ...message })) as unknown as ModelConfig;
}

describe('batchingPlan', () => {
  const inputs = [
    { name: 'FIXED', data_type: 'TYPE_FP32', dims: [4] },
    { name: 'VARIABLE', data_type: 'TYPE_FP32', dims: [-1] },
    { name: 'RAGGED', data_type: 'TYPE_FP32', dims: [-1], allow_ragged_batch: true },
    { name: 'RESHAPED', data_type: 'TYPE_FP32', dims: [4], reshape: { shape: [2, -1] } },
  ];

  it('is absent without dynamic_batching, or with max_batch_size 0 (Triton batches only with both)', () => {
    assert.equal(batchingPlan(configOf({ max_batch_size: 8, input: inputs })), undefined);
    assert.equal(batchingPlan(configOf({ max_batch_size: 0, input: inputs, dynamic_batching: {} })), undefined);
    assert.equal(buildModelPlan(configOf({ max_batch_size: 8, input: inputs }), 1).dynamicBatching, undefined);
  });

  it('carries the batcher settings and the inputs whose variable model-side dims must agree within a batch', () => {
    const config = configOf({ max_batch_size: 8, input: inputs, dynamic_batching: { preferred_batch_size: [4, 2], max_queue_delay_microseconds: 100 } });
    const plan = buildModelPlan(config, 1).dynamicBatching;
    assert.ok(plan !== undefined);
    assert.deepEqual(plan.preferredBatchSizes, [2, 4]);
    assert.equal(plan.maxQueueDelayUs, 100);
    assert.equal(plan.maxBatchSize, 8);
    assert.deepEqual(plan.shapeKeyInputs, ['VARIABLE', 'RESHAPED']);
    assert.ok(Object.isFrozen(plan) && Object.isFrozen(plan.levels) && Object.isFrozen(plan.preferredBatchSizes));
  });
});
