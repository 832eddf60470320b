/**
 * ModelInferRequest from an infer call's inputs and options, and InferResult from a ModelInferResponse. Tensor data
 * travels only in `raw_input_contents` / `raw_output_contents` (never the per-element `contents`): inputs as the views
 * inputBytes() gives, outputs as views over the received message, so no element is converted one by one.
 */
import type { Datatype } from '../datatypes.ts';
import { InferOutput, inferResult, type InferInput, type InferOptions, type InferResult, type RequestedOutput, type SharedMemoryRef } from '../infer-types.ts';
import { inputBytes } from '../input-bytes.ts';
import { shapeOf } from './conversions.ts';
import type { InferParameter } from './generated/inference/InferParameter.ts';
import type { ModelInferRequest } from './generated/inference/ModelInferRequest.ts';
import type { ModelInferResponse__Output } from './generated/inference/ModelInferResponse.ts';
import { fromInferParameters, toInferParameter, toInferParameters } from './parameters.ts';

type ParameterMap = Record<string, InferParameter>;

/** The shared-memory parameters of a tensor: region (string), byte size and offset (int64), as Triton reads them. */
function sharedMemoryParameters(ref: SharedMemoryRef): ParameterMap {
  return {
    shared_memory_region: { string_param: ref.region },
    shared_memory_byte_size: { int64_param: String(ref.byteSize) },
    ...(ref.offset === undefined ? {} : { shared_memory_offset: { int64_param: String(ref.offset) } }),
  };
}

/**
 * The request parameters: the caller's, then priority and timeout (int64_param), the sequence's correlation ID
 * (int64_param for a number or bigint, string_param for a string) and its START / END flags (bool_param).
 */
function requestParameters(options: InferOptions): ParameterMap | undefined {
  const parameters: ParameterMap = { ...toInferParameters(options.parameters) };
  if (options.priority !== undefined) parameters.priority = toInferParameter(options.priority);
  if (options.timeoutUs !== undefined) parameters.timeout = toInferParameter(options.timeoutUs);
  if (options.sequence !== undefined) {
    parameters.sequence_id = toInferParameter(options.sequence.id);
    parameters.sequence_start = { bool_param: options.sequence.start ?? false };
    parameters.sequence_end = { bool_param: options.sequence.end ?? false };
  }
  return Object.keys(parameters).length === 0 ? undefined : parameters;
}

function requestedOutput(output: string | RequestedOutput): NonNullable<ModelInferRequest['outputs']>[number] {
  const o = typeof output === 'string' ? { name: output } : output;
  const parameters: ParameterMap = { ...toInferParameters(o.parameters) };
  if (o.sharedMemory !== undefined) Object.assign(parameters, sharedMemoryParameters(o.sharedMemory));
  if (o.classCount !== undefined) parameters.classification = toInferParameter(o.classCount);
  return { name: o.name, ...(Object.keys(parameters).length === 0 ? {} : { parameters }) };
}

/**
 * The request message. Inputs in shared memory carry its parameters and no raw contents; the others' bytes go into
 * `raw_input_contents` in input order (the rule Triton and tritonclient follow). Throws TypeError when an input's
 * data does not fit its datatype and shape.
 */
export function inferRequest(model: string, inputs: readonly InferInput[], options: InferOptions): ModelInferRequest {
  const raw: Uint8Array[] = [];
  const tensors = inputs.map((input) => {
    const parameters: ParameterMap = { ...toInferParameters(input.parameters) };
    if (input.sharedMemory !== undefined) Object.assign(parameters, sharedMemoryParameters(input.sharedMemory));
    else raw.push(inputBytes(input));
    return {
      name: input.name,
      datatype: input.datatype,
      shape: [...input.shape],
      ...(Object.keys(parameters).length === 0 ? {} : { parameters }),
    };
  });
  const parameters = requestParameters(options);
  return {
    model_name: model,
    model_version: options.version === undefined ? '' : String(options.version),
    id: options.id ?? '',
    ...(parameters === undefined ? {} : { parameters }),
    inputs: tensors,
    ...(options.outputs === undefined ? {} : { outputs: options.outputs.map(requestedOutput) }),
    raw_input_contents: raw,
  };
}

/** The names of the outputs a request asks to have written to shared memory. */
export function sharedMemoryOutputs(options: InferOptions): Set<string> {
  const names = new Set<string>();
  for (const o of options.outputs ?? []) if (typeof o !== 'string' && o.sharedMemory !== undefined) names.add(o.name);
  return names;
}

const EMPTY = new Uint8Array(0);

/** A Buffer as a plain Uint8Array over the same bytes. */
function view(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The result of a response. Triton and nereid send one `raw_output_contents` entry per output, index-aligned (empty
 * for an output written to shared memory). Should a server send fewer, the entries are handed in order to the outputs
 * not in `inSharedMemory`; an output left without one has empty data.
 */
export function inferResultOf(response: ModelInferResponse__Output, inSharedMemory: ReadonlySet<string> = new Set()): InferResult {
  const raw = response.raw_output_contents;
  const aligned = raw.length === response.outputs.length;
  let next = 0;
  const outputs = response.outputs.map((o, i) => {
    const bytes = aligned ? raw[i] : inSharedMemory.has(o.name) ? undefined : raw[next++];
    return new InferOutput(o.name, o.datatype as Datatype, shapeOf(o.shape), bytes === undefined ? EMPTY : view(bytes), fromInferParameters(o.parameters));
  });
  return inferResult(response.model_name, response.model_version, response.id, fromInferParameters(response.parameters), outputs);
}
