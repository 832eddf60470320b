import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverFill } from '../../src/config/server-fill.ts';
import { assertServerError, configFrom } from './support.ts';

const noOnnx = (dirName: string) => ({ dirName, firstSubdirHasModelOnnx: false });
const withOnnx = (dirName: string) => ({ dirName, firstSubdirHasModelOnnx: true });

describe('server-side fill', () => {
  test('empty name becomes the directory name', () => {
    const filled = serverFill(configFrom({ platform: 'onnxruntime_onnx' }), noOnnx('densenet'));
    assert.equal(filled.name, 'densenet');
  });

  test('name mismatch with the directory is rejected with Triton text', () => {
    assertServerError(
      () => serverFill(configFrom({ name: 'other', backend: 'onnxruntime' }), noOnnx('densenet')),
      'INVALID_ARG',
      "unexpected directory name 'densenet' for model 'other', directory name must equal model name",
    );
  });

  test('platform onnxruntime_onnx implies backend onnxruntime and model.onnx', () => {
    const filled = serverFill(configFrom({ platform: 'onnxruntime_onnx' }), noOnnx('m'));
    assert.equal(filled.backend, 'onnxruntime');
    assert.equal(filled.default_model_filename, 'model.onnx');
  });

  test('backend onnxruntime implies platform onnxruntime_onnx', () => {
    const filled = serverFill(configFrom({ backend: 'onnxruntime' }), noOnnx('m'));
    assert.equal(filled.platform, 'onnxruntime_onnx');
    assert.equal(filled.default_model_filename, 'model.onnx');
  });

  test('default_model_filename model.onnx selects the onnxruntime backend', () => {
    const filled = serverFill(configFrom({ default_model_filename: 'model.onnx' }), noOnnx('m'));
    assert.equal(filled.backend, 'onnxruntime');
    assert.equal(filled.platform, 'onnxruntime_onnx');
  });

  test('an empty config is detected as ONNX when the first version dir holds model.onnx', () => {
    const filled = serverFill(configFrom({}), withOnnx('m'));
    assert.deepEqual([filled.name, filled.backend, filled.platform, filled.default_model_filename], [
      'm',
      'onnxruntime',
      'onnxruntime_onnx',
      'model.onnx',
    ]);
  });

  test('directory probing is skipped when a custom default_model_filename is set', () => {
    const filled = serverFill(configFrom({ backend: 'onnxruntime', default_model_filename: 'net.onnx' }), noOnnx('m'));
    assert.equal(filled.default_model_filename, 'net.onnx');
    assertServerError(
      () => serverFill(configFrom({ default_model_filename: 'net.onnx' }), withOnnx('m')),
      'INVALID_ARG',
      "unexpected platform type '' for m",
    );
  });

  test('backend undetermined: model name without a dot', () => {
    assertServerError(
      () => serverFill(configFrom({}), noOnnx('mystery')),
      'INVALID_ARG',
      "Invalid model name: Could not determine backend for model 'mystery' with no backend in model configuration. " +
        "Expected model name of the form 'model.<backend_name>'.",
    );
  });

  test('custom backend is parsed from a model.<backend> name', () => {
    const filled = serverFill(configFrom({}), noOnnx('model.identity'));
    assert.equal(filled.backend, 'identity');
    assert.equal(filled.default_model_filename, 'model.identity');
  });

  test('known backend with another backend type platform is rejected', () => {
    assertServerError(
      () => serverFill(configFrom({ platform: 'tensorrt_plan', backend: 'onnxruntime' }), noOnnx('m')),
      'INVALID_ARG',
      "unexpected 'platform' and 'backend' pair, got:tensorrt_plan, onnxruntime",
    );
  });

  test('an unknown backend accepts any platform', () => {
    const filled = serverFill(configFrom({ platform: 'onnxruntime_onnx', backend: 'mybackend' }), noOnnx('m'));
    assert.equal(filled.backend, 'mybackend');
  });

  test('other known platforms are detected before ONNX (tensorrt_plan → tensorrt)', () => {
    const filled = serverFill(configFrom({ platform: 'tensorrt_plan' }), withOnnx('m'));
    assert.equal(filled.backend, 'tensorrt');
    assert.equal(filled.default_model_filename, 'model.plan');
  });

  test('the input config is not modified', () => {
    const config = configFrom({});
    serverFill(config, withOnnx('m'));
    assert.equal(config.name, '');
    assert.equal(config.backend, '');
  });
});
