import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { buildModelPlan, reshapeFromModel, reshapeToModel, type TensorPlan } from '../../src/core/model-plan.ts';
import { ServerError } from '../../src/protocol/errors.ts';

function config(object: Record<string, unknown>): ModelConfig {
  return configObjectFromMessage(ModelConfigType.fromObject(object)) as unknown as ModelConfig;
}

const batching = config({
  name: 'm',
  max_batch_size: 8,
  input: [
    { name: 'IMG', data_type: 'TYPE_FP32', dims: [3, -1, -1] },
    { name: 'TXT', data_type: 'TYPE_STRING', dims: [1], reshape: { shape: [] }, optional: true },
    { name: 'MASK', data_type: 'TYPE_BOOL', dims: [-1] },
  ],
  output: [
    { name: 'OUT', data_type: 'TYPE_FP16', dims: [10] },
    { name: 'IDS', data_type: 'TYPE_INT64', dims: [-1, 2] },
  ],
});

describe('buildModelPlan', () => {
  const plan = buildModelPlan(batching, 3);

  it('keeps name, version and max_batch_size', () => {
    assert.equal(plan.name, 'm');
    assert.equal(plan.version, 3);
    assert.equal(plan.maxBatchSize, 8);
  });

  it('lists inputs and outputs in config order with their positions', () => {
    assert.deepEqual(
      plan.inputs.map((t) => [t.name, t.index]),
      [
        ['IMG', 0],
        ['TXT', 1],
        ['MASK', 2],
      ],
    );
    assert.deepEqual(
      plan.outputs.map((t) => t.name),
      ['OUT', 'IDS'],
    );
  });

  it('maps config types to protocol datatypes and element sizes (TYPE_STRING → BYTES, 0 bytes)', () => {
    const byName = (t: TensorPlan): [string, string, number] => [t.name, t.datatype, t.elementByteSize];
    assert.deepEqual(plan.inputs.map(byName), [
      ['IMG', 'FP32', 4],
      ['TXT', 'BYTES', 0],
      ['MASK', 'BOOL', 1],
    ]);
    assert.deepEqual(plan.outputs.map(byName), [
      ['OUT', 'FP16', 2],
      ['IDS', 'INT64', 8],
    ]);
  });

  it('keeps dims without the batch dimension and reshape when present', () => {
    const img = plan.inputByName.get('IMG')!;
    assert.deepEqual(img.dims, [3, -1, -1]);
    assert.equal(img.reshape, undefined);
    assert.deepEqual(plan.inputByName.get('TXT')!.reshape, []);
  });

  it('gives metadata shapes with a leading -1 when the model batches', () => {
    assert.deepEqual(plan.inputByName.get('IMG')!.fullShape, [-1, 3, -1, -1]);
    assert.deepEqual(plan.outputByName.get('OUT')!.fullShape, [-1, 10]);
    const flatConfig = config({ name: 'f', input: [{ name: 'A', data_type: 'TYPE_INT32', dims: [2, 2] }] });
    const flat = buildModelPlan(flatConfig, 1);
    assert.deepEqual(flat.inputs[0]!.fullShape, [2, 2]);
  });

  it('counts required inputs and carries optional flags', () => {
    assert.equal(plan.requiredInputCount, 2);
    assert.equal(plan.inputByName.get('TXT')!.optional, true);
    assert.equal(plan.outputByName.get('OUT')!.optional, false);
  });

  it('indexes tensors by name', () => {
    assert.equal(plan.inputByName.get('MASK'), plan.inputs[2]);
    assert.equal(plan.outputByName.get('IDS'), plan.outputs[1]);
    assert.equal(plan.inputByName.get('OUT'), undefined);
  });

  it('is frozen and does not alias the config arrays', () => {
    assert.ok(Object.isFrozen(plan));
    assert.ok(Object.isFrozen(plan.inputs[0]!.dims));
    const cfg = config({ name: 'a', input: [{ name: 'A', data_type: 'TYPE_INT8', dims: [4] }] });
    const p = buildModelPlan(cfg, 1);
    cfg.input[0]!.dims[0] = 99;
    assert.deepEqual(p.inputs[0]!.dims, [4]);
  });

  it('rejects a tensor without a usable data type', () => {
    const bad = config({ name: 'b', input: [{ name: 'A', dims: [1] }] });
    assert.throws(
      () => buildModelPlan(bad, 1),
      (e: unknown) => e instanceof ServerError && e.code === 'INTERNAL' && /TYPE_INVALID/.test(e.message),
    );
  });
});

describe('reshapeToModel / reshapeFromModel', () => {
  function tensor(dims: number[], reshape?: number[]): TensorPlan {
    const cfg = config({
      name: 'r',
      max_batch_size: 4,
      input: [{ name: 'A', data_type: 'TYPE_FP32', dims, ...(reshape ? { reshape: { shape: reshape } } : {}) }],
    });
    return buildModelPlan(cfg, 1).inputs[0]!;
  }

  it('returns a copy of the shape when there is no reshape', () => {
    const t = tensor([2, -1]);
    const shape = [5, 2, 7];
    const out = reshapeToModel(shape, t, true);
    assert.deepEqual(out, [5, 2, 7]);
    assert.notEqual(out, shape);
    assert.deepEqual(reshapeFromModel([2, 7], t, false), [2, 7]);
  });

  it('converts fixed shapes keeping the batch dimension', () => {
    const t = tensor([2, 3], [6]);
    assert.deepEqual(reshapeToModel([4, 2, 3], t, true), [4, 6]);
    assert.deepEqual(reshapeFromModel([4, 6], t, true), [4, 2, 3]);
    assert.deepEqual(reshapeToModel([2, 3], t, false), [6]);
  });

  it('carries wildcard values positionally', () => {
    const t = tensor([-1, 4, -1], [2, -1, 2, -1]);
    assert.deepEqual(reshapeToModel([3, 5, 4, 7], t, true), [3, 2, 5, 2, 7]);
    assert.deepEqual(reshapeFromModel([3, 2, 5, 2, 7], t, true), [3, 5, 4, 7]);
  });

  it('handles the scalar-per-item reshape []', () => {
    const t = tensor([1], []);
    assert.deepEqual(reshapeToModel([6, 1], t, true), [6]);
    assert.deepEqual(reshapeFromModel([6], t, true), [6, 1]);
  });

  it('keeps zero-size dimensions', () => {
    const t = tensor([-1, 2], [2, -1]);
    assert.deepEqual(reshapeToModel([0, 2], t, false), [2, 0]);
    assert.deepEqual(reshapeToModel([0, 5, 2], t, true), [0, 2, 5]);
  });

  it('keeps the element count when the reshape has a wildcard the dims do not feed', () => {
    const t = tensor([2, 6], [3, -1]);
    assert.deepEqual(reshapeToModel([1, 2, 6], t, true), [1, 3, 4]);
  });
});
