/**
 * The v2 HTTP infer body with the binary tensor extension: a JSON header (its length in Inference-Header-Content-Length)
 * followed by the binary tensors in order. Inputs go binary by default; in JSON mode numeric and string tensors go as
 * JSON arrays, and the ones JSON cannot carry (FP16, BF16, non-finite floats, byte elements) still go binary.
 */
import { encodeBytesTensor } from '../bytes-tensor.ts';
import { isNumeric, type BytesElements, type NumericArray } from '../datatypes.ts';
import { InferOutput, type InferInput, type InferOptions, type InferResult, type Parameters, inferResult } from '../infer-types.ts';
import { inputBytes } from '../input-bytes.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EncodedInferBody {
  readonly body: Uint8Array;
  /** The JSON header's byte length, when binary tensors follow it. */
  readonly headerLength?: number;
}

/** The request body of `inputs` with `options`. */
export function encodeInferBody(inputs: readonly InferInput[], options: InferOptions): EncodedInferBody {
  const binary = options.binary ?? true;
  const blobs: Uint8Array[] = [];
  const parts: string[] = [];
  for (const input of inputs) {
    const parameters: Record<string, unknown> = { ...input.parameters };
    let data: string | undefined;
    if (input.sharedMemory !== undefined) {
      parameters.shared_memory_region = input.sharedMemory.region;
      parameters.shared_memory_byte_size = input.sharedMemory.byteSize;
      if (input.sharedMemory.offset !== undefined) parameters.shared_memory_offset = input.sharedMemory.offset;
    } else {
      data = binary ? undefined : jsonData(input);
      if (data === undefined) {
        const bytes = inputBytes(input);
        parameters.binary_data_size = bytes.byteLength;
        blobs.push(bytes);
      }
    }
    parts.push(
      `{"name":${JSON.stringify(input.name)},"datatype":"${input.datatype}","shape":${JSON.stringify(input.shape)}` +
        (Object.keys(parameters).length > 0 ? `,"parameters":${parametersJson(parameters)}` : '') +
        (data === undefined ? '' : `,"data":${data}`) +
        '}',
    );
  }
  const header = `{${options.id === undefined ? '' : `"id":${JSON.stringify(options.id)},`}` +
    `"parameters":${parametersJson(requestParameters(options, binary))},"inputs":[${parts.join(',')}]` +
    (options.outputs === undefined ? '' : `,"outputs":[${options.outputs.map((o) => outputJson(o, binary)).join(',')}]`) +
    '}';
  const json = encoder.encode(header);
  if (blobs.length === 0) return { body: json };
  let total = json.byteLength;
  for (const b of blobs) total += b.byteLength;
  const body = new Uint8Array(total);
  body.set(json, 0);
  let at = json.byteLength;
  for (const b of blobs) {
    body.set(b, at);
    at += b.byteLength;
  }
  return { body, headerLength: json.byteLength };
}

/** The request-level parameters: the caller's, then priority, timeout, sequence and the binary output default. */
function requestParameters(options: InferOptions, binary: boolean): Parameters {
  const parameters: Parameters = { ...options.parameters };
  if (options.priority !== undefined) parameters.priority = options.priority;
  if (options.timeoutUs !== undefined) parameters.timeout = options.timeoutUs;
  if (options.sequence !== undefined) {
    parameters.sequence_id = options.sequence.id;
    parameters.sequence_start = options.sequence.start ?? false;
    parameters.sequence_end = options.sequence.end ?? false;
  }
  // Without an outputs list every output comes back: as binary unless JSON was asked for.
  if (options.outputs === undefined && binary) parameters.binary_data_output = true;
  return parameters;
}

function outputJson(output: string | { name: string; classCount?: number; binary?: boolean; sharedMemory?: { region: string; byteSize: number; offset?: number }; parameters?: Parameters }, binary: boolean): string {
  const o = typeof output === 'string' ? { name: output } : output;
  const parameters: Record<string, unknown> = { ...o.parameters };
  if (o.sharedMemory !== undefined) {
    parameters.shared_memory_region = o.sharedMemory.region;
    parameters.shared_memory_byte_size = o.sharedMemory.byteSize;
    if (o.sharedMemory.offset !== undefined) parameters.shared_memory_offset = o.sharedMemory.offset;
  } else {
    parameters.binary_data = o.binary ?? binary;
  }
  if (o.classCount !== undefined) parameters.classification = o.classCount;
  return `{"name":${JSON.stringify(o.name)},"parameters":${parametersJson(parameters)}}`;
}

