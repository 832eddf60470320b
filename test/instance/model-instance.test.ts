import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { addModel, slowMatmulModel } from '../../scripts/onnx/test-models.ts';
import { ModelInstance } from '../../src/instance/model-instance.ts';
import { InstancePool } from '../../src/instance/instance-pool.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { packInputs, type PackedInputs } from '../../src/protocol/packed-inputs.ts';
import { tempDir } from '../support/temp-dir.ts';
import { until } from '../support/wait.ts';

const dir = tempDir();
const addPath = path.join(dir, 'add.onnx');
writeFileSync(addPath, addModel());
const slowPath = path.join(dir, 'slow.onnx');
writeFileSync(slowPath, slowMatmulModel());

const oneThread = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };
const pool = new InstancePool({ workersPerDevice: 2 });
const started: ModelInstance[] = [];

async function startInstance(modelPath: string, name: string): Promise<ModelInstance> {
  const instance = new ModelInstance({ name, kind: 'KIND_CPU', deviceId: 0 }, `'test' version 1`, modelPath, oneThread, pool);
  await instance.start();
  started.push(instance);
  return instance;
}

/** Packs wire tensors for one execution, as the schedulers do. */
function pack(tensors: WireTensor[]): PackedInputs {
  return packInputs(tensors.map((t) => ({ ...t, parts: [t.data] })));
}

function fp32(name: string, shape: number[], values: number[] | Float32Array): WireTensor {
  const array = values instanceof Float32Array ? values : Float32Array.from(values);
  return { name, datatype: 'FP32', shape, data: new Uint8Array(array.buffer, array.byteOffset, array.byteLength) };
}

/** The n×n identity matrix: X^7 = I keeps the values finite however many MatMuls run. */
function identity(n: number): WireTensor {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return fp32('X', [n, n], values);
}

function floats(tensor: WireTensor): number[] {
  return Array.from(new Float32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength / 4));
}

/** Resolves when the instance can take work again. */
function nextAvailable(instance: ModelInstance): Promise<void> {
  return new Promise((resolve) => {
    const listener = (): void => {
      instance.removeAvailabilityListener(listener);
      resolve();
    };
    instance.addAvailabilityListener(listener);
  });
}

after(async () => {
  await Promise.all(started.map((i) => i.stop()));
});

describe('model instance (worker thread + ONNX Runtime session)', () => {
  it('loads a model in a worker, reports its metadata and runs it', async () => {
    const instance = new ModelInstance({ name: 'add_0', kind: 'KIND_CPU', deviceId: 0 }, `'add' version 1`, addPath, oneThread, pool);
    const metadata = await instance.start();
    started.push(instance);
    assert.deepEqual(metadata.inputs.map((t) => [t.name, t.dataType, t.shape]), [
      ['INPUT0', 'TYPE_FP32', [-1, 4]],
      ['INPUT1', 'TYPE_FP32', [-1, 4]],
    ]);
    const result = await instance.run(pack([fp32('INPUT0', [1, 4], [1, 2, 3, 4]), fp32('INPUT1', [1, 4], [10, 20, 30, 40])]), ['OUTPUT0']);
    assert.equal(result.outputs[0]!.name, 'OUTPUT0');
    assert.deepEqual(result.outputs[0]!.shape, [1, 4]);
    assert.deepEqual(floats(result.outputs[0]!), [11, 22, 33, 44]);
    assert.ok(result.timings.computeInferNs > 0);
  });

  it('leaves the caller’s buffers intact: packing copies views into a larger buffer once, and only the packed buffer moves', async () => {
    const instance = await startInstance(addPath, 'add_views');
    const body = new ArrayBuffer(64);
    const all = new Float32Array(body);
    all.set([1, 2, 3, 4, 5, 6, 7, 8], 2);
    const a: WireTensor = { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: new Uint8Array(body, 8, 16) };
    const b: WireTensor = { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: new Uint8Array(body, 24, 16) };
    const result = await instance.run(pack([a, b]), ['OUTPUT0']);
    assert.deepEqual(floats(result.outputs[0]!), [6, 8, 10, 12]);
    assert.equal(body.byteLength, 64, 'the received buffer must not be detached');
  });

  it('reports an ONNX Runtime failure for one execution and keeps serving', async () => {
    const instance = await startInstance(addPath, 'add_errors');
    await assert.rejects(
      instance.run(pack([fp32('INPUT0', [1, 4], [1, 2, 3, 4]), fp32('INPUT1', [1, 3], [1, 2, 3])]), ['OUTPUT0']),
      (error: Error & { code?: string }) => error.code === 'INTERNAL' && /onnx runtime error/.test(error.message),
    );
    const ok = await instance.run(pack([fp32('INPUT0', [1, 4], [1, 1, 1, 1]), fp32('INPUT1', [1, 4], [1, 1, 1, 1])]), ['OUTPUT0']);
    assert.deepEqual(floats(ok.outputs[0]!), [2, 2, 2, 2]);
  });

  it('runs two instances in parallel: their executions overlap in time', async () => {
    const [a, b] = await Promise.all([startInstance(slowPath, 'slow_0'), startInstance(slowPath, 'slow_1')]);
    const [ra, rb] = await Promise.all([a.run(pack([identity(1024)]), ['Y']), b.run(pack([identity(1024)]), ['Y'])]);
    assert.ok(ra.timings.startedAtMs < rb.timings.endedAtMs && rb.timings.startedAtMs < ra.timings.endedAtMs,
      `executions did not overlap: [${ra.timings.startedAtMs}, ${ra.timings.endedAtMs}] vs [${rb.timings.startedAtMs}, ${rb.timings.endedAtMs}]`);
  });

  it('keeps the main event loop responsive during a long inference', async () => {
    const instance = await startInstance(slowPath, 'slow_loop');
    const order: string[] = [];
    const run = instance.run(pack([identity(2048)]), ['Y']).then(() => order.push('inference'));
    await new Promise<void>((resolve) => setTimeout(() => { order.push('timer'); resolve(); }, 5));
    await run;
    assert.deepEqual(order, ['timer', 'inference']);
  });

  it('fails the execution of a killed worker at once and replaces the worker', async () => {
    const instance = await startInstance(slowPath, 'slow_kill');
    const running = instance.run(pack([identity(2048)]), ['Y']);
    const failed = assert.rejects(running, (error: Error & { code?: string }) =>
      error.code === 'INTERNAL' && /slow_kill.*stopped while executing the request.*killed/.test(error.message));
    const replaced = nextAvailable(instance);
    await until(() => instance.executing);
    await instance.killWorker();
    await failed;
    await replaced;
    assert.equal(instance.restarts, 1);
    assert.ok(instance.available);
    const result = await instance.run(pack([identity(4)]), ['Y']);
    assert.deepEqual(floats(result.outputs[0]!).slice(0, 5), [1, 0, 0, 0, 0]);
  });
});

describe('intra-op thread budget', () => {
  it('splits the cores between the workers of a device, at least one thread each', () => {
    assert.equal(new InstancePool({ workersPerDevice: 1, cores: 8 }).intraOpThreads, 8);
    assert.equal(new InstancePool({ workersPerDevice: 2, cores: 8 }).intraOpThreads, 4);
    assert.equal(new InstancePool({ workersPerDevice: 3, cores: 8 }).intraOpThreads, 2);
    assert.equal(new InstancePool({ workersPerDevice: 4, cores: 2 }).intraOpThreads, 1);
    assert.throws(() => new InstancePool({ workersPerDevice: 0 }), /at least one worker per device/);
  });
});
