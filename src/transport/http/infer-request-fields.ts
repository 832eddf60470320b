/**
 * The non-tensor parts of an infer request JSON: `id`, request `parameters` and `outputs`, with the checks, texts and
 * codes of Triton's HTTP frontend (ParseJsonTritonRequestID, ParseJsonTritonParams, the outputs half of
 * ParseJsonTritonIO). Shared memory is not supported yet: every region reads as unregistered, which is exactly what
 * Triton answers for an unregistered region (NOT_FOUND). Classification outputs are not supported yet either
 * (UNSUPPORTED, so HTTP 501: a valid request for a feature this server does not implement).
 */
import { invalidArg } from '../../protocol/errors.ts';
import type { SharedMemoryAccess } from '../../core/system-shared-memory.ts';
import type { Parameters, RequestedOutput, SharedMemoryPlace } from '../../protocol/inference.ts';
import {
  fieldError,
  hasMember,
  isJsonObject,
  isUint,
  memberAsArray,
  memberAsString,
  NOT_BOOL,
  NOT_OBJECT_MEMBERS,
  NOT_STRING,
  NOT_UINT,
} from './json-fields.ts';

/** The request id when `id` is present (echoed in the response only when non-empty). */
export function readRequestId(root: unknown): string | undefined {
  if (!hasMember(root, 'id')) return undefined;
  const id = root.id;
  if (typeof id !== 'string') throw fieldError("Unable to parse 'id'", NOT_STRING);
  return id;
}

export interface RequestParameters {
  /** Everything but binary_data_output, absent when nothing is left. */
  readonly parameters: Parameters | undefined;
  /** binary_data_output (default false). */
  readonly defaultBinary: boolean;
}

const NO_PARAMETERS: RequestParameters = { parameters: undefined, defaultBinary: false };

/**
 * Request `parameters`: the reserved keys are type-checked (sequence_id uint64 or string; sequence_start/end bool;
 * priority, timeout uint64; binary_data_output bool), `triton_` keys are refused, and any other key must be a string,
 * number or bool. All but binary_data_output are passed on as they are.
 */
export function readRequestParameters(root: unknown): RequestParameters {
  if (!hasMember(root, 'parameters')) return NO_PARAMETERS;
  const json = root.parameters;
  if (!isJsonObject(json)) throw fieldError('failed to get request params.', NOT_OBJECT_MEMBERS);
  let parameters: Record<string, boolean | number | string> | undefined;
  let defaultBinary = false;
  for (const key of Object.keys(json)) {
    const value = json[key];
    switch (key) {
      case 'sequence_id':
        if (!isUint(value) && typeof value !== 'string') throw fieldError("Unable to parse 'sequence_id'", NOT_STRING);
        break;
      case 'sequence_start':
      case 'sequence_end':
        if (typeof value !== 'boolean') throw fieldError(`Unable to parse '${key}'`, NOT_BOOL);
        break;
      case 'priority':
      case 'timeout':
        if (!isUint(value)) throw fieldError(`Unable to parse '${key}'`, NOT_UINT);
        break;
      case 'binary_data_output':
        if (typeof value !== 'boolean') throw fieldError("Unable to parse 'binary_data_output'", NOT_BOOL);
        defaultBinary = value;
        continue;
      default:
        if (key.startsWith('triton_')) {
          throw invalidArg(
            "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.",
          );
        }
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw invalidArg(`parameter '${key}' has invalid type. It should be either 'int', 'bool', or 'string'.`);
        }
    }
    parameters ??= {};
    parameters[key] = value as boolean | number | string;
  }
  return { parameters, defaultBinary };
}

export interface RequestedOutputs {
  /** Absent when the request lists no outputs (every model output is returned). */
  readonly outputs: readonly RequestedOutput[] | undefined;
  /** Output name → binary_data, for the listed outputs (the first listing wins, as in Triton's map). */
  readonly listed: ReadonlyMap<string, boolean>;
}

const NO_OUTPUTS: RequestedOutputs = { outputs: undefined, listed: new Map() };

/** Request `outputs`: names, binary_data, and the shared-memory and classification parameters Triton checks. */
export function readRequestedOutputs(root: unknown, sharedMemory: SharedMemoryAccess): RequestedOutputs {
  if (!hasMember(root, 'outputs')) return NO_OUTPUTS;
  const json = memberAsArray(root, 'outputs', "Unable to parse 'outputs'");
  if (json.length === 0) return NO_OUTPUTS;
  const outputs = new Array<RequestedOutput>(json.length);
  const listed = new Map<string, boolean>();
  for (let i = 0; i < json.length; i++) {
    const output = json[i];
    const params = hasMember(output, 'parameters') ? output.parameters : undefined;
    checkOutputParameterCombination(params);
    const name = memberAsString(output, 'name', "Unable to parse 'name'");
    let classes = 0;
    if (hasMember(params, 'classification')) {
      const value = params.classification;
      if (!isUint(value)) throw fieldError("Unable to set 'classification'", NOT_UINT);
      classes = value;
    }
    const place = sharedMemoryPlace(params);
    if (place !== undefined) sharedMemory.check(place);
    let binary = false;
    if (hasMember(params, 'binary_data')) {
      const value = params.binary_data;
      if (typeof value !== 'boolean') throw fieldError("Unable to parse 'binary_data'", NOT_BOOL);
      binary = value;
    }
    outputs[i] = { name, ...(classes > 0 ? { classCount: classes } : {}), ...(place === undefined ? {} : { sharedMemory: place }) };
    if (!listed.has(name)) listed.set(name, binary);
  }
  return { outputs, listed };
}

/** Triton's ValidateOutputParameter: shared memory excludes classification and binary_data true. */
function checkOutputParameterCombination(params: unknown): void {
  if (!hasMember(params, 'shared_memory_region')) return;
  if (Object.hasOwn(params, 'classification')) {
    throw invalidArg("Output can't set both 'shared_memory_region' and 'classification'");
  }
  if (Object.hasOwn(params, 'binary_data')) {
    const value = params.binary_data;
    if (typeof value !== 'boolean') throw fieldError("Unable to set 'binary_data'", NOT_BOOL);
    if (value) throw invalidArg("Output can't set both 'shared_memory_region' and 'binary_data'");
  }
}

/**
 * Triton's CheckSharedMemoryData: the region name (when given) and the offset and byte size type checks. Returns where
 * the tensor lives, if it is in shared memory. A missing byte size reads as one no region can hold (tritonserver 2.51
 * then answers `Invalid offset + byte size for shared memory region`, once the region is found).
 */
export function sharedMemoryPlace(params: unknown): SharedMemoryPlace | undefined {
  let region: string | undefined;
  if (hasMember(params, 'shared_memory_region')) {
    const value = params.shared_memory_region;
    if (typeof value !== 'string') throw fieldError("Unable to parse 'shared_memory_region'", NOT_STRING);
    region = value;
  }
  let offset = 0;
  if (hasMember(params, 'shared_memory_offset')) {
    if (!isUint(params.shared_memory_offset)) throw fieldError("Unable to parse 'shared_memory_offset'", NOT_UINT);
    offset = params.shared_memory_offset;
  }
  let byteSize = Number.MAX_SAFE_INTEGER;
  if (hasMember(params, 'shared_memory_byte_size')) {
    if (!isUint(params.shared_memory_byte_size)) throw fieldError("Unable to parse 'shared_memory_byte_size'", NOT_UINT);
    byteSize = params.shared_memory_byte_size;
  }
  return region === undefined ? undefined : { region, offset, byteSize };
}