/** JSON text of parameters, with bigints as exact integers. */
function parametersJson(parameters: Record<string, unknown>): string {
  const entries = Object.entries(parameters).map(([k, v]) => `${JSON.stringify(k)}:${typeof v === 'bigint' ? v.toString() : JSON.stringify(v)}`);
  return `{${entries.join(',')}}`;
}

/** The JSON array of an input's data, or undefined when JSON cannot carry it exactly (it then goes binary). */
function jsonData(input: InferInput): string | undefined {
  const { datatype, data } = input;
  if (data === undefined || datatype === 'FP16' || datatype === 'BF16') return undefined;
  if (datatype === 'BYTES') {
    const elements = data as BytesElements;
    return elements.every((e) => typeof e === 'string') ? JSON.stringify(elements) : undefined;
  }
  if (datatype === 'BOOL') {
    const values = Array.isArray(data) ? (data as boolean[]) : Array.from(data as Uint8Array, (b) => b !== 0);
    inputBytes(input); // the same checks as binary
    return JSON.stringify(values);
  }
  if (!isNumeric(datatype)) return undefined;
  inputBytes(input);
  const array = data as NumericArray;
  const texts: string[] = new Array<string>(array.length);
  for (let i = 0; i < array.length; i++) {
    const value = array[i]!;
    if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
    texts[i] = value.toString();
  }
  return `[${texts.join(',')}]`;
}

/** The response body as a result: JSON header then binary outputs (views into `body`, no copies). */
export function decodeInferBody(body: Uint8Array, headerLength: number | undefined): InferResult {
  const jsonBytes = headerLength === undefined ? body : body.subarray(0, headerLength);
  const header = JSON.parse(decoder.decode(jsonBytes)) as {
    id?: string;
    model_name: string;
    model_version: string;
    parameters?: Parameters;
    outputs?: { name: string; datatype: InferOutput['datatype']; shape: number[]; parameters?: Parameters & { binary_data_size?: number }; data?: unknown[] }[];
  };
  let at = headerLength ?? body.byteLength;
  const outputs = (header.outputs ?? []).map((o) => {
    const { binary_data_size: size, ...parameters } = o.parameters ?? {};
    let raw: Uint8Array;
    if (typeof size === 'number') {
      raw = body.subarray(at, at + size);
      at += size;
    } else {
      raw = o.data === undefined ? new Uint8Array(0) : jsonOutputBytes(o.datatype, o.data);
    }
    return new InferOutput(o.name, o.datatype, o.shape, raw, parameters as Parameters);
  });
  return inferResult(header.model_name, header.model_version, header.id, header.parameters ?? {}, outputs);
}

/** A JSON output's values as wire bytes (JSON mode only; int64 values past 2^53 arrive rounded by JSON.parse). */
function jsonOutputBytes(datatype: InferOutput['datatype'], data: unknown[]): Uint8Array {
  if (datatype === 'BYTES') return encodeBytesTensor(data as string[]);
  const values = data as (number | boolean)[];
  const input = { name: '', datatype, shape: [values.length] } as const;
  switch (datatype) {
    case 'BOOL': return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'INT64': return inputBytes({ ...input, data: BigInt64Array.from(values, (v) => BigInt(v as number)) });
    case 'UINT64': return inputBytes({ ...input, data: BigUint64Array.from(values, (v) => BigInt(v as number)) });
    case 'FP16': case 'BF16': throw new TypeError(`${datatype} outputs cannot come as JSON`);
    default: {
      const Typed = { UINT8: Uint8Array, UINT16: Uint16Array, UINT32: Uint32Array, INT8: Int8Array, INT16: Int16Array, INT32: Int32Array, FP32: Float32Array, FP64: Float64Array }[datatype];
      const typed = Typed.from(values as number[]);
      return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
    }
  }
}
