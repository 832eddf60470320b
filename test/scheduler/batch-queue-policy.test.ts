/** Priority levels and queue policies of the dynamic batcher (max_queue_size, timeouts, REJECT/DELAY, overrides). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatcherSettings, LevelPolicy } from '../../src/core/batching-plan.ts';
import { BatchQueue, type Pending } from '../../src/scheduler/batch-queue.ts';
import { ServerError } from '../../src/protocol/errors.ts';

function policy(overrides: Partial<LevelPolicy> = {}): LevelPolicy {
  return { timeoutAction: 'REJECT', defaultTimeoutUs: 0, allowTimeoutOverride: false, maxQueueSize: 0, ...overrides };
}

function settings(overrides: Partial<BatcherSettings> = {}): BatcherSettings {
  return {
    maxBatchSize: 8,
    preferredBatchSizes: [8],
    maxQueueDelayUs: 0,
    preserveOrdering: false,
    priorityLevels: 0,
    defaultPriorityLevel: 0,
    levels: [policy()],
    ...overrides,
  };
}

function request(payload: string, extra: Partial<Omit<Pending<string>, 'payload'>> = {}): Pending<string> {
  return { payload, batchSize: 1, shapeKey: '', priority: 0, timeoutUs: 0, ...extra };
}

function isServerError(code: string, message: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  };
}

const threeLevels = (levels = [policy(), policy(), policy()]): BatcherSettings =>
  settings({ priorityLevels: 3, defaultPriorityLevel: 2, levels });

describe('BatchQueue priority levels', () => {
  it('serves level 1 first, FIFO within a level; priority 0 / out of range → default level', () => {
    const queue = new BatchQueue<string>(threeLevels());
    const arrivals: [string, number][] = [['a', 3], ['b', 2], ['c', 1], ['d', 1], ['e', 0], ['f', 9]];
    arrivals.forEach(([payload, priority], i) => queue.add(request(payload, { priority }), i));
    assert.deepEqual(queue.next(10).batch, ['c', 'd', 'b', 'e', 'f', 'a']);
  });

  it('takes batches across levels in priority order', () => {
    const queue = new BatchQueue<string>({ ...threeLevels(), maxBatchSize: 2, preferredBatchSizes: [2] });
    const arrivals: [string, number][] = [['a', 3], ['b', 2], ['c', 1], ['d', 1], ['e', 0], ['f', 9]];
    arrivals.forEach(([payload, priority], i) => queue.add(request(payload, { priority }), i));
    assert.deepEqual(queue.next(10).batch, ['c', 'd']);
    assert.deepEqual(queue.next(10).batch, ['b', 'e']);
    assert.deepEqual(queue.next(10).batch, ['f', 'a']);
  });

  it('ignores priorities when there are no priority levels', () => {
    const queue = new BatchQueue<string>(settings());
    queue.add(request('a', { priority: 5 }), 0);
    queue.add(request('b', { priority: 1 }), 1);
    assert.deepEqual(queue.next(2).batch, ['a', 'b']);
  });
});

describe('BatchQueue max_queue_size', () => {
  it('rejects with UNAVAILABLE `Exceeds maximum queue size` per level while other levels still accept', () => {
    const queue = new BatchQueue<string>(threeLevels([policy({ maxQueueSize: 1 }), policy(), policy({ maxQueueSize: 2 })]));
    queue.add(request('a', { priority: 1 }), 0);
    assert.throws(() => queue.add(request('b', { priority: 1 }), 1), isServerError('UNAVAILABLE', 'Exceeds maximum queue size'));
    queue.add(request('c', { priority: 2 }), 2);
    queue.add(request('d', { priority: 3 }), 3);
    queue.add(request('e', { priority: 3 }), 4);
    assert.throws(() => queue.add(request('f', { priority: 3 }), 5), ServerError);
    assert.equal(queue.size, 4);
    assert.deepEqual(queue.next(6).batch, ['a', 'c', 'd', 'e']);
    queue.add(request('g', { priority: 1 }), 7);
    assert.equal(queue.size, 1);
  });

  it('applies to the single level without priority levels', () => {
    const queue = new BatchQueue<string>(settings({ levels: [policy({ maxQueueSize: 2 })] }));
    queue.add(request('a'), 0);
    queue.add(request('b'), 0);
    assert.throws(() => queue.add(request('c'), 0), isServerError('UNAVAILABLE', 'Exceeds maximum queue size'));
  });

  it("prefixes Triton's `[request id: …] ` when given the request id", () => {
    const queue = new BatchQueue<string>(settings({ levels: [policy({ maxQueueSize: 1 })] }));
    queue.add(request('a'), 0);
    assert.throws(
      () => queue.add(request('b', { requestId: 'r7' }), 0),
      isServerError('UNAVAILABLE', '[request id: r7] Exceeds maximum queue size'),
    );
    assert.throws(
      () => queue.add(request('b', { requestId: '' }), 0),
      isServerError('UNAVAILABLE', '[request id: <id_unknown>] Exceeds maximum queue size'),
    );
  });
});

describe('BatchQueue timeouts', () => {
  const rejecting = (overrides: Partial<BatcherSettings> = {}): BatcherSettings =>
    settings({ levels: [policy({ defaultTimeoutUs: 100 })], ...overrides });

  it('REJECT: next() fails expired requests with UNAVAILABLE `Request timeout expired`', () => {
    const queue = new BatchQueue<string>(rejecting({ preferredBatchSizes: [4], maxQueueDelayUs: 1_000 }));
    queue.add(request('a'), 0);
    queue.add(request('b'), 50);
    const decision = queue.next(100);
    assert.deepEqual(decision.batch, []);
    assert.deepEqual(decision.rejected.map((r) => r.payload), ['a']);
    assert.ok(isServerError('UNAVAILABLE', 'Request timeout expired')(decision.rejected[0]!.error));
    assert.equal(decision.wakeAtUs, 150);
    assert.equal(queue.size, 1);
  });

  it('REJECT: expired requests inside a batch are failed and the batch forms without them', () => {
    const queue = new BatchQueue<string>(rejecting());
    queue.add(request('a'), 0);
    queue.add(request('b'), 60);
    queue.add(request('c'), 90);
    const decision = queue.next(170);
    assert.deepEqual(decision.batch, ['c']);
    assert.deepEqual(decision.rejected.map((r) => r.payload), ['a', 'b']);
    assert.equal(queue.size, 0);
  });

  it('REJECT: expire() fails expired requests without forming a batch', () => {
    const queue = new BatchQueue<string>(rejecting());
    queue.add(request('a'), 0);
    queue.add(request('b'), 50);
    assert.equal(queue.nearestDeadlineUs(), 100);
    assert.deepEqual(queue.expire(99), []);
    const rejected = queue.expire(120);
    assert.deepEqual(rejected.map((r) => r.payload), ['a']);
    assert.ok(isServerError('UNAVAILABLE', 'Request timeout expired')(rejected[0]!.error));
    assert.equal(queue.size, 1);
    assert.equal(queue.nearestDeadlineUs(), 150);
    assert.deepEqual(queue.next(120).batch, ['b']);
    assert.equal(queue.nearestDeadlineUs(), undefined);
  });

  it('wakes at the nearest timeout when it comes before the delay expiry', () => {
    const queue = new BatchQueue<string>(rejecting({ maxQueueDelayUs: 1_000, levels: [policy({ defaultTimeoutUs: 300 })] }));
    queue.add(request('a'), 0);
    assert.equal(queue.next(10).wakeAtUs, 300);
    assert.deepEqual(queue.next(300).rejected.map((r) => r.payload), ['a']);
    assert.equal(queue.size, 0);
  });

  it('DELAY: expired requests move behind the non-expired ones of their level and still run later', () => {
    const queue = new BatchQueue<string>(
      settings({ maxBatchSize: 1, preferredBatchSizes: [1], levels: [policy({ timeoutAction: 'DELAY', defaultTimeoutUs: 100 })] }),
    );
    queue.add(request('a'), 0);
    queue.add(request('b'), 10);
    queue.add(request('c'), 200);
    assert.deepEqual(queue.next(150), { batch: ['c'], rejected: [] });
    assert.deepEqual(queue.expire(1_000_000), []);
    assert.equal(queue.nearestDeadlineUs(), undefined);
    assert.deepEqual(queue.next(1_000_000).batch, ['a']);
    assert.deepEqual(queue.next(1_000_000).batch, ['b']);
    assert.equal(queue.size, 0);
  });

  it('DELAY: delayed requests can join the batch after the level\'s non-expired ones, but never pass a higher level', () => {
    const levels = [policy(), policy({ timeoutAction: 'DELAY', defaultTimeoutUs: 100 })];
    const queue = new BatchQueue<string>(settings({ priorityLevels: 2, defaultPriorityLevel: 2, levels }));
    queue.add(request('a', { priority: 2 }), 0);
    queue.add(request('b', { priority: 2 }), 150);
    queue.add(request('c', { priority: 1 }), 160);
    assert.deepEqual(queue.next(170).batch, ['c', 'b', 'a']);
  });

  it('allow_timeout_override: a smaller request timeout wins, zero is ignored, nothing without a default', () => {
    const overriding = new BatchQueue<string>(
      settings({ levels: [policy({ defaultTimeoutUs: 100, allowTimeoutOverride: true })], maxQueueDelayUs: 10_000 }),
    );
    overriding.add(request('larger', { timeoutUs: 200 }), 0);
    assert.equal(overriding.nearestDeadlineUs(), 100);
    overriding.add(request('zero', { timeoutUs: 0 }), 10);
    assert.equal(overriding.nearestDeadlineUs(), 100);
    overriding.add(request('smaller', { timeoutUs: 50 }), 20);
    assert.equal(overriding.nearestDeadlineUs(), 70);
    assert.deepEqual(overriding.expire(100).map((r) => r.payload), ['larger', 'smaller']);
    assert.deepEqual(overriding.expire(110).map((r) => r.payload), ['zero']);

    const noDefault = new BatchQueue<string>(settings({ levels: [policy({ allowTimeoutOverride: true })] }));
    noDefault.add(request('a', { timeoutUs: 50 }), 0);
    assert.equal(noDefault.nearestDeadlineUs(), undefined);
    assert.deepEqual(noDefault.expire(1_000_000), []);

    const notAllowed = new BatchQueue<string>(settings({ levels: [policy({ defaultTimeoutUs: 100 })] }));
    notAllowed.add(request('a', { timeoutUs: 50 }), 0);
    assert.equal(notAllowed.nearestDeadlineUs(), 100);
  });

  it('remove() of a queued request also drops its deadline', () => {
    const queue = new BatchQueue<string>(rejecting());
    queue.add(request('a'), 0);
    queue.add(request('b'), 50);
    assert.equal(queue.remove('a'), true);
    assert.equal(queue.nearestDeadlineUs(), 150);
    assert.deepEqual(queue.expire(120), []);
  });

  it('remove() finds delayed requests', () => {
    const queue = new BatchQueue<string>(
      settings({ maxQueueDelayUs: 10_000, preferredBatchSizes: [4], levels: [policy({ timeoutAction: 'DELAY', defaultTimeoutUs: 100 })] }),
    );
    queue.add(request('a'), 0);
    queue.add(request('b'), 150);
    assert.equal(queue.next(160).wakeAtUs, 250);
    assert.equal(queue.remove('a'), true);
    assert.equal(queue.size, 1);
    assert.deepEqual(queue.next(10_150).batch, ['b']);
  });
});
