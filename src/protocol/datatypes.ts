/**
 * Tensor datatypes: the protocol strings of the KServe v2 / Triton APIs, their config enum names, element sizes and
 * ONNX Runtime names. BYTES has no fixed element size: on the wire each element is a u32 little-endian length followed
 * by its bytes.
 */
export type Datatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES'
  | 'BF16';

/** The `TYPE_*` names of model_config.proto's DataType enum. */
export type ConfigDataType =
  | 'TYPE_INVALID'
  | 'TYPE_BOOL'
  | 'TYPE_UINT8'
  | 'TYPE_UINT16'
  | 'TYPE_UINT32'
  | 'TYPE_UINT64'
  | 'TYPE_INT8'
  | 'TYPE_INT16'
  | 'TYPE_INT32'
  | 'TYPE_INT64'
  | 'TYPE_FP16'
  | 'TYPE_FP32'
  | 'TYPE_FP64'
  | 'TYPE_STRING'
  | 'TYPE_BF16';

/** ONNX Runtime's tensor type names (onnxruntime-common `Tensor.Type`). */
export type OrtTensorType =
  | 'bool'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'string'
  | 'bfloat16';

interface DatatypeInfo {
  readonly config: ConfigDataType;
  /** Bytes per element; 0 for BYTES (variable). */
  readonly byteSize: number;
  readonly ort: OrtTensorType;
}

const TABLE: Readonly<Record<Datatype, DatatypeInfo>> = {
  BOOL: { config: 'TYPE_BOOL', byteSize: 1, ort: 'bool' },
  UINT8: { config: 'TYPE_UINT8', byteSize: 1, ort: 'uint8' },
  UINT16: { config: 'TYPE_UINT16', byteSize: 2, ort: 'uint16' },
  UINT32: { config: 'TYPE_UINT32', byteSize: 4, ort: 'uint32' },
  UINT64: { config: 'TYPE_UINT64', byteSize: 8, ort: 'uint64' },
  INT8: { config: 'TYPE_INT8', byteSize: 1, ort: 'int8' },
  INT16: { config: 'TYPE_INT16', byteSize: 2, ort: 'int16' },
  INT32: { config: 'TYPE_INT32', byteSize: 4, ort: 'int32' },
  INT64: { config: 'TYPE_INT64', byteSize: 8, ort: 'int64' },
  FP16: { config: 'TYPE_FP16', byteSize: 2, ort: 'float16' },
  FP32: { config: 'TYPE_FP32', byteSize: 4, ort: 'float32' },
  FP64: { config: 'TYPE_FP64', byteSize: 8, ort: 'float64' },
  BYTES: { config: 'TYPE_STRING', byteSize: 0, ort: 'string' },
  BF16: { config: 'TYPE_BF16', byteSize: 2, ort: 'bfloat16' },
};

export const DATATYPES: readonly Datatype[] = Object.keys(TABLE) as Datatype[];

const BY_CONFIG = new Map<string, Datatype>(DATATYPES.map((d) => [TABLE[d].config, d]));
const BY_ORT = new Map<string, Datatype>(DATATYPES.map((d) => [TABLE[d].ort, d]));

export function isDatatype(value: string): value is Datatype {
  return Object.prototype.hasOwnProperty.call(TABLE, value);
}

/** Bytes per element, 0 for BYTES. */
export function byteSizeOf(datatype: Datatype): number {
  return TABLE[datatype].byteSize;
}

export function configTypeOf(datatype: Datatype): ConfigDataType {
  return TABLE[datatype].config;
}

export function ortTypeOf(datatype: Datatype): OrtTensorType {
  return TABLE[datatype].ort;
}

/** Protocol datatype of a config `TYPE_*` name; undefined for TYPE_INVALID and unknown names. */
export function datatypeFromConfig(configType: string): Datatype | undefined {
  return BY_CONFIG.get(configType);
}

/** Protocol datatype of an ONNX Runtime type name; undefined for types the protocol cannot carry. */
export function datatypeFromOrt(ortType: string): Datatype | undefined {
  return BY_ORT.get(ortType);
}

/** Number of elements of a shape (1 for a scalar shape []). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
