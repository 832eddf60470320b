/**
 * Decodes a gRPC ModelInferRequest into the internal InferRequest, following Triton's gRPC frontend
 * (SetInferenceRequestMetadata, then InferGRPCToInput, then the requested-output half of InferAllocatorPayload) check
 * for check: same order, texts and codes. Raw input contents stay views into the received message; typed `contents`
 * become little-endian bytes (BYTES framed with u32 length prefixes).
 *
 * Triton behaviours kept on purpose:
 * - `raw_input_contents` entries are taken in order by the inputs that have neither shared memory nor `contents`;
 *   surplus entries are ignored (Triton has no check for them), a missing one is `unable to find data ...`.
 * - `contents` is refused as soon as any raw content is present, even if that input would need none.
 * - `int_contents`/`uint_contents` for INT8/INT16/UINT8/UINT16 keep the low bytes of each 32-bit value (C truncation).
 * - Element counts are not checked here: the core's byte-size and BYTES-framing checks answer a count that does not
 *   fit the shape, with Triton's texts.
 *
 * nereid's own: shared memory is not supported yet, so every region reads as unregistered (Triton's NOT_FOUND for an
 * unregistered region); an unknown datatype on an input with raw data fails
 * with the HTTP endpoint's `invalid datatype for input <name>` (Triton's core would name the model's expected type),
 * after every other decoder check, as in Triton.
 */
import { encodeBytesElements } from '../../protocol/bytes-codec.ts';
import { NO_SHARED_MEMORY, type SharedMemoryAccess } from '../../core/system-shared-memory.ts';
import { isDatatype, type Datatype } from '../../protocol/datatypes.ts';
import { invalidArg } from '../../protocol/errors.ts';
import type { InferRequest, InputTensor, Parameters, RequestedOutput } from '../../protocol/inference.ts';
import type {
  InferInputTensor,
  InferRequestedOutputTensor,
  InferTensorContents,
  ModelInferRequest,
} from './grpc-protos.ts';
import {
  classificationCount,
  readRequestParameters,
  sharedMemoryPlace,
} from './infer-parameters.ts';

export interface DecodedGrpcInferRequest {
  readonly modelName: string;
  /** As sent; '' = chosen by the version policy. */
  readonly version: string;
  readonly request: InferRequest;
  /** The request's triton_enable_empty_final_response (streams only). */
  readonly enableEmptyFinalResponse: boolean;
}

const EMPTY = new Uint8Array(0);

/** Triton's datatype name for a protocol string: itself when known, `<invalid>` otherwise. */
type TritonDatatype = Datatype | '<invalid>';

/** Decodes `message`; throws ServerError with Triton's code and text on the first problem. */
export function decodeGrpcInferRequest(message: ModelInferRequest, sharedMemory: SharedMemoryAccess = NO_SHARED_MEMORY): DecodedGrpcInferRequest {
  const model = message.model_name;
  const { parameters, enableEmptyFinalResponse } = readRequestParameters(message.parameters);
  const located = locateInputData(message, model, sharedMemory);
  const outputs = readRequestedOutputs(message.outputs, sharedMemory);

  const inputs = new Array<InputTensor>(located.length);
  for (let i = 0; i < located.length; i++) {
    const { tensor, data } = located[i]!;
    if (!isDatatype(tensor.datatype)) throw invalidArg(`invalid datatype for input ${tensor.name}`);
    inputs[i] = { name: tensor.name, datatype: tensor.datatype, shape: readShape(tensor.shape), data };
  }

  const request: { id?: string; inputs: InputTensor[]; outputs?: RequestedOutput[]; parameters?: Parameters } = {
    inputs,
  };
  if (message.id !== '') request.id = message.id;
  if (outputs.length > 0) request.outputs = outputs;
  if (parameters !== undefined) request.parameters = parameters;
  return { modelName: model, version: message.model_version, request, enableEmptyFinalResponse };
}

interface LocatedInput {
  readonly tensor: InferInputTensor;
  readonly data: Uint8Array;
}

