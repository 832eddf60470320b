/**
 * Encodes an InferResponse as a gRPC ModelInferResponse the way Triton's InferResponseCompleteCommon does: id ('' when
 * none), model name and version, response parameters, and for every output its name, datatype and shape plus exactly
 * one `raw_output_contents` entry, index-aligned with `outputs` (empty for zero-size outputs); `contents` is never
 * filled. Tensor bytes are passed on as the same views, never copied (protobuf serialization copies them once).
 * Also builds ModelStreamInferResponse messages: results carry `triton_final_response`, failures only the error text
 * and the request id.
 */
import type { InferResponse } from '../../protocol/inference.ts';
import type {
  InferOutputTensor,
  InferParameter,
  ModelInferResponse,
  ModelStreamInferResponse,
} from './grpc-protos.ts';
import { toInferParameterMap } from './infer-parameters.ts';

/**
 * `response` as ModelInferResponse. `extraParameters` are added to the response parameters after the response's own
 * (the stream's `triton_final_response`, for instance).
 */
export function encodeGrpcInferResponse(
  response: InferResponse,
  extraParameters?: Readonly<Record<string, InferParameter>>,
): ModelInferResponse {
  const count = response.outputs.length;
  const outputs = new Array<InferOutputTensor>(count);
  const raw = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    const output = response.outputs[i]!;
    outputs[i] = { name: output.name, datatype: output.datatype, shape: output.shape.map(String), parameters: {} };
    raw[i] = output.data;
  }
  let parameters: Record<string, InferParameter> =
    response.parameters === undefined ? {} : toInferParameterMap(response.parameters);
  if (extraParameters !== undefined) parameters = { ...parameters, ...extraParameters };
  return {
    model_name: response.modelName,
    model_version: response.modelVersion,
    id: response.id ?? '',
    parameters,
    outputs,
    raw_output_contents: raw,
  };
}

const FINAL: Readonly<Record<string, InferParameter>> = { triton_final_response: { bool_param: true } };
const NOT_FINAL: Readonly<Record<string, InferParameter>> = { triton_final_response: { bool_param: false } };

/**
 * A stream result, from the internal response or one already encoded with encodeGrpcInferResponse. `final` (default
 * true: one response per request) is the request's last-response flag, carried as `parameters.triton_final_response`.
 */
export function streamResponse(response: InferResponse | ModelInferResponse, final = true): ModelStreamInferResponse {
  const flag = final ? FINAL : NOT_FINAL;
  const encoded = isEncoded(response)
    ? { ...response, parameters: { ...response.parameters, ...flag } }
    : encodeGrpcInferResponse(response, flag);
  return { error_message: '', infer_response: encoded };
}

function isEncoded(response: InferResponse | ModelInferResponse): response is ModelInferResponse {
  return (response as Partial<ModelInferResponse>).raw_output_contents !== undefined;
}

/** A failed stream request: the error text, and an otherwise empty infer_response naming the request id. */
export function streamError(id: string, message: string): ModelStreamInferResponse {
  return {
    error_message: message,
    infer_response: { model_name: '', model_version: '', id, parameters: {}, outputs: [], raw_output_contents: [] },
  };
}
