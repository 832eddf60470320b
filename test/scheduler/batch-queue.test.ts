/** Batch formation rules of the dynamic batcher (model-config.md §4.4), driven by explicit times in µs. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatcherSettings } from '../../src/core/batching-plan.ts';
import { BatchQueue, type Pending } from '../../src/scheduler/batch-queue.ts';

function settings(overrides: Partial<BatcherSettings> = {}): BatcherSettings {
  return {
    maxBatchSize: 8,
    preferredBatchSizes: [8],
    maxQueueDelayUs: 0,
    preserveOrdering: false,
    priorityLevels: 0,
    defaultPriorityLevel: 0,
    levels: [{ timeoutAction: 'REJECT', defaultTimeoutUs: 0, allowTimeoutOverride: false, maxQueueSize: 0 }],
    ...overrides,
  };
}

function request(payload: string, extra: Partial<Omit<Pending<string>, 'payload'>> = {}): Pending<string> {
  return { payload, batchSize: 1, shapeKey: '', priority: 0, timeoutUs: 0, ...extra };
}

/** Queues requests of the given sizes named a, b, c... at time `atUs`. */
function fill(queue: BatchQueue<string>, sizes: number[], atUs = 0): void {
  sizes.forEach((batchSize, i) => queue.add(request(String.fromCharCode(97 + i), { batchSize }), atUs));
}

describe('BatchQueue batch formation', () => {
  it('preferred size reached → sends immediately', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [4], maxQueueDelayUs: 100_000 }));
    fill(queue, [1, 1, 1]);
    assert.deepEqual(queue.next(10), { batch: [], rejected: [], wakeAtUs: 100_000 });
    queue.add(request('d'), 20);
    assert.deepEqual(queue.next(20).batch, ['a', 'b', 'c', 'd']);
    assert.equal(queue.size, 0);
  });

  it('preferred sizes with a larger max: takes the largest preferred prefix, the rest waits', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [2, 4], maxQueueDelayUs: 1_000 }));
    fill(queue, [1, 1, 1, 1, 1]);
    assert.deepEqual(queue.next(0).batch, ['a', 'b', 'c', 'd']);
    assert.equal(queue.size, 1);
    assert.deepEqual(queue.next(0), { batch: [], rejected: [], wakeAtUs: 1_000 });
  });

  it('a preferred prefix goes now even when more is pending below the largest preferred size', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [2, 4], maxQueueDelayUs: 0 }));
    fill(queue, [1, 1, 1]);
    assert.deepEqual(queue.next(0).batch, ['a', 'b']);
    assert.deepEqual(queue.next(0).batch, ['c']);
  });

  it('without a preferred prefix, sends the prefix before the largest preferred size would be passed', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [4], maxQueueDelayUs: 1_000 }));
    fill(queue, [3, 3]);
    assert.deepEqual(queue.next(0).batch, ['a']);
    assert.deepEqual(queue.next(0), { batch: [], rejected: [], wakeAtUs: 1_000 });
  });

  it('a preferred prefix wins over the prefix before the largest preferred size would be passed', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [2, 5], maxQueueDelayUs: 1_000 }));
    fill(queue, [1, 1, 1, 1, 2]);
    assert.deepEqual(queue.next(0).batch, ['a', 'b']);
  });

  it('once the delay has passed, sends everything pending up to max batch size', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [4], maxQueueDelayUs: 1_000 }));
    fill(queue, [3, 3, 3]);
    assert.deepEqual(queue.next(1_000).batch, ['a', 'b']);
    assert.deepEqual(queue.next(1_000).batch, ['c']);
  });

  it('delay 0 → sends what is pending immediately', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [4], maxQueueDelayUs: 0 }));
    fill(queue, [1, 1, 1]);
    assert.deepEqual(queue.next(0), { batch: ['a', 'b', 'c'], rejected: [] });
    assert.deepEqual(queue.next(0), { batch: [], rejected: [] });
  });

  it('delay > 0 → waits until oldest enqueue + delay, then sends', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [4], maxQueueDelayUs: 500 }));
    queue.add(request('a'), 100);
    queue.add(request('b'), 200);
    assert.equal(queue.next(250).wakeAtUs, 600);
    assert.deepEqual(queue.next(599), { batch: [], rejected: [], wakeAtUs: 600 });
    assert.equal(queue.size, 2);
    assert.deepEqual(queue.next(600), { batch: ['a', 'b'], rejected: [] });
  });

  it('a single request at or above the largest preferred size is sent without waiting', () => {
    const queue = new BatchQueue<string>(settings({ maxBatchSize: 8, preferredBatchSizes: [2], maxQueueDelayUs: 500 }));
    fill(queue, [3]);
    assert.deepEqual(queue.next(0).batch, ['a']);
  });

  it('never exceeds max batch size and never splits a request: a request bigger than the room starts the next batch', () => {
    const queue = new BatchQueue<string>(settings({ maxBatchSize: 4, preferredBatchSizes: [4], maxQueueDelayUs: 0 }));
    fill(queue, [3, 2, 1, 4]);
    assert.deepEqual(queue.next(0).batch, ['a']);
    assert.deepEqual(queue.next(0).batch, ['b', 'c']);
    assert.deepEqual(queue.next(0).batch, ['d']);
    assert.equal(queue.size, 0);
  });

  it('a shape-key change closes the batch immediately', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [8], maxQueueDelayUs: 10_000 }));
    for (const [payload, shapeKey] of [['a', 'x'], ['b', 'x'], ['c', 'y'], ['d', 'x']]) queue.add(request(payload!, { shapeKey }), 0);
    assert.deepEqual(queue.next(0).batch, ['a', 'b']);
    assert.deepEqual(queue.next(0).batch, ['c']);
    assert.deepEqual(queue.next(0), { batch: [], rejected: [], wakeAtUs: 10_000 });
    assert.deepEqual(queue.next(10_000).batch, ['d']);
  });

  it('counts a request of batch dim 0 as 1', () => {
    const queue = new BatchQueue<string>(settings({ maxBatchSize: 2, preferredBatchSizes: [2], maxQueueDelayUs: 0 }));
    fill(queue, [0, 0, 0]);
    assert.deepEqual(queue.next(0).batch, ['a', 'b']);
  });

  it('remove() takes a queued request out of later batches', () => {
    const queue = new BatchQueue<string>(settings({ preferredBatchSizes: [4], maxQueueDelayUs: 0 }));
    fill(queue, [1, 1, 1]);
    assert.equal(queue.remove('b'), true);
    assert.equal(queue.remove('b'), false);
    assert.equal(queue.remove('zz'), false);
    assert.equal(queue.size, 2);
    assert.deepEqual(queue.next(0).batch, ['a', 'c']);
  });

  it('handles many requests in linear passes', () => {
    const queue = new BatchQueue<number>(settings({ maxBatchSize: 64, preferredBatchSizes: [64], maxQueueDelayUs: 0 }));
    for (let i = 0; i < 20_000; i++) queue.add({ payload: i, batchSize: 1, shapeKey: '', priority: 0, timeoutUs: 0 }, i);
    let expected = 0;
    while (queue.size > 0) {
      const { batch } = queue.next(20_000);
      assert.equal(batch[0], expected);
      expected += batch.length;
    }
    assert.equal(expected, 20_000);
  });
});
