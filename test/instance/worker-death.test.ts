/**
 * Ending an instance worker while it is inside ONNX Runtime, with one execution running and one staged behind it:
 * both fail at once (not when the native call returns), the thread itself ends only after that call has returned
 * (ending it inside a native call would abort the process), and a killed instance's replacement serves.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { slowMatmulModel } from '../../scripts/onnx/test-models.ts';
import { ModelInstance } from '../../src/instance/model-instance.ts';
import { InstancePool } from '../../src/instance/instance-pool.ts';
import { WorkerClient } from '../../src/instance/worker-client.ts';
import { packInputs, type PackedInputs } from '../../src/protocol/packed-inputs.ts';
import type { WireTensor } from '../../src/protocol/wire-tensor.ts';
import { tempDir } from '../support/temp-dir.ts';
import { until } from '../support/wait.ts';

const dir = tempDir();
const slowPath = path.join(dir, 'slow.onnx');
writeFileSync(slowPath, slowMatmulModel());
const oneThread = { session: { intraOpNumThreads: 1, interOpNumThreads: 1 } };

const stoppers: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(stoppers.map((stop) => stop()));
});

/** The n×n identity: X^7 = I, so the values stay finite; n = 2048 runs about a second on one thread. */
function identity(n: number): PackedInputs {
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  const tensor: WireTensor = { name: 'X', datatype: 'FP32', shape: [n, n], data: new Uint8Array(values.buffer) };
  return packInputs([{ ...tensor, parts: [tensor.data] }]);
}

/** Records when `promise` rejects (it must) into `order`, and returns the error. */
function failure(promise: Promise<unknown>, label: string, order: string[]): Promise<Error> {
  return promise.then(
    () => assert.fail(`${label} should have failed`),
    (error: Error) => {
      order.push(label);
      return error;
    },
  );
}

describe('instance worker death', () => {
  it('fails the running and the staged execution of a killed worker at once, and the replacement serves', async () => {
    const instance = new ModelInstance({ name: 'slow_death', kind: 'KIND_CPU', deviceId: 0 }, `'test' version 1`, slowPath, oneThread, new InstancePool({ workersPerDevice: 1 }));
    await instance.start();
    stoppers.push(() => instance.stop());
    const order: string[] = [];
    const running = failure(instance.run(identity(2048), ['Y']), 'running', order);
    await until(() => instance.executing);
    assert.equal(instance.canStage, true);
    const staged = failure(instance.run(identity(4), ['Y']), 'staged', order);
    assert.equal(instance.canStage, false);
    const replaced = new Promise<void>((resolve) => {
      const listener = (): void => {
        if (!instance.available) return;
        instance.removeAvailabilityListener(listener);
        resolve();
      };
      instance.addAvailabilityListener(listener);
    });

    await instance.killWorker(); // resolves once the old thread has ended, i.e. after its native call returned
    order.push('old thread ended');
    assert.deepEqual(order.slice(-1), ['old thread ended']);
    assert.deepEqual(order.slice(0, 2).sort(), ['running', 'staged'], 'both failed before the native call returned');
    for (const error of await Promise.all([running, staged])) {
      assert.match(error.message, /instance 'slow_death' of model 'test' version 1 stopped while executing the request \(.*killed\)/);
    }

    await replaced;
    assert.equal(instance.restarts, 1);
    const result = await instance.run(identity(4), ['Y']);
    assert.deepEqual(Array.from(new Float32Array(result.outputs[0]!.data.slice().buffer)).slice(0, 5), [1, 0, 0, 0, 0]);
  });

  it('exits only after the run in progress returns, failing what it had at once', async () => {
    const { client, session } = await WorkerClient.start('slow exit', slowPath, oneThread);
    stoppers.push(() => client.terminate());
    const order: string[] = [];
    const running = failure(session.run(identity(2048), ['Y']), 'running', order);
    await until(() => client.executing);
    const staged = failure(session.run(identity(4), ['Y']), 'staged', order);
    const exited = client.terminate();
    assert.equal(client.executing, false, 'a stopped client reports nothing executing');
    await exited;
    order.push('thread ended');
    assert.deepEqual(order.slice(0, 2).sort(), ['running', 'staged']);
    assert.equal(order[2], 'thread ended');
    for (const error of await Promise.all([running, staged])) assert.equal(error.message, 'the instance worker was stopped');
    await assert.rejects(session.run(identity(4), ['Y']), /the instance worker has stopped/);
  });

  it('exits at once when idle, blocked waiting for work', async () => {
    const { client, session } = await WorkerClient.start('idle exit', slowPath, oneThread);
    await session.run(identity(4), ['Y']);
    await client.terminate();
    await assert.rejects(session.run(identity(4), ['Y']), /the instance worker has stopped/);
  });
});
