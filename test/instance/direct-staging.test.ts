/**
 * Keeping an instance busy: the direct scheduler hands an instance that runs one execution a second one, staged in
 * its worker's ring, which the worker starts as soon as the first ends. Real worker, real ONNX Runtime sessions.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { addModel, slowMatmulModel } from '../../scripts/onnx/test-models.ts';
import type { Execution } from '../../src/core/scheduler-port.ts';
import { ModelInstance } from '../../src/instance/model-instance.ts';
import { InstancePool } from '../../src/instance/instance-pool.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { DirectScheduler } from '../../src/scheduler/direct-scheduler.ts';
import { planOf } from '../observe/support.ts';
import { tempDir } from '../support/temp-dir.ts';

const dir = tempDir();
const addPath = path.join(dir, 'add.onnx');
writeFileSync(addPath, addModel());
const slowPath = path.join(dir, 'slow.onnx');
writeFileSync(slowPath, slowMatmulModel());

const pool = new InstancePool({ workersPerDevice: 2 });
const started: ModelInstance[] = [];
after(async () => {
  await Promise.all(started.map((i) => i.stop()));
});

async function startInstance(modelPath: string, name: string): Promise<ModelInstance> {
  const instance = new ModelInstance({ name, kind: 'KIND_CPU', deviceId: 0 }, `'test' version 1`, modelPath, {
    session: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  }, pool);
  await instance.start();
  started.push(instance);
  return instance;
}

function fp32(name: string, shape: number[], values: Float32Array): WireTensor {
  return { name, datatype: 'FP32', shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

function identity(n: number): WireTensor {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return fp32('X', [n, n], values);
}

function execution(inputs: WireTensor[], outputNames: string[]): Execution {
  return { inputs, outputNames, batchSize: 0, priority: 0, timeoutUs: 0, requestId: '' };
}

function floats(tensor: WireTensor): number[] {
  return Array.from(new Float32Array(tensor.data.slice().buffer));
}

describe('direct scheduler: an instance takes one staged execution while it runs one', () => {
  it('runs many concurrent requests on one instance, each result matched to its request', async () => {
    const instance = await startInstance(addPath, 'add_staging');
    const scheduler = new DirectScheduler(planOf('add_staging', 1), [instance]);
    const count = 50;
    const requests = Array.from({ length: count }, (_, i) => ({
      a: Float32Array.from([i, i + 1, i + 2, i + 3]),
      b: Float32Array.from([1000 * i, 2000 * i, 3000 * i, 4000 * i]),
    }));
    const results = requests.map(({ a, b }) => scheduler.enqueue(execution([fp32('INPUT0', [1, 4], a), fp32('INPUT1', [1, 4], b)], ['OUTPUT0'])));
    // Enqueueing dispatches at once: one execution runs, one is staged behind it (still pending: it has not started),
    // the rest wait in the queue.
    assert.equal(instance.available, false);
    assert.equal(instance.canStage, false);
    assert.equal(scheduler.pending, count - 1);
    assert.equal(scheduler.inflight, count);
    const settled = await Promise.all(results);
    settled.forEach((result, i) => {
      const { a, b } = requests[i]!;
      assert.deepEqual(floats(result.outputs[0]!), Array.from(a, (x, k) => x + b[k]!), `request ${i}`);
      assert.equal(result.batchSize, 1);
    });
    for (let i = 1; i < count; i++) assert.ok(settled[i]!.timings.startedAtMs >= settled[i - 1]!.timings.endedAtMs, 'one at a time, in arrival order');
    await scheduler.drained();
    assert.equal(instance.available, true);
  });

  it('prefers an idle instance to staging, and counts a staged request’s queue time until the worker starts it', async () => {
    const [a, b] = await Promise.all([startInstance(slowPath, 'slow_stage_0'), startInstance(slowPath, 'slow_stage_1')]);
    const scheduler = new DirectScheduler(planOf('slow_stage', 1), [a, b]);
    const first = scheduler.enqueue(execution([identity(512)], ['Y']));
    const second = scheduler.enqueue(execution([identity(512)], ['Y']));
    assert.equal(a.available || b.available, false, 'the second request went to the idle instance');
    assert.equal(a.canStage && b.canStage, true);
    const third = scheduler.enqueue(execution([identity(4)], ['Y']));
    const enqueuedBy = performance.timeOrigin + performance.now();
    assert.equal(Number(a.canStage) + Number(b.canStage), 1, 'the third request is staged behind one of them');
    assert.equal(scheduler.pending, 1, 'and pending until the execution ahead of it ends');
    const [r1, r2, r3] = await Promise.all([first, second, third]);
    assert.equal(scheduler.pending, 0);
    assert.deepEqual(floats(r3.outputs[0]!).slice(0, 5), [1, 0, 0, 0, 0]);
    const ahead = r3.timings.startedAtMs >= r1.timings.endedAtMs ? r1 : r2;
    assert.ok(r3.timings.startedAtMs >= ahead.timings.endedAtMs, 'the staged request started once the one ahead of it ended');
    // Its queue time runs from its enqueue (before enqueuedBy) to its start in the worker (float ms: 1 µs of slack).
    assert.ok(r3.queueNs / 1e6 >= r3.timings.startedAtMs - enqueuedBy - 0.001, `queue ${r3.queueNs} ns, started ${r3.timings.startedAtMs - enqueuedBy} ms after enqueue`);
  });
});
