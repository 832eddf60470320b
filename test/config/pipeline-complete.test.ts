import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { completeConfig, type PipelineOptions } from '../../src/config/pipeline.ts';
import { serverFill } from '../../src/config/server-fill.ts';
import { assertServerError, BATCHABLE, configFrom, meta, NO_GPUS, onnxConfig, tensor } from './support.ts';

const AUTO: PipelineOptions = { autoComplete: true, defaultMaxBatchSize: 4, devices: NO_GPUS };
const STRICT: PipelineOptions = { ...AUTO, autoComplete: false };

const addSubIo = {
  input: [
    { name: 'INPUT0', data_type: 'TYPE_INT32', dims: [16] },
    { name: 'INPUT1', data_type: 'TYPE_INT32', dims: [16] },
  ],
  output: [
    { name: 'OUTPUT0', data_type: 'TYPE_INT8', dims: [16] },
    { name: 'OUTPUT1', data_type: 'TYPE_INT8', dims: [16] },
  ],
};

describe('complete config pipeline', () => {
  test('a config-less batchable model is completed like Triton (qa no_config, CPU host)', () => {
    const filled = serverFill(configFrom({}), { dirName: 'no_config', firstSubdirHasModelOnnx: true });
    const c = completeConfig(filled, BATCHABLE, AUTO);
    assert.equal(c.max_batch_size, 4);
    assert.deepEqual(c.dynamic_batching?.preferred_batch_size, [4]);
    assert.deepEqual(c.version_policy, { latest: { num_versions: 1 } });
    assert.deepEqual(
      c.instance_group.map((g) => [g.name, g.kind, g.count]),
      [['no_config', 'KIND_CPU', 2]],
    );
    assert.deepEqual(c.input.map((io) => [io.name, io.dims]), [
      ['INPUT0', [16]],
      ['INPUT1', [16]],
    ]);
    assert.deepEqual(c.optimization?.output_pinned_memory, { enable: true });
  });

  test('a non-batchable model keeps mbs 0, gets no dynamic_batching and one group named <model>', () => {
    const model = meta([tensor('INPUT0', 'TYPE_INT32', [16])], [tensor('OUTPUT0', 'TYPE_INT8', [16])]);
    const c = completeConfig(onnxConfig('nb'), model, AUTO);
    assert.equal(c.max_batch_size, 0);
    assert.equal(c.dynamic_batching, undefined);
    assert.equal(c.instance_group[0]?.name, 'nb');
  });

  test('listing all I/O keeps mbs 0 and adds no dynamic_batching (auto-complete skipped)', () => {
    const model = meta(
      [tensor('INPUT0', 'TYPE_INT32', [16]), tensor('INPUT1', 'TYPE_INT32', [16])],
      [tensor('OUTPUT0', 'TYPE_INT8', [16]), tensor('OUTPUT1', 'TYPE_INT8', [16])],
    );
    const c = completeConfig(onnxConfig('m', addSubIo), model, AUTO);
    assert.equal(c.max_batch_size, 0);
    assert.equal(c.dynamic_batching, undefined);
  });

  test('with auto-complete off, normalization still happens but nothing is filled from the model', () => {
    const c = completeConfig(onnxConfig('m', { max_batch_size: 8, ...addSubIo }), BATCHABLE, STRICT);
    assert.equal(c.dynamic_batching, undefined);
    assert.equal(c.instance_group[0]?.count, 2);
    assertServerError(
      () => completeConfig(onnxConfig('m'), BATCHABLE, STRICT),
      'INVALID_ARG',
      "unable to load model 'm', configuration expects 0 inputs, model provides 2",
    );
  });

  test('with auto-complete off, invalid inputs are reported before instance groups', () => {
    assertServerError(
      () =>
        completeConfig(
          onnxConfig('m', { input: [{ name: 'IN', dims: [1] }], instance_group: [{ kind: 'KIND_GPU' }] }),
          BATCHABLE,
          STRICT,
        ),
      'INVALID_ARG',
      "model input 'IN' must specify 'data_type' for m",
    );
  });

  test('preferred sizes are checked against the configured mbs before auto-complete fills it', () => {
    assertServerError(
      () => completeConfig(onnxConfig('m', { dynamic_batching: { preferred_batch_size: [2] } }), BATCHABLE, AUTO),
      'INVALID_ARG',
      'dynamic batching preferred size must be <= max batch size for m',
    );
  });

  test('KIND_GPU without GPUs fails the load', () => {
    assertServerError(
      () => completeConfig(onnxConfig('m', { instance_group: [{ kind: 'KIND_GPU' }] }), BATCHABLE, AUTO),
      'INVALID_ARG',
      'instance group m_0 of model m has kind KIND_GPU but no GPUs are available',
    );
  });

  test('ORT parameter errors surface before auto-complete errors', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [3])], [tensor('OUT', 'TYPE_FP32', [3])]);
    assertServerError(
      () =>
        completeConfig(
          onnxConfig('m', { max_batch_size: 2, parameters: { execution_mode: { string_value: '7' } } }),
          model,
          AUTO,
        ),
      'INVALID_ARG',
      'Invalid configuration value provided. Expected values for  execution_mode are 0 or 1 but got 7 .',
    );
  });

  test('unknown execution accelerators fail the load', () => {
    assertServerError(
      () =>
        completeConfig(
          onnxConfig('m', { optimization: { execution_accelerators: { cpu_execution_accelerator: [{ name: 'x' }] } } }),
          BATCHABLE,
          AUTO,
        ),
      'INVALID_ARG',
      "unknown Execution Accelerator 'x' is requested",
    );
  });

  test('model mismatches are reported after auto-complete', () => {
    assertServerError(
      () =>
        completeConfig(
          onnxConfig('m', { output: [{ name: 'OUTPUT0', data_type: 'TYPE_FP32', dims: [16] }] }),
          BATCHABLE,
          AUTO,
        ),
      'INVALID_ARG',
      "unable to load model 'm', configuration expects datatype TYPE_FP32 for output 'OUTPUT0', model provides TYPE_INT8",
    );
  });

  test('the result is deep-frozen and the input is untouched', () => {
    const filled = onnxConfig('m');
    const c = completeConfig(filled, BATCHABLE, AUTO);
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.input));
    assert.ok(Object.isFrozen(c.input[0]?.dims));
    assert.ok(Object.isFrozen(c.instance_group[0]));
    assert.deepEqual(filled.input, []);
    assert.equal(filled.max_batch_size, 0);
  });
});
