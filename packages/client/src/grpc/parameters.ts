/**
 * InferParameter, the oneof that carries request, tensor and response parameters on gRPC, to and from the plain
 * values of `Parameters`. The member is chosen by the JavaScript type, as tritonclient does: boolean → bool_param,
 * string → string_param, bigint or integer number → int64_param (uint64_param above the int64 range), any other
 * number → double_param. 64-bit values come back as numbers when exact, else as bigints.
 */
import type { ParameterValue, Parameters } from '../infer-types.ts';
import type { InferParameter, InferParameter__Output } from './generated/inference/InferParameter.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A 64-bit integer member for `value`, or undefined when it fits neither int64 nor uint64. */
function integerParameter(value: bigint): InferParameter | undefined {
  if (value >= INT64_MIN && value <= INT64_MAX) return { int64_param: value.toString() };
  if (value > INT64_MAX && value <= UINT64_MAX) return { uint64_param: value.toString() };
  return undefined;
}

/** `value` as the InferParameter member its type calls for. */
export function toInferParameter(value: ParameterValue): InferParameter {
  switch (typeof value) {
    case 'boolean':
      return { bool_param: value };
    case 'string':
      return { string_param: value };
    case 'bigint': {
      const parameter = integerParameter(value);
      if (parameter === undefined) throw new RangeError(`parameter value ${value} fits neither int64 nor uint64`);
      return parameter;
    }
    default:
      // Integers past 2^53 are exact doubles too: BigInt() writes all their digits. Past 64 bits they go as doubles.
      return (Number.isInteger(value) ? integerParameter(BigInt(value)) : undefined) ?? { double_param: value };
  }
}

/** Every entry as an InferParameter (undefined when there is none, so that empty maps are not sent). */
export function toInferParameters(parameters: Parameters | undefined): Record<string, InferParameter> | undefined {
  if (parameters === undefined) return undefined;
  const entries = Object.entries(parameters);
  return entries.length === 0 ? undefined : Object.fromEntries(entries.map(([k, v]) => [k, toInferParameter(v)]));
}

/** A 64-bit integer's decimal text as a number when exactly representable, else as a bigint. */
export function int64Value(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The value of the member that is set (undefined when none is). */
export function parameterValue(parameter: InferParameter__Output): ParameterValue | undefined {
  switch (parameter.parameter_choice) {
    case 'bool_param': return parameter.bool_param;
    case 'string_param': return parameter.string_param;
    case 'double_param': return parameter.double_param;
    case 'int64_param': return parameter.int64_param === undefined ? undefined : int64Value(parameter.int64_param);
    case 'uint64_param': return parameter.uint64_param === undefined ? undefined : int64Value(parameter.uint64_param);
    default: return undefined;
  }
}

/** A received parameter map as plain values (entries with no member set are left out). */
export function fromInferParameters(map: Readonly<Record<string, InferParameter__Output>> | undefined): Parameters {
  const out: Parameters = {};
  for (const [key, parameter] of Object.entries(map ?? {})) {
    const value = parameterValue(parameter);
    if (value !== undefined) out[key] = value;
  }
  return out;
}
