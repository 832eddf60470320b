/**
 * InferParameter maps of the gRPC infer messages: reading them with the type rules of Triton's gRPC frontend
 * (SetInferenceRequestMetadata, SetStateParameterFromTritonParameter, ParseSharedMemoryParams,
 * ParseClassificationParams; same checks, texts and codes) and converting between InferParameter and the internal
 * ParameterValue.
 */
import { invalidArg, type ServerError } from '../../protocol/errors.ts';
import type { ParameterValue, Parameters, SharedMemoryPlace } from '../../protocol/inference.ts';
import type { InferParameter, InferParameterChoice, InferParameterMap } from './grpc-protos.ts';

const CHOICES: readonly InferParameterChoice[] = [
  'bool_param',
  'int64_param',
  'string_param',
  'double_param',
  'uint64_param',
];

/** The `triton_`-prefixed request parameter keys clients may send (Triton's TRITON_RESERVED_REQUEST_PARAMS). */
const RESERVED_TRITON_KEYS: readonly string[] = ['triton_enable_empty_final_response'];

/** The oneof member that is set: `parameter_choice` when present (deserialized messages), else the first set member. */
export function parameterChoice(parameter: InferParameter): InferParameterChoice | undefined {
  if (parameter.parameter_choice !== undefined) return parameter.parameter_choice;
  return CHOICES.find((choice) => parameter[choice] !== undefined && parameter[choice] !== null);
}

