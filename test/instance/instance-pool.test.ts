/**
 * The instance pool with real workers and ONNX Runtime sessions: many models share a bounded set of worker threads,
 * a model's instances spread over the workers, a worker that dies fails only what it had in flight and every session
 * it hosted comes back on its replacement, and unloading everything ends every worker.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { addModel, slowMatmulModel } from '../../scripts/onnx/test-models.ts';
import { InstancePool } from '../../src/instance/instance-pool.ts';
import { ModelInstance } from '../../src/instance/model-instance.ts';
import { packInputs, type PackedInputs } from '../../src/protocol/packed-inputs.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { tempDir } from '../support/temp-dir.ts';
import { until } from '../support/wait.ts';

const dir = tempDir();
const addPath = path.join(dir, 'add.onnx');
writeFileSync(addPath, addModel());
const slowPath = path.join(dir, 'slow.onnx');
writeFileSync(slowPath, slowMatmulModel());
const oneThread = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };

function fp32(name: string, shape: number[], values: number[]): WireTensor {
  return { name, datatype: 'FP32', shape, data: new Uint8Array(Float32Array.from(values).buffer) };
}

function pack(tensors: WireTensor[]): PackedInputs {
  return packInputs(tensors.map((t) => ({ ...t, parts: [t.data] })));
}

const addInputs = (): PackedInputs => pack([fp32('INPUT0', [1, 4], [1, 2, 3, 4]), fp32('INPUT1', [1, 4], [10, 20, 30, 40])]);

/** The n×n identity; n = 2048 keeps the slow model busy for about a second on one thread. */
function identity(n: number): PackedInputs {
  const values = new Array<number>(n * n).fill(0);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return pack([fp32('X', [n, n], values)]);
}

function instance(pool: InstancePool, model: string, k: number, modelPath = addPath): ModelInstance {
  return new ModelInstance({ name: `${model}_${k}`, kind: 'KIND_CPU', deviceId: 0 }, `'${model}' version 1`, modelPath, oneThread, pool);
}

async function runAdd(target: ModelInstance): Promise<number[]> {
  const result = await target.run(addInputs(), ['OUTPUT0']);
  return Array.from(new Float32Array(result.outputs[0]!.data.slice().buffer));
}

/** Resolves the next time `target` says it can take an execution. */
function nextAvailable(target: ModelInstance): Promise<void> {
  return new Promise((resolve) => {
    const listener = (): void => {
      if (!target.available) return;
      target.removeAvailabilityListener(listener);
      resolve();
    };
    target.addAvailabilityListener(listener);
  });
}

function osThreads(): number {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? -1);
}

describe('instance pool', () => {
  it('hosts the instances of many models on at most its workers, spread per model, and ends them all once unloaded', async () => {
    const pool = new InstancePool({ workersPerDevice: 2 });
    const first = [instance(pool, 'm0', 0), instance(pool, 'm0', 1)];
    await Promise.all(first.map((i) => i.start()));
    const threadsWithOneModel = osThreads();
    const rest = Array.from({ length: 11 }, (_, m) => [instance(pool, `m${m + 1}`, 0), instance(pool, `m${m + 1}`, 1)]).flat();
    await Promise.all(rest.map((i) => i.start()));
    const all = [...first, ...rest];

    assert.equal(pool.workerCount, 2, '24 instances of 12 models live on the 2 workers');
    assert.equal(osThreads(), threadsWithOneModel, 'loading 11 more models starts no thread');
    for (let m = 0; m < 12; m++) {
      const [a, b] = [all[2 * m]!, all[2 * m + 1]!];
      assert.notEqual(a.host, b.host, `the two instances of m${m} are on different workers (${a.host}, ${b.host})`);
    }
    for (const target of all) assert.deepEqual(await runAdd(target), [11, 22, 33, 44]);

    await Promise.all(all.map((i) => i.stop()));
    assert.equal(pool.workerCount, 0, 'no worker is left once every session is unloaded');
    await until(() => osThreads() <= threadsWithOneModel - 2);
  });

  it('a dying worker fails only its own in-flight executions; every session it hosted is recreated on the replacement', async () => {
    const pool = new InstancePool({ workersPerDevice: 2 });
    // slow_0 and add_0 share worker 0 (fewest residents first); slow_1 and add_1 share worker 1.
    const slow = [instance(pool, 'slow', 0, slowPath), instance(pool, 'slow', 1, slowPath)];
    const add = [instance(pool, 'add', 0), instance(pool, 'add', 1)];
    for (const i of [...slow, ...add]) await i.start();
    try {
      assert.equal(slow[0]!.host, add[0]!.host);
      assert.notEqual(slow[0]!.host, add[1]!.host);

      const running = slow[0]!.run(identity(2048), ['Y']);
      const runningFailed = assert.rejects(running, /slow_0.*stopped while executing the request.*killed/);
      await until(() => slow[0]!.executing);
      assert.ok(add[0]!.canStage, 'add_0 can stage behind the execution its worker runs');
      const staged = add[0]!.run(addInputs(), ['OUTPUT0']);
      const stagedFailed = assert.rejects(staged, /add_0.*stopped while executing the request.*killed/);
      const back = [nextAvailable(slow[0]!), nextAvailable(add[0]!)];

      await slow[0]!.killWorker();
      await Promise.all([runningFailed, stagedFailed]);
      // The other worker never noticed.
      assert.deepEqual(await runAdd(add[1]!), [11, 22, 33, 44]);
      assert.equal(add[1]!.restarts, 0);

      await Promise.all(back);
      assert.deepEqual([slow[0]!.restarts, add[0]!.restarts], [1, 1]);
      assert.equal(pool.workerCount, 2);
      assert.deepEqual(await runAdd(add[0]!), [11, 22, 33, 44]);
      const result = await slow[0]!.run(identity(4), ['Y']);
      assert.deepEqual(Array.from(new Float32Array(result.outputs[0]!.data.slice().buffer)).slice(0, 5), [1, 0, 0, 0, 0]);
    } finally {
      await Promise.all([...slow, ...add].map((i) => i.stop()));
    }
    assert.equal(pool.workerCount, 0);
  });
});
