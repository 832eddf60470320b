/**
 * ONNX element types and the encoding of initializer values into TensorProto fields.
 */

/** ONNX tensor element types the builder can declare (`string` is Triton's BYTES / TYPE_STRING). */
export type OnnxElemType =
  | 'float'
  | 'float16'
  | 'bfloat16'
  | 'double'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool'
  | 'string';

/** `TensorProto.DataType` number of each element type (onnx.proto). */
export const ONNX_DATA_TYPE: Readonly<Record<OnnxElemType, number>> = {
  float: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  double: 11,
  uint32: 12,
  uint64: 13,
  bfloat16: 16,
};

/**
 * Values of an initializer, in row-major order. Numeric types take the matching typed array (float16/bfloat16: the
 * bit patterns in a Uint16Array; bool: a Uint8Array of 0/1) or a plain array that is converted; `string` takes
 * strings (UTF-8 encoded) or raw byte strings.
 */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | readonly number[]
  | readonly bigint[]
  | readonly boolean[]
  | readonly (string | Uint8Array)[];

type NumericArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor;

/** Typed array that holds each fixed-width type's elements, in the layout of TensorProto.raw_data. */
const ARRAY_OF: Readonly<Record<Exclude<OnnxElemType, 'string'>, NumericArrayCtor | 'bigint64' | 'biguint64'>> = {
  float: Float32Array,
  double: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: 'bigint64',
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: 'biguint64',
  bool: Uint8Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
};

/** The TensorProto data fields for `values`: `string_data` for strings, little-endian `raw_data` otherwise. */
export function tensorDataFields(
  type: OnnxElemType,
  values: TensorValues,
): { raw_data: Uint8Array } | { string_data: Uint8Array[] } {
  if (type === 'string') {
    const encoder = new TextEncoder();
    return {
      string_data: Array.from(values as ArrayLike<unknown>, (v) => {
        if (typeof v === 'string') return encoder.encode(v);
        if (v instanceof Uint8Array) return v;
        throw new TypeError(`string tensor elements must be strings or Uint8Array, got ${typeof v}`);
      }),
    };
  }
  const typed = toTypedArray(type, values);
  // Typed arrays use the host's byte order; every platform onnxruntime-node ships for is little-endian.
  return { raw_data: new Uint8Array(typed.buffer.slice(typed.byteOffset, typed.byteOffset + typed.byteLength)) };
}

function toTypedArray(type: Exclude<OnnxElemType, 'string'>, values: TensorValues): ArrayBufferView & { length: number } {
  const ctor = ARRAY_OF[type];
  if (ctor === 'bigint64' || ctor === 'biguint64') {
    const Ctor = ctor === 'bigint64' ? BigInt64Array : BigUint64Array;
    if (values instanceof Ctor) return values;
    if (ArrayBuffer.isView(values)) throw new TypeError(`${type} values must be a ${Ctor.name} or a plain array`);
    const out = new Ctor(values.length);
    (values as readonly unknown[]).forEach((v, i) => (out[i] = BigInt(v as number | bigint)));
    return out;
  }
  if (values instanceof ctor) return values;
  if (ArrayBuffer.isView(values)) throw new TypeError(`${type} values must be a ${ctor.name} or a plain array`);
  const out = new ctor(values.length);
  (values as readonly unknown[]).forEach((v, i) => {
    if (typeof v === 'boolean') out[i] = v ? 1 : 0;
    else if (typeof v === 'number') out[i] = v;
    else throw new TypeError(`${type} values must be numbers${type === 'bool' ? ' or booleans' : ''}, got ${typeof v}`);
  });
  return out;
}
