/**
 * Helpers for the config pipeline tests: configs built from partial objects (the pbtxt parser is not used here),
 * model metadata literals and exact ServerError assertions.
 */
import assert from 'node:assert/strict';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import type { ModelMetadata, TensorMetadata } from '../../src/config/model-metadata.ts';
import type { DeviceFacts } from '../../src/config/normalize.ts';
import type { ConfigDataType } from '../../src/protocol/datatypes.ts';
import { type ErrorCode, ServerError } from '../../src/protocol/errors.ts';

/** The plain config form of a partial ModelConfig object (proto field names, enum names). */
export function configFrom(partial: Record<string, unknown> = {}): ModelConfig {
  return configObjectFromMessage(ModelConfigType.fromObject(partial)) as unknown as ModelConfig;
}

/** An ONNX model tensor. */
export function tensor(name: string, dataType: ConfigDataType, shape: number[]): TensorMetadata {
  return { name, dataType, shape };
}

export function meta(inputs: TensorMetadata[], outputs: TensorMetadata[]): ModelMetadata {
  return { inputs, outputs };
}

/** A batchable model: INPUT0/INPUT1 int32 [-1,16] → OUTPUT0/OUTPUT1 int8 [-1,16] (Triton's qa "add_sub" shape). */
export const BATCHABLE: ModelMetadata = meta(
  [tensor('INPUT0', 'TYPE_INT32', [-1, 16]), tensor('INPUT1', 'TYPE_INT32', [-1, 16])],
  [tensor('OUTPUT0', 'TYPE_INT8', [-1, 16]), tensor('OUTPUT1', 'TYPE_INT8', [-1, 16])],
);

export const NO_GPUS: DeviceFacts = { gpus: [] };
export const TWO_GPUS: DeviceFacts = { gpus: [0, 1] };

/** A filled ONNX config (what serverFill returns for a model directory named `name`). */
export function onnxConfig(name: string, partial: Record<string, unknown> = {}): ModelConfig {
  return configFrom({
    name,
    platform: 'onnxruntime_onnx',
    backend: 'onnxruntime',
    default_model_filename: 'model.onnx',
    ...partial,
  });
}

/** Asserts that `fn` throws a ServerError with exactly this code and message. */
export function assertServerError(fn: () => unknown, code: ErrorCode, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ServerError, `expected ServerError, got ${String(e)}`);
    assert.equal(e.message, message);
    assert.equal(e.code, code);
    return true;
  });
}
