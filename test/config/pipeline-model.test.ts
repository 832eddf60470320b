import { describe, test } from 'node:test';
import { validateAgainstModel } from '../../src/config/validate-against-model.ts';
import type { ModelMetadata } from '../../src/config/model-metadata.ts';
import { assertServerError, BATCHABLE, meta, onnxConfig, tensor } from './support.ts';

const io = (name: string, data_type: string, dims: number[], extra: Record<string, unknown> = {}) => ({
  name,
  data_type,
  dims,
  ...extra,
});

/** add_sub-like config matching BATCHABLE with mbs 8. */
function addSub(partial: Record<string, unknown> = {}) {
  return onnxConfig('add_sub', {
    max_batch_size: 8,
    input: [io('INPUT0', 'TYPE_INT32', [16]), io('INPUT1', 'TYPE_INT32', [16])],
    output: [io('OUTPUT0', 'TYPE_INT8', [16]), io('OUTPUT1', 'TYPE_INT8', [16])],
    ...partial,
  });
}

const check = (partial: Record<string, unknown>, model: ModelMetadata = BATCHABLE) => () =>
  validateAgainstModel(addSub(partial), model);

describe('config versus model', () => {
  test('a matching config passes', () => {
    check({})();
  });

  test('input count mismatch', () => {
    assertServerError(
      check({ input: [io('INPUT0', 'TYPE_INT32', [16])] }),
      'INVALID_ARG',
      "unable to load model 'add_sub', configuration expects 1 inputs, model provides 2",
    );
  });

  test('unexpected input name lists the allowed inputs, sorted', () => {
    const model = meta(
      [tensor('b_in', 'TYPE_INT32', [-1, 16]), tensor('a_in', 'TYPE_INT32', [-1, 16])],
      BATCHABLE.outputs as never,
    );
    assertServerError(
      check({ input: [io('b_in', 'TYPE_INT32', [16]), io('INPUT_UNKNOWN', 'TYPE_INT32', [16])] }, model),
      'INVALID_ARG',
      "unexpected inference input 'INPUT_UNKNOWN', allowed inputs are: a_in, b_in",
    );
  });

  test('unexpected output name lists the allowed outputs', () => {
    assertServerError(
      check({ output: [io('OUTPUT9', 'TYPE_INT8', [16])] }),
      'INVALID_ARG',
      "unexpected inference output 'OUTPUT9', allowed outputs are: OUTPUT0, OUTPUT1",
    );
  });

  test('config may list a subset of the model outputs', () => {
    check({ output: [io('OUTPUT1', 'TYPE_INT8', [16])] })();
  });

  test('datatype mismatch vs model (exact text)', () => {
    assertServerError(
      check({ input: [io('INPUT0', 'TYPE_INT32', [16]), io('INPUT1', 'TYPE_FP32', [16])] }),
      'INVALID_ARG',
      "unable to load model 'add_sub', configuration expects datatype TYPE_FP32 for input 'INPUT1', model provides " +
        'TYPE_INT32',
    );
  });

  test('a string model tensor is reported as TYPE_BYTES (Triton quirk)', () => {
    const model = meta([tensor('IN', 'TYPE_STRING', [-1, 1])], [tensor('OUT', 'TYPE_STRING', [-1, 1])]);
    assertServerError(
      () =>
        validateAgainstModel(
          onnxConfig('s', {
            max_batch_size: 2,
            input: [io('IN', 'TYPE_STRING', [1])],
            output: [io('OUT', 'TYPE_INT32', [1])],
          }),
          model,
        ),
      'INVALID_ARG',
      "unable to load model 's', configuration expects datatype TYPE_INT32 for output 'OUT', model provides TYPE_BYTES",
    );
  });

  test('output dims must match exactly, including -1', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [-1, -1])], [tensor('OUT', 'TYPE_FP32', [-1, -1])]);
    const config = (dims: number[]) =>
      onnxConfig('m', { max_batch_size: 4, input: [io('IN', 'TYPE_FP32', [8])], output: [io('OUT', 'TYPE_FP32', dims)] });
    validateAgainstModel(config([-1]), model);
    assertServerError(
      () => validateAgainstModel(config([8]), model),
      'INVALID_ARG',
      "model 'm', tensor 'OUT': the model expects 2 dimensions (shape [-1,-1]) but the model configuration specifies 2 " +
        'dimensions (an initial batch dimension because max_batch_size > 0 followed by the explicit tensor shape, ' +
        'making complete shape [-1,8])',
    );
  });

  test('an input may pin a model -1 but not change a fixed dim', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [-1, -1, 3])], [tensor('OUT', 'TYPE_FP32', [-1])]);
    const config = (dims: number[]) =>
      onnxConfig('m', { max_batch_size: 4, input: [io('IN', 'TYPE_FP32', dims)], output: [io('OUT', 'TYPE_FP32', [1], { reshape: { shape: [] } })] });
    validateAgainstModel(config([224, 3]), model);
    assertServerError(
      () => validateAgainstModel(config([224, 4]), model),
      'INVALID_ARG',
      "model 'm', tensor 'IN': the model expects 3 dimensions (shape [-1,-1,3]) but the model configuration specifies " +
        '3 dimensions (an initial batch dimension because max_batch_size > 0 followed by the explicit tensor shape, ' +
        'making complete shape [-1,224,4])',
    );
  });

  test('rank mismatch without batching uses the short message', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [16])], [tensor('OUT', 'TYPE_FP32', [16])]);
    assertServerError(
      () =>
        validateAgainstModel(
          onnxConfig('m', { input: [io('IN', 'TYPE_FP32', [16, 1])], output: [io('OUT', 'TYPE_FP32', [16])] }),
          model,
        ),
      'INVALID_ARG',
      "model 'm', tensor 'IN': the model expects 1 dimensions (shape [16]) but the model configuration specifies 2 " +
        'dimensions (shape [16,1])',
    );
  });

  test('batching requires the model first dim to be -1', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [4, 16])], [tensor('OUT', 'TYPE_FP32', [-1, 16])]);
    assertServerError(
      () =>
        validateAgainstModel(
          onnxConfig('m', { max_batch_size: 4, input: [io('IN', 'TYPE_FP32', [16])], output: [io('OUT', 'TYPE_FP32', [16])] }),
          model,
        ),
      'INVALID_ARG',
      "model 'm', tensor 'IN': for the model to support batching the shape should have at least 1 dimension and the " +
        'first dimension must be -1; but shape expected by the model is [4,16]',
    );
  });

  test('reshape, not dims, is compared with the model', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [-1, 2, 8])], [tensor('OUT', 'TYPE_FP32', [-1, 16])]);
    validateAgainstModel(
      onnxConfig('m', {
        max_batch_size: 4,
        input: [io('IN', 'TYPE_FP32', [16], { reshape: { shape: [2, 8] } })],
        output: [io('OUT', 'TYPE_FP32', [16])],
      }),
      model,
    );
  });

  test('optional input with mbs != 0 is rejected', () => {
    assertServerError(
      check({ input: [io('INPUT0', 'TYPE_INT32', [16]), io('INPUT1', 'TYPE_INT32', [16], { optional: true })] }, meta(
        [tensor('INPUT0', 'TYPE_INT32', [-1, 16])],
        BATCHABLE.outputs as never,
      )),
      'INVALID_ARG',
      "unable to load model 'add_sub', optional input 'INPUT1' is not supported for models that support batching",
    );
  });

  test('optional inputs do not count towards the expected input count (mbs 0)', () => {
    // The ORT backend expects optional inputs to be overridable initializers, not graph inputs.
    const model = meta([tensor('A', 'TYPE_FP32', [4]), tensor('B', 'TYPE_FP32', [4])], [tensor('OUT', 'TYPE_FP32', [4])]);
    assertServerError(
      () =>
        validateAgainstModel(
          onnxConfig('m', {
            input: [io('A', 'TYPE_FP32', [4]), io('B', 'TYPE_FP32', [4], { optional: true })],
            output: [io('OUT', 'TYPE_FP32', [4])],
          }),
          model,
        ),
      'INVALID_ARG',
      "unable to load model 'm', configuration expects 1 inputs, model provides 2",
    );
  });

  test('rank-0 model tensors accept only dims of 1', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [])], [tensor('OUT', 'TYPE_FP32', [])]);
    const config = (dims: number[]) =>
      onnxConfig('m', { input: [io('IN', 'TYPE_FP32', dims)], output: [io('OUT', 'TYPE_FP32', [1])] });
    validateAgainstModel(config([1]), model);
    assertServerError(
      () => validateAgainstModel(config([2]), model),
      'INVALID_ARG',
      "unable to load model 'm', scalar tensor 'IN', should only provide 1 in the model configuration when the model " +
        "doesn't support batching. Model configuration provided: [2].",
    );
  });

  test('ragged inputs need a model input of shape [-1]', () => {
    const model = meta([tensor('IN', 'TYPE_FP32', [-1, 4])], [tensor('OUT', 'TYPE_FP32', [-1])]);
    assertServerError(
      () =>
        validateAgainstModel(
          onnxConfig('m', {
            max_batch_size: 4,
            input: [io('IN', 'TYPE_FP32', [-1], { allow_ragged_batch: true })],
            output: [io('OUT', 'TYPE_FP32', [1], { reshape: { shape: [] } })],
          }),
          model,
        ),
      'INVALID_ARG',
      "unable to load model 'm', configuration expects model provides input with shape [-1]  for ragged input 'IN', " +
        'model provides [-1,4]',
    );
  });

  test('batch outputs skip the shape comparison; batch inputs count as inputs', () => {
    const model = meta(
      [tensor('IN', 'TYPE_FP32', [-1]), tensor('IDX', 'TYPE_FP32', [-1])],
      [tensor('OUT', 'TYPE_FP32', [-1])],
    );
    validateAgainstModel(
      onnxConfig('m', {
        max_batch_size: 4,
        input: [io('IN', 'TYPE_FP32', [-1], { allow_ragged_batch: true })],
        batch_input: [{ kind: 'BATCH_ACCUMULATED_ELEMENT_COUNT', target_name: ['IDX'], data_type: 'TYPE_FP32', source_input: ['IN'] }],
        output: [io('OUT', 'TYPE_FP32', [-1])],
        batch_output: [{ kind: 'BATCH_SCATTER_WITH_INPUT_SHAPE', target_name: ['OUT'], source_input: ['IN'] }],
      }),
      model,
    );
  });

  test('sequence controls are model inputs with dims [1] and the control data type', () => {
    const model = meta(
      [tensor('IN', 'TYPE_FP32', [-1, 4]), tensor('START', 'TYPE_INT32', [-1, 1])],
      [tensor('OUT', 'TYPE_FP32', [-1, 4])],
    );
    const config = (control: Record<string, unknown>) =>
      onnxConfig('m', {
        max_batch_size: 4,
        input: [io('IN', 'TYPE_FP32', [4])],
        output: [io('OUT', 'TYPE_FP32', [4])],
        sequence_batching: { control_input: [{ name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', ...control }] }] },
      });
    validateAgainstModel(config({ int32_false_true: [0, 1] }), model);
    assertServerError(
      () => validateAgainstModel(config({ fp32_false_true: [0, 1] }), model),
      'INVALID_ARG',
      "unable to load model 'm', sequence control 'START', the model expects data-type INT32 but the model " +
        'configuration specifies data-type TYPE_FP32',
    );
  });
});