/** Triton's InferGRPCToInput: each input's data from shared memory, `contents` or the next raw entry, in order. */
function locateInputData(message: ModelInferRequest, model: string, sharedMemory: SharedMemoryAccess): LocatedInput[] {
  const raw = message.raw_input_contents;
  let rawIndex = 0;
  return message.inputs.map((tensor) => {
    const place = sharedMemoryPlace(tensor.name, tensor.parameters);
    const contents = tensor.contents ?? undefined;
    if (place !== undefined) {
      if (contents !== undefined) {
        throw invalidArg(
          `unexpected 'content' provided when using shared memory for input tensor '${tensor.name}' for model ` +
            `'${model}'`,
        );
      }
      return { tensor, data: sharedMemory.read(place) };
    }
    if (contents !== undefined) {
      if (raw.length > 0) {
        throw invalidArg(
          `contents field must not be specified when using raw_input_contents for '${tensor.name}' for model ` +
            `'${model}'`,
        );
      }
      return { tensor, data: contentsToBytes(tensor, contents, model) };
    }
    if (rawIndex < raw.length) return { tensor, data: raw[rawIndex++]! };
    throw invalidArg(`unable to find data for input tensor '${tensor.name}' for model '${model}' in request.`);
  });
}

/**
 * The typed contents as tensor bytes. Like Triton, every non-empty field is checked in proto order against the
 * input's datatype, and a second non-empty field is refused.
 */
function contentsToBytes(tensor: InferInputTensor, contents: InferTensorContents, model: string): Uint8Array {
  const datatype: TritonDatatype = isDatatype(tensor.datatype) ? tensor.datatype : '<invalid>';
  let data: Uint8Array = EMPTY;
  const take = (fieldType: Datatype, convert: () => Uint8Array): void => {
    const prefix = `unexpected explicit tensor data for input tensor '${tensor.name}' for model '${model}'`;
    if (data.byteLength !== 0) throw invalidArg(`${prefix}, binary data was already supplied.`);
    if (fieldType !== datatype) {
      throw invalidArg(`${prefix} of type '${fieldType}', expected datatype '${datatype}'`);
    }
    data = convert();
  };

  const { bool_contents, int_contents, int64_contents, uint_contents, uint64_contents } = contents;
  const { fp32_contents, fp64_contents, bytes_contents } = contents;
  if (bool_contents.length > 0) take('BOOL', () => Uint8Array.from(bool_contents, (b) => (b ? 1 : 0)));
  if (int_contents.length > 0) {
    if (datatype === 'INT8') take('INT8', () => bytesOf(Int8Array.from(int_contents)));
    else if (datatype === 'INT16') take('INT16', () => bytesOf(Int16Array.from(int_contents)));
    else take('INT32', () => bytesOf(Int32Array.from(int_contents)));
  }
  if (int64_contents.length > 0) take('INT64', () => bytesOf(BigInt64Array.from(int64_contents, (v) => BigInt(v))));
  if (uint_contents.length > 0) {
    if (datatype === 'UINT8') take('UINT8', () => Uint8Array.from(uint_contents));
    else if (datatype === 'UINT16') take('UINT16', () => bytesOf(Uint16Array.from(uint_contents)));
    else take('UINT32', () => bytesOf(Uint32Array.from(uint_contents)));
  }
  if (uint64_contents.length > 0) {
    take('UINT64', () => bytesOf(BigUint64Array.from(uint64_contents, (v) => BigInt(v))));
  }
  if (fp32_contents.length > 0) take('FP32', () => bytesOf(Float32Array.from(fp32_contents)));
  if (fp64_contents.length > 0) take('FP64', () => bytesOf(Float64Array.from(fp64_contents)));
  if (bytes_contents.length > 0) take('BYTES', () => encodeBytesElements(bytes_contents));
  return data;
}

/** Requested outputs with Triton's parameter checks (with their class counts); shared memory is refused for now. */
function readRequestedOutputs(requested: readonly InferRequestedOutputTensor[], sharedMemory: SharedMemoryAccess): RequestedOutput[] {
  return requested.map((output) => {
    const place = sharedMemoryPlace(output.name, output.parameters);
    const classes = classificationCount(output.parameters);
    if (place !== undefined && classes !== undefined) {
      throw invalidArg("output can't set both 'shared_memory_region' and 'classification'");
    }
    if (place !== undefined) sharedMemory.check(place);
    return {
      name: output.name,
      ...(classes === undefined ? {} : { classCount: Number(classes) }),
      ...(place === undefined ? {} : { sharedMemory: place }),
    };
  });
}

/** int64 dims as numbers; values beyond 2^53 lose precision and are refused by the core's shape check. */
function readShape(shape: readonly (string | number)[]): number[] {
  const dims = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) dims[i] = Number(shape[i]);
  return dims;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
