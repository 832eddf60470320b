/**
 * Encodes an InferResponse for HTTP/REST: the JSON header in Triton's key order (`id` only when non-empty,
 * `model_name`, `model_version`, `parameters` only when set, `outputs`), each output as `name`, `datatype`, `shape`
 * and then either a flat `data` array or `parameters.binary_data_size` with its bytes following the JSON in outputs
 * order (zero-size outputs add no bytes); an output written to shared memory has neither. The header is built as text around pre-stringified data arrays; binary
 * outputs are passed on as the same views, never copied.
 */
import { elementCount } from '../../protocol/datatypes.ts';
import type { InferResponse, ParameterValue, Parameters } from '../../protocol/inference.ts';
import type { OutputFormat } from './infer-codec-types.ts';
import { tensorBytesToJson } from './json-tensor-data.ts';
import { rapidJsonFloatArray } from './json-float-format.ts';

export interface EncodedInferResponse {
  /** The JSON header bytes. */
  readonly json: Buffer;
  /** Binary output buffers in response outputs[] order (zero-size ones omitted). */
  readonly binaries: readonly Uint8Array[];
  /** Sum of binaries' lengths; 0 → plain application/json response, no Inference-Header-Content-Length. */
  readonly binaryLength: number;
}

/**
 * Encodes `response`, writing each output binary or JSON as `format` says. Throws Triton's errors for outputs JSON
 * cannot carry (FP16/BF16: INVALID_ARG) or whose bytes do not fit their shape (INTERNAL).
 */
export function encodeInferResponse(response: InferResponse, format: OutputFormat): EncodedInferResponse {
  let json = '{';
  if (response.id) json += `"id":${JSON.stringify(response.id)},`;
  json += `"model_name":${JSON.stringify(response.modelName)},"model_version":${JSON.stringify(response.modelVersion)}`;
  if (response.parameters !== undefined) {
    const parameters = parametersJson(response.parameters);
    if (parameters !== undefined) json += `,"parameters":${parameters}`;
  }
  json += ',"outputs":[';
  const binaries: Uint8Array[] = [];
  let binaryLength = 0;
  const outputs = response.outputs;
  for (let i = 0; i < outputs.length; i++) {
    const output = outputs[i]!;
    if (i > 0) json += ',';
    json += `{"name":${JSON.stringify(output.name)},"datatype":"${output.datatype}",`;
    json += `"shape":[${output.shape.join(',')}]`;
    const binary = format.listed.get(output.name) ?? format.defaultBinary;
    if (output.sharedMemory !== undefined) {
      // Written to its shared-memory region: Triton's response names it and nothing else.
      json += '}';
    } else if (binary) {
      const size = output.data.byteLength;
      json += `,"parameters":{"binary_data_size":${size}}}`;
      if (size > 0) {
        binaries.push(output.data);
        binaryLength += size;
      }
    } else {
      const count = elementCount(output.shape);
      const data =
        rapidJsonFloatArray(output.datatype, output.data, count) ??
        tensorBytesToJson(output.name, output.datatype, output.data, count);
      json += `,"data":${data}}`;
    }
  }
  json += ']}';
  return { json: Buffer.from(json, 'utf8'), binaries, binaryLength };
}

/** The response parameters object, or undefined when there are none (Triton then omits the key). */
function parametersJson(parameters: Parameters): string | undefined {
  let json = '';
  for (const key of Object.keys(parameters)) {
    json += `${json === '' ? '{' : ','}${JSON.stringify(key)}:${parameterValueJson(parameters[key]!)}`;
  }
  return json === '' ? undefined : `${json}}`;
}

function parameterValueJson(value: ParameterValue): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      // Integers print as digits (BigInt avoids 1e+21 forms); NaN/±Infinity as in data arrays (see json-tensor-data).
      return Number.isInteger(value) && Math.abs(value) >= 1e21 ? BigInt(value).toString() : String(value);
  }
}