/** A 64-bit integer from its decimal string: a number when exactly representable, else a bigint. */
export function int64Value(value: string | number): number | bigint {
  if (typeof value === 'number') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

/** The value of the set member (undefined when none is set). */
export function parameterValue(parameter: InferParameter): ParameterValue | undefined {
  switch (parameterChoice(parameter)) {
    case 'bool_param':
      return parameter.bool_param!;
    case 'int64_param':
      return int64Value(parameter.int64_param!);
    case 'string_param':
      return parameter.string_param!;
    case 'double_param':
      return parameter.double_param!;
    case 'uint64_param':
      return int64Value(parameter.uint64_param!);
    default:
      return undefined;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An internal parameter value as InferParameter, the way Triton writes response parameters: bool → bool_param,
 * string → string_param, integers → int64_param (uint64_param above the int64 range), other numbers →
 * double_param.
 */
export function toInferParameter(value: ParameterValue): InferParameter {
  switch (typeof value) {
    case 'boolean':
      return { bool_param: value };
    case 'string':
      return { string_param: value };
    case 'bigint':
      if (value >= INT64_MIN && value <= INT64_MAX) return { int64_param: value.toString() };
      return { uint64_param: value.toString() };
    default:
      if (Number.isSafeInteger(value)) return { int64_param: String(value) };
      if (Number.isInteger(value) && BigInt(value) >= INT64_MIN && BigInt(value) <= INT64_MAX) {
        return { int64_param: BigInt(value).toString() };
      }
      return { double_param: value };
  }
}

/** Every entry of `parameters` as InferParameter, in key order. */
export function toInferParameterMap(parameters: Parameters): Record<string, InferParameter> {
  const out: Record<string, InferParameter> = {};
  for (const key of Object.keys(parameters)) out[key] = toInferParameter(parameters[key]!);
  return out;
}

export interface GrpcRequestParameters {
  /** What the core sees: every key but the `triton_` ones; undefined when nothing is left. */
  readonly parameters: Parameters | undefined;
  /** triton_enable_empty_final_response (default false): a stream state option, not passed to the core. */
  readonly enableEmptyFinalResponse: boolean;
}

/**
 * Request parameters with Triton's type rules: sequence_id int64 or string (uint64 refused), sequence_start and
 * sequence_end bool, priority int64 (>= 0) or uint64, timeout int64, `triton_` keys refused except
 * triton_enable_empty_final_response (bool), any other key int64, bool, string or double. Checked in key order, the
 * first failure wins.
 */
export function readRequestParameters(map: InferParameterMap): GrpcRequestParameters {
  let parameters: Record<string, ParameterValue> | undefined;
  let enableEmptyFinalResponse = false;
  for (const key of Object.keys(map)) {
    const parameter = map[key]!;
    const choice = parameterChoice(parameter);
    switch (key) {
      case 'sequence_id':
        if (choice !== 'int64_param' && choice !== 'string_param') {
          throw invalidArg("invalid value type for 'sequence_id' parameter, expected int64_param or string_param.");
        }
        break;
      case 'sequence_start':
      case 'sequence_end':
        if (choice !== 'bool_param') throw expectedBool(key);
        break;
      case 'priority':
        if (choice === 'int64_param') {
          if (int64Value(parameter.int64_param!) < 0) {
            throw invalidArg("invalid value for 'priority', expected value >= 0.");
          }
        } else if (choice !== 'uint64_param') {
          throw invalidArg("invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
        }
        break;
      case 'timeout':
        if (choice !== 'int64_param') {
          throw invalidArg("invalid value type for 'timeout' parameter, expected int64_param.");
        }
        break;
      default:
        if (key.startsWith('triton_')) {
          if (!RESERVED_TRITON_KEYS.includes(key)) {
            throw invalidArg(
              "parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys " +
                `starting with 'triton_' are allowed: ${RESERVED_TRITON_KEYS.join(' ')}`,
            );
          }
          if (choice !== 'bool_param') throw expectedBool(key);
          enableEmptyFinalResponse = parameter.bool_param!;
          continue;
        }
        // Triton accepts double_param here but still names only the first three in its message.
        if (choice === undefined || choice === 'uint64_param') {
          throw invalidArg(
            `invalid value type for '${key}' parameter, expected int64_param, bool_param, or string_param.`,
          );
        }
    }
    parameters ??= {};
    parameters[key] = parameterValue(parameter)!;
  }
  return { parameters, enableEmptyFinalResponse };
}

function expectedBool(key: string): ServerError {
  return invalidArg(`invalid value type for '${key}' parameter, expected bool_param.`);
}

/**
 * Triton's ParseSharedMemoryParams for an input or requested output: the region (string), offset and byte size
 * (int64) type checks and their dependencies. Returns where the tensor lives when it asks for shared memory.
 */
export function sharedMemoryPlace(tensorName: string, map: InferParameterMap): SharedMemoryPlace | undefined {
  let region: string | undefined;
  const regionParameter = map['shared_memory_region'];
  if (regionParameter !== undefined) {
    if (parameterChoice(regionParameter) !== 'string_param') {
      throw invalidArg(
        `invalid value type for 'shared_memory_region' parameter for tensor '${tensorName}', expected string_param.`,
      );
    }
    region = regionParameter.string_param!;
  }
  for (const key of ['shared_memory_offset', 'shared_memory_byte_size'] as const) {
    const parameter = map[key];
    if (parameter === undefined) continue;
    if (region === undefined) {
      throw invalidArg(
        `'${key}' can not be specified without 'shared_memory_region' parameter for tensor '${tensorName}'`,
      );
    }
    if (parameterChoice(parameter) !== 'int64_param') {
      throw invalidArg(`invalid value type for '${key}' parameter for tensor '${tensorName}', expected int64_param.`);
    }
  }
  if (region === undefined) return undefined;
  if (map['shared_memory_byte_size'] === undefined) {
    throw invalidArg(
      `'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor ` +
        `'${tensorName}'`,
    );
  }
  const offset = map['shared_memory_offset'] === undefined ? 0 : Number(int64Value(map['shared_memory_offset'].int64_param!));
  return { region, offset, byteSize: Number(int64Value(map['shared_memory_byte_size'].int64_param!)) };
}

/** Triton's ParseClassificationParams: the requested class count (int64 >= 1), undefined when not asked for. */
export function classificationCount(map: InferParameterMap): number | bigint | undefined {
  const parameter = map['classification'];
  if (parameter === undefined) return undefined;
  if (parameterChoice(parameter) !== 'int64_param') {
    throw invalidArg("invalid value type for 'classification' parameter, expected int64_param");
  }
  const count = int64Value(parameter.int64_param!);
  if (count <= 0) throw invalidArg("invalid value for 'classification' parameter, expected >= 1");
  return count;
}
