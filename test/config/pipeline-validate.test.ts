import { describe, test } from 'node:test';
import { normalizeConfig } from '../../src/config/normalize.ts';
import { validateConfig } from '../../src/config/validate.ts';
import { assertServerError, configFrom, NO_GPUS, onnxConfig, TWO_GPUS } from './support.ts';
import type { DeviceFacts } from '../../src/config/normalize.ts';

/** Normalizes like the pipeline, then validates. */
function check(partial: Record<string, unknown>, devices: DeviceFacts = NO_GPUS): () => void {
  return () => validateConfig(normalizeConfig(onnxConfig('m', partial), devices), devices);
}

const fp32 = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  data_type: 'TYPE_FP32',
  dims: [4],
  ...extra,
});

describe('config validation', () => {
  test('a valid config passes', () => {
    check({ max_batch_size: 8, input: [fp32('IN')], output: [fp32('OUT')], dynamic_batching: {} })();
  });

  test('negative max_batch_size', () => {
    assertServerError(check({ max_batch_size: -1 }), 'INVALID_ARG', "'max_batch_size' must be non-negative value for m");
  });

  test('preferred batch size must be positive', () => {
    assertServerError(
      check({ max_batch_size: 8, dynamic_batching: { preferred_batch_size: [0] } }),
      'INVALID_ARG',
      'dynamic batching preferred size must be positive for m',
    );
  });

  test('preferred batch size must not exceed max_batch_size', () => {
    assertServerError(
      check({ max_batch_size: 4, dynamic_batching: { preferred_batch_size: [2, 8] } }),
      'INVALID_ARG',
      'dynamic batching preferred size must be <= max batch size for m',
    );
  });

  test('default priority level must be in [1, priority_levels]', () => {
    assertServerError(
      check({ max_batch_size: 4, dynamic_batching: { priority_levels: 3 } }),
      'INVALID_ARG',
      'default priority level must be in range [1, 3] for m',
    );
    assertServerError(
      check({ max_batch_size: 4, dynamic_batching: { priority_levels: 3, default_priority_level: 4 } }),
      'INVALID_ARG',
      'default priority level must be in range [1, 3] for m',
    );
  });

  test('priority queue policy keys must be in [1, priority_levels]', () => {
    assertServerError(
      check({
        max_batch_size: 4,
        dynamic_batching: { priority_levels: 3, default_priority_level: 1, priority_queue_policy: { '4': {} } },
      }),
      'INVALID_ARG',
      'priority queue policy must have priority level in range [1, 3] for m',
    );
  });

  test('preserve_ordering allows one priority level and no DELAY with a timeout', () => {
    assertServerError(
      check({
        max_batch_size: 4,
        dynamic_batching: { preserve_ordering: true, priority_levels: 2, default_priority_level: 1 },
      }),
      'INVALID_ARG',
      "Only one priority level is allowed when 'preserve_ordering' is true for m",
    );
    assertServerError(
      check({
        max_batch_size: 4,
        dynamic_batching: {
          preserve_ordering: true,
          default_queue_policy: { timeout_action: 'DELAY', default_timeout_microseconds: 100 },
        },
      }),
      'INVALID_ARG',
      "Queue policy can not have DELAY as timeout action when 'preserve_ordering' is true for m",
    );
  });

  test('dims of 0 are invalid', () => {
    assertServerError(
      check({ input: [fp32('IN', { dims: [0] })] }),
      'INVALID_ARG',
      "model input 'IN' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for m",
    );
  });

  test('dims of -2 are invalid (outputs too)', () => {
    assertServerError(
      check({ output: [fp32('OUT', { dims: [3, -2] })] }),
      'INVALID_ARG',
      "model output 'OUT' dimension must be integer >= 1, or -1 to indicate a variable-size dimension for m",
    );
  });

  test('missing name, data_type and dims', () => {
    assertServerError(check({ input: [{ data_type: 'TYPE_FP32', dims: [1] }] }), 'INVALID_ARG',
      "model input must specify 'name' for m");
    assertServerError(check({ input: [{ name: 'IN', dims: [1] }] }), 'INVALID_ARG',
      "model input 'IN' must specify 'data_type' for m");
    assertServerError(check({ output: [{ name: 'OUT', data_type: 'TYPE_FP32' }] }), 'INVALID_ARG',
      "model output 'OUT' must specify 'dims' for m");
  });

  test('reshape element-count mismatch', () => {
    assertServerError(
      check({ max_batch_size: 4, input: [fp32('input', { dims: [15], reshape: { shape: [2, 1, 5] } })] }),
      'INVALID_ARG',
      "model input 'input' has different size for dims and reshape for m",
    );
  });

  test('reshape with wildcards compares the runs between them', () => {
    check({ input: [fp32('IN', { dims: [2, 4, -1, 6], reshape: { shape: [8, -1, 1, 6] } })] })();
    assertServerError(
      check({ input: [fp32('IN', { dims: [2, -1, 6], reshape: { shape: [2, -1, -1, 6] } })] }),
      'INVALID_ARG',
      "model input 'IN' has different number of variable-size dimensions for dims and reshape for m",
    );
    assertServerError(
      check({ input: [fp32('IN', { dims: [2, -1, 6], reshape: { shape: [3, -1, 4] } })] }),
      'INVALID_ARG',
      "model input 'IN' has different size for dims and reshape for m",
    );
  });

  test('empty reshape on a non-batching model is rejected', () => {
    assertServerError(
      check({ input: [fp32('IN', { dims: [1], reshape: { shape: [] } })] }),
      'INVALID_ARG',
      "model input 'IN' cannot have empty reshape for non-batching model as scalar tensors are not supported for m",
    );
  });

  test('empty reshape needs dims with one element (batching model)', () => {
    check({ max_batch_size: 2, input: [fp32('IN', { dims: [1], reshape: { shape: [] } })] })();
    assertServerError(
      check({ max_batch_size: 2, input: [fp32('IN', { dims: [2], reshape: { shape: [] } })] }),
      'INVALID_ARG',
      "model input 'IN' has different size for dims and reshape for m",
    );
  });

  test('NHWC/NCHW need exactly 3 dims', () => {
    assertServerError(
      check({ input: [fp32('IN', { format: 'FORMAT_NHWC' })] }),
      'INVALID_ARG',
      'model input NHWC/NCHW require 3 dims for m',
    );
  });

  test('shape tensors are TensorRT-only', () => {
    assertServerError(
      check({ input: [fp32('IN', { is_shape_tensor: true })] }),
      'INVALID_ARG',
      'shape tensors are only supported for TensorRT platform for m',
    );
  });

  test('batch input needs exactly one source input and an INT32/FP32 type', () => {
    const bi = (extra: Record<string, unknown>) => ({
      batch_input: [{ kind: 'BATCH_ELEMENT_COUNT', target_name: ['N'], data_type: 'TYPE_FP32', ...extra }],
      input: [fp32('IN')],
    });
    assertServerError(check(bi({ source_input: [] })), 'INVALID_ARG',
      "batch input kind 'BATCH_ELEMENT_COUNT' expects 1 source input, got 0 for m");
    assertServerError(check(bi({ source_input: ['IN'], data_type: 'TYPE_INT64' })), 'INVALID_ARG',
      'batch input data type must be TYPE_INT32 or TYPE_FP32 for m');
    assertServerError(check(bi({ source_input: ['NOPE'] })), 'INVALID_ARG', "unknown source input name 'NOPE' for m");
  });

  test('batch output targets must be outputs, named once', () => {
    assertServerError(
      check({
        input: [fp32('IN')],
        output: [fp32('OUT')],
        batch_output: [{ kind: 'BATCH_SCATTER_WITH_INPUT_SHAPE', source_input: ['IN'], target_name: ['OUT', 'OUT'] }],
      }),
      'INVALID_ARG',
      "target output name 'OUT' can only be specified once for m",
    );
  });

  test('KIND_GPU without GPUs gives Triton error', () => {
    assertServerError(
      check({ instance_group: [{ kind: 'KIND_GPU' }] }),
      'INVALID_ARG',
      'instance group m_0 of model m has kind KIND_GPU but no GPUs are available',
    );
  });

  test('KIND_GPU with an unknown gpu id lists the usable GPUs', () => {
    assertServerError(
      check({ instance_group: [{ kind: 'KIND_GPU', gpus: [42] }] }, TWO_GPUS),
      'INVALID_ARG',
      'instance group m_0 of model m specifies invalid or unsupported gpu id 42. GPUs with at least the minimum ' +
        'required CUDA compute compatibility of 7.500000 are: 0, 1',
    );
  });

  test('KIND_CPU must not list GPUs', () => {
    assertServerError(
      check({ instance_group: [{ name: 'g', kind: 'KIND_CPU', gpus: [0] }] }, TWO_GPUS),
      'INVALID_ARG',
      'instance group g of model m has kind KIND_CPU but specifies one or more GPUs',
    );
  });

  test('profile is TensorRT-only', () => {
    assertServerError(
      check({ instance_group: [{ kind: 'KIND_CPU', profile: ['0'] }] }),
      'INVALID_ARG',
      'instance group m_0 of model m and platform onnxruntime_onnxspecifies profile field which is only supported ' +
        'for TensorRT models',
    );
  });

  test('version policy must be present', () => {
    assertServerError(
      () => validateConfig(onnxConfig('m'), NO_GPUS),
      'INVALID_ARG',
      "must specify 'version policy' for m",
    );
  });

  test('sequence batching START control needs one false/true list of two entries', () => {
    const seq = (control: Record<string, unknown>) => ({
      max_batch_size: 4,
      sequence_batching: { control_input: [{ name: 'S', control: [{ kind: 'CONTROL_SEQUENCE_START', ...control }] }] },
    });
    assertServerError(check(seq({})), 'INVALID_ARG',
      "sequence batching must specify either 'int32_false_true', 'fp32_false_true' or 'bool_false_true' for " +
        'CONTROL_SEQUENCE_START for m');
    assertServerError(check(seq({ int32_false_true: [0, 1, 2] })), 'INVALID_ARG',
      "sequence batching control 'int32_false_true' must have exactly 2 entries for CONTROL_SEQUENCE_START for m");
    check(seq({ int32_false_true: [0, 1] }))();
  });

  test('ensemble steps must write every output', () => {
    const ensemble = configFrom({
      name: 'e',
      platform: 'ensemble',
      input: [fp32('IN')],
      output: [fp32('OUT')],
      ensemble_scheduling: { step: [{ model_name: 'a', input_map: { x: 'IN' }, output_map: { y: 'MID' } }] },
    });
    assertServerError(
      () => validateConfig(normalizeConfig(ensemble, NO_GPUS), NO_GPUS),
      'INVALID_ARG',
      "ensemble output 'OUT' for ensemble e' is not used",
    );
  });
});
