import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { autoCompleteOnnx } from '../../src/config/autocomplete.ts';
import { assertServerError, BATCHABLE, configFrom, meta, onnxConfig, tensor } from './support.ts';

const opts = { defaultMaxBatchSize: 4 };

describe('ORT auto-complete', () => {
  test('mbs becomes 4 when every input and output has a dynamic first dim', () => {
    const c = autoCompleteOnnx(onnxConfig('m'), BATCHABLE, opts);
    assert.equal(c.max_batch_size, 4);
  });

  test('mbs stays 0 when one output has a fixed first dim', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [-1, 16])], [tensor('OUT', 'TYPE_FP32', [16])]);
    const c = autoCompleteOnnx(onnxConfig('m'), model, opts);
    assert.equal(c.max_batch_size, 0);
    assert.equal(c.dynamic_batching, undefined);
    assert.deepEqual(c.output[0]?.dims, [16]);
  });

  test('mbs stays 0 when one input is a scalar', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [])], [tensor('OUT', 'TYPE_FP32', [-1])]);
    assert.equal(autoCompleteOnnx(onnxConfig('m'), model, opts).max_batch_size, 0);
  });

  test('default-max-batch-size is the value filled in', () => {
    assert.equal(autoCompleteOnnx(onnxConfig('m'), BATCHABLE, { defaultMaxBatchSize: 8 }).max_batch_size, 8);
  });

  test('a config listing all inputs and outputs skips auto-complete (mbs stays 0, no dynamic_batching)', () => {
    const config = onnxConfig('m', {
      input: [{ name: 'INPUT0', data_type: 'TYPE_INT32', dims: [-1, 16] }],
      output: [{ name: 'OUTPUT0', data_type: 'TYPE_INT8', dims: [-1, 16] }],
    });
    const c = autoCompleteOnnx(config, BATCHABLE, opts);
    assert.equal(c.max_batch_size, 0);
    assert.equal(c.dynamic_batching, undefined);
    assert.equal(c.input.length, 1);
  });

  test('batch_input counts as a listed input for the skip rule', () => {
    const config = onnxConfig('m', {
      batch_input: [{ kind: 'BATCH_ELEMENT_COUNT', target_name: ['N'], data_type: 'TYPE_INT32', source_input: ['X'] }],
      output: [{ name: 'OUTPUT0', data_type: 'TYPE_INT8', dims: [16] }],
    });
    const c = autoCompleteOnnx(config, BATCHABLE, opts);
    assert.equal(c.max_batch_size, 0);
    assert.equal(c.input.length, 0);
  });

  test('dynamic_batching is added when auto-complete runs and mbs > 1', () => {
    const c = autoCompleteOnnx(onnxConfig('m'), BATCHABLE, opts);
    assert.deepEqual(c.dynamic_batching?.preferred_batch_size, []);
    assert.equal(c.dynamic_batching?.max_queue_delay_microseconds, 0);
  });

  test('dynamic_batching is not added when mbs is 1', () => {
    const c = autoCompleteOnnx(onnxConfig('m', { max_batch_size: 1 }), BATCHABLE, opts);
    assert.equal(c.max_batch_size, 1);
    assert.equal(c.dynamic_batching, undefined);
  });

  test('dynamic_batching is not added next to a sequence_batching block', () => {
    const c = autoCompleteOnnx(onnxConfig('m', { sequence_batching: {} }), BATCHABLE, opts);
    assert.equal(c.dynamic_batching, undefined);
  });

  test('an explicit mbs is kept and still gets dynamic_batching', () => {
    const c = autoCompleteOnnx(onnxConfig('m', { max_batch_size: 16 }), BATCHABLE, opts);
    assert.equal(c.max_batch_size, 16);
    assert.ok(c.dynamic_batching !== undefined);
  });

  test('non-batchable model with mbs > 0 gives the autofill error', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [3])], [tensor('OUT', 'TYPE_FP32', [3])]);
    assertServerError(
      () => autoCompleteOnnx(onnxConfig('bad_max_batch_size', { max_batch_size: 8 }), model, opts),
      'INVALID_ARG',
      "autofill failed for model 'bad_max_batch_size': model does not support batching while non-zero " +
        'max_batch_size is specified',
    );
  });

  test('filled dims drop the batch dim when mbs > 0', () => {
    const c = autoCompleteOnnx(onnxConfig('m'), BATCHABLE, opts);
    assert.deepEqual(
      c.input.map((io) => [io.name, io.data_type, io.dims]),
      [
        ['INPUT0', 'TYPE_INT32', [16]],
        ['INPUT1', 'TYPE_INT32', [16]],
      ],
    );
    assert.equal(c.input[0]?.format, 'FORMAT_NONE');
    assert.equal(c.input[0]?.reshape, undefined);
    assert.deepEqual(c.output.map((io) => io.dims), [[16], [16]]);
  });

  test('filled dims keep the whole shape when mbs is 0', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [2, -1])], [tensor('OUT', 'TYPE_FP32', [2, -1])]);
    const c = autoCompleteOnnx(onnxConfig('m'), model, opts);
    assert.deepEqual(c.input[0]?.dims, [2, -1]);
  });

  test('a scalar-per-item tensor gets dims [1] and an empty reshape when mbs > 0', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [-1])], [tensor('OUT', 'TYPE_FP32', [-1])]);
    const c = autoCompleteOnnx(onnxConfig('m'), model, opts);
    assert.deepEqual(c.input[0]?.dims, [1]);
    assert.deepEqual(c.input[0]?.reshape, { shape: [] });
  });

  test('a rank-0 tensor gets dims [1] without reshape when mbs is 0', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [])], [tensor('OUT', 'TYPE_FP32', [])]);
    const c = autoCompleteOnnx(onnxConfig('m'), model, opts);
    assert.deepEqual(c.input[0]?.dims, [1]);
    assert.equal(c.input[0]?.reshape, undefined);
  });

  test('only the missing side is filled: listed inputs stay, outputs come from the model', () => {
    const config = configFrom({
      name: 'm',
      backend: 'onnxruntime',
      input: [{ name: 'INPUT0', data_type: 'TYPE_INT32', dims: [16] }],
    });
    const c = autoCompleteOnnx(config, BATCHABLE, opts);
    assert.deepEqual(c.input.map((io) => io.name), ['INPUT0']);
    assert.deepEqual(c.output.map((io) => io.name), ['OUTPUT0', 'OUTPUT1']);
  });
});
