/**
 * Conversions between wire tensors (raw little-endian bytes) and onnxruntime-node tensors, used inside workers only.
 * Numeric data is viewed in place when the bytes are aligned for the element type, copied once otherwise. Numeric
 * input bytes must not be shared memory (onnxruntime-node refuses SharedArrayBuffer views: 'Invalid argument').
 */
import * as ort from 'onnxruntime-node';
import { bytesElementsToStrings, stringsToBytesElements } from '../protocol/bytes-codec.ts';
import { byteSizeOf, datatypeFromOrt, ortTypeOf, type Datatype } from '../protocol/datatypes.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';

type TypedArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigUint64ArrayConstructor
  | BigInt64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const VIEW_TYPES: Partial<Record<Datatype, TypedArrayCtor>> = {
  BOOL: Uint8Array,
  UINT8: Uint8Array,
  INT8: Int8Array,
  UINT16: Uint16Array,
  INT16: Int16Array,
  FP16: Uint16Array,
  UINT32: Uint32Array,
  INT32: Int32Array,
  UINT64: BigUint64Array,
  INT64: BigInt64Array,
  FP32: Float32Array,
  FP64: Float64Array,
};

/**
 * Builds the ORT tensor for a wire tensor. onnxruntime-node takes string tensors only as a JS string[] (and copies it
 * twice into std::strings inside run()); the strings are decoded straight from the framed bytes, nothing else per
 * element.
 */
export function toOrtTensor(tensor: WireTensor): ort.Tensor {
  const dims = tensor.shape as number[];
  if (tensor.datatype === 'BYTES') return new ort.Tensor('string', bytesElementsToStrings(tensor.data), dims);
  const Ctor = VIEW_TYPES[tensor.datatype];
  if (Ctor === undefined) throw new Error(`datatype ${tensor.datatype} is not supported by onnxruntime-node`);
  const size = byteSizeOf(tensor.datatype);
  let bytes = tensor.data;
  if (bytes.byteOffset % size !== 0) bytes = bytes.slice();
  const view = new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / size);
  // onnxruntime-common's constructor overloads are typed per element type; the datatype table keeps them in step.
  return new ort.Tensor(ortTypeOf(tensor.datatype) as 'float32', view as unknown as Float32Array, dims);
}

/**
 * An ORT output as a wire tensor whose bytes view ORT's own array (numeric) or a fresh framing (BYTES): valid until
 * the next run, so the worker copies them into the ring slot, or with `slice()` when they must be transferred.
 */
export function viewOrtOutput(name: string, value: ort.Tensor): WireTensor {
  const datatype = datatypeFromOrt(value.type);
  if (datatype === undefined) throw new Error(`output '${name}' has type ${value.type}, which the protocol cannot carry`);
  const shape = Array.from(value.dims);
  if (datatype === 'BYTES') return { name, datatype, shape, data: stringsToBytesElements(value.data as string[]) };
  const source = value.data as ArrayBufferView;
  return { name, datatype, shape, data: new Uint8Array(source.buffer, source.byteOffset, source.byteLength) };
}
