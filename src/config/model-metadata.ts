/**
 * What an ONNX model says about its inputs and outputs, as read from an ONNX Runtime session in a worker thread. It
 * feeds auto-complete and the config-versus-model checks.
 */
import type { ConfigDataType } from '../protocol/datatypes.ts';

export interface TensorMetadata {
  readonly name: string;
  /** TYPE_INVALID when the ONNX type has no config equivalent (or the value is not a tensor). */
  readonly dataType: ConfigDataType;
  /** The model's shape; -1 for symbolic or unknown dimensions. */
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  /** Graph inputs that are not initializers, in model order. */
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}
