/**
 * The v2 protocol's tensor datatypes and the JavaScript arrays that hold them: numeric tensors are typed arrays in
 * little-endian element order (FP16 and BF16 as their 16-bit patterns in a Uint16Array, BOOL as 0/1 bytes), BYTES
 * tensors are arrays of strings (UTF-8) or of byte arrays.
 */
export type Datatype =
  | 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64'
  | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'FP32' | 'FP64' | 'BF16' | 'BYTES';

/** The typed array for each numeric datatype. */
export interface NumericArrays {
  BOOL: Uint8Array;
  UINT8: Uint8Array;
  UINT16: Uint16Array;
  UINT32: Uint32Array;
  UINT64: BigUint64Array;
  INT8: Int8Array;
  INT16: Int16Array;
  INT32: Int32Array;
  INT64: BigInt64Array;
  FP16: Uint16Array;
  FP32: Float32Array;
  FP64: Float64Array;
  BF16: Uint16Array;
}

export type NumericDatatype = keyof NumericArrays;

/** Any typed array a numeric tensor can be held in. */
export type NumericArray = NumericArrays[NumericDatatype];

/** A BYTES tensor's elements: strings are sent as UTF-8. */
export type BytesElements = readonly (string | Uint8Array)[];

/** What an input tensor's data can be: a typed array for a numeric datatype, elements for BYTES, booleans for BOOL. */
export type TensorData = NumericArray | BytesElements | readonly boolean[];

/** Bytes per element (0 for BYTES, whose elements vary). */
export const ELEMENT_SIZE: Readonly<Record<Datatype, number>> = {
  BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8,
  INT8: 1, INT16: 2, INT32: 4, INT64: 8,
  FP16: 2, FP32: 4, FP64: 8, BF16: 2, BYTES: 0,
};

type ArrayConstructorOf<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/** The typed array constructor of each numeric datatype. */
export const ARRAY_OF: { readonly [D in NumericDatatype]: ArrayConstructorOf<NumericArrays[D]> } = {
  BOOL: Uint8Array, UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, UINT64: BigUint64Array,
  INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, INT64: BigInt64Array,
  FP16: Uint16Array, FP32: Float32Array, FP64: Float64Array, BF16: Uint16Array,
};

export function isNumeric(datatype: Datatype): datatype is NumericDatatype {
  return datatype !== 'BYTES';
}

/**
 * A typed array of `datatype` over `bytes` (little-endian): a view without a copy when the bytes are aligned for it,
 * else one copy of the whole block (never a per-element conversion).
 */
export function viewAs<D extends NumericDatatype>(datatype: D, bytes: Uint8Array): NumericArrays[D] {
  const Typed = ARRAY_OF[datatype] as ArrayConstructorOf<NumericArrays[D]>;
  const size = Typed.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) throw new RangeError(`${bytes.byteLength} bytes do not hold whole ${datatype} elements`);
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  return new Typed(aligned.buffer, aligned.byteOffset, aligned.byteLength / size);
}

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(array: NumericArray): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
