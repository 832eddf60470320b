/**
 * protos/grpc_service.proto (Triton's GRPCInferenceService, package `inference`) and protos/health.proto
 * (grpc.health.v1 Health) loaded with @grpc/proto-loader into grpc-js service definitions, plus the TypeScript shape of
 * the plain objects that proto-loader hands to handlers for the inference messages.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** Directory of the .proto files (also the import root: grpc_service.proto imports model_config.proto). */
export const GRPC_PROTO_DIR: string = fileURLToPath(new URL('../../../protos/', import.meta.url));
export const GRPC_SERVICE_PROTO = 'grpc_service.proto';
export const HEALTH_PROTO = 'health.proto';
export const RELEASE_PROTO = 'nereid_release.proto';

/**
 * How messages become plain objects (deserialize: `Type.toObject(Type.decode(buffer), options)`):
 * - keepCase: proto field names (`raw_input_contents`), the names the rest of the server and Triton's JSON use.
 * - longs: String: int64/uint64 as decimal strings, exact over the whole 64-bit range (Number would round past 2^53,
 *   Long objects would leak a foreign type into handlers). Outgoing messages may use numbers or strings.
 * - enums: String: enum names (`'SERVING'`, `'TYPE_FP32'`).
 * - defaults: true: every scalar, repeated and map field is present; an unset sub-message reads as null, so
 *   `contents === null` is Triton's `!has_contents()`.
 * - oneofs: true: `parameter_choice` names the oneof member that is set (unset members are absent).
 * - bytes left unset (neither String nor Array): protobufjs then keeps the Buffers its reader sliced out of the
 *   received message, i.e. views without copies, which is what raw tensor data must be.
 */
export const GRPC_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [GRPC_PROTO_DIR],
};

export interface GrpcDefinitions {
  /** Package `inference`: `inference.GRPCInferenceService.service` is the definition for `server.addService`. */
  readonly inference: { readonly GRPCInferenceService: grpc.ServiceClientConstructor };
  /** Package `grpc.health.v1`: `health.Health.service`. */
  readonly health: { readonly Health: grpc.ServiceClientConstructor };
  /** Package `nereid`: nereid's own GrayRelease service. */
  readonly nereid: { readonly GrayRelease: grpc.ServiceClientConstructor };
}

let loaded: GrpcDefinitions | undefined;

/** Loads (once) both protos; the constructors double as clients (`new def.inference.GRPCInferenceService(...)`). */
export function loadGrpcDefinitions(): GrpcDefinitions {
  if (loaded !== undefined) return loaded;
  const packageDefinition = protoLoader.loadSync([GRPC_SERVICE_PROTO, HEALTH_PROTO, RELEASE_PROTO], GRPC_LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(packageDefinition);
  const inference = root.inference as grpc.GrpcObject;
  const health = ((root.grpc as grpc.GrpcObject).health as grpc.GrpcObject).v1 as grpc.GrpcObject;
  loaded = {
    inference: { GRPCInferenceService: inference.GRPCInferenceService as grpc.ServiceClientConstructor },
    health: { Health: health.Health as grpc.ServiceClientConstructor },
    nereid: { GrayRelease: (root.nereid as grpc.GrpcObject).GrayRelease as grpc.ServiceClientConstructor },
  };
  return loaded;
}

/** `inference.GRPCInferenceService`, for `server.addService(inferenceServiceDefinition, handlers)`. */
export const inferenceServiceDefinition: grpc.ServiceDefinition =
  loadGrpcDefinitions().inference.GRPCInferenceService.service;

/** What ModelStreamInfer's reader yields for a message that does not parse as a ModelInferRequest. */
export const UNDECODABLE_MESSAGE: unique symbol = Symbol('undecodable ModelInferRequest');
export type UndecodableMessage = typeof UNDECODABLE_MESSAGE;

/**
 * The definition the server registers: inferenceServiceDefinition, except that ModelStreamInfer's request
 * deserializer answers UNDECODABLE_MESSAGE instead of throwing. grpc-js ends a call with INTERNAL the moment a
 * deserializer throws, racing the responses still being written; Triton's reader instead treats an unparsable message
 * as the end of the client's writes, so the handler needs to see it in order.
 */
export const inferenceServerDefinition: grpc.ServiceDefinition = lenientStreamReads(inferenceServiceDefinition);

function lenientStreamReads(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const stream = service.ModelStreamInfer!;
  const decode = stream.requestDeserialize;
  const requestDeserialize = (bytes: Buffer): unknown => {
    try {
      return decode(bytes);
    } catch {
      return UNDECODABLE_MESSAGE;
    }
  };
  return { ...service, ModelStreamInfer: { ...stream, requestDeserialize } };
}

/** `nereid.GrayRelease`: ModelRelease. */
export const releaseServiceDefinition: grpc.ServiceDefinition = loadGrpcDefinitions().nereid.GrayRelease.service;

/** `grpc.health.v1.Health` (Check; Watch has no handler and answers UNIMPLEMENTED). */
export const healthServiceDefinition: grpc.ServiceDefinition = loadGrpcDefinitions().health.Health.service;

// ---- Plain message shapes (as deserialized with GRPC_LOADER_OPTIONS) ----

/** A 64-bit integer as proto-loader hands it out: a decimal string (outgoing messages may also carry numbers). */
export type Int64 = string;

/** The member names of InferParameter's `parameter_choice` oneof. */
export type InferParameterChoice = 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';

/** InferParameter: exactly one member set (when any), named by `parameter_choice`. */
export interface InferParameter {
  readonly bool_param?: boolean;
  readonly int64_param?: Int64 | number;
  readonly string_param?: string;
  readonly double_param?: number;
  readonly uint64_param?: Int64 | number;
  readonly parameter_choice?: InferParameterChoice;
}

export type InferParameterMap = Readonly<Record<string, InferParameter>>;

/** InferTensorContents: the typed repeated fields (all present, empty when unused). */
export interface InferTensorContents {
  readonly bool_contents: readonly boolean[];
  /** INT8, INT16 and INT32 elements. */
  readonly int_contents: readonly number[];
  readonly int64_contents: readonly (Int64 | number)[];
  /** UINT8, UINT16 and UINT32 elements. */
  readonly uint_contents: readonly number[];
  readonly uint64_contents: readonly (Int64 | number)[];
  readonly fp32_contents: readonly number[];
  readonly fp64_contents: readonly number[];
  /** BYTES elements, without length prefixes. */
  readonly bytes_contents: readonly Uint8Array[];
}

/** ModelInferRequest.InferInputTensor. */
export interface InferInputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly (Int64 | number)[];
  readonly parameters: InferParameterMap;
  /** null (or absent) when the message has no `contents`. */
  readonly contents?: InferTensorContents | null;
}

/** ModelInferRequest.InferRequestedOutputTensor. */
export interface InferRequestedOutputTensor {
  readonly name: string;
  readonly parameters: InferParameterMap;
}

export interface ModelInferRequest {
  readonly model_name: string;
  /** '' = chosen by the version policy. */
  readonly model_version: string;
  readonly id: string;
  readonly parameters: InferParameterMap;
  readonly inputs: readonly InferInputTensor[];
  readonly outputs: readonly InferRequestedOutputTensor[];
  /** Views into the received message. */
  readonly raw_input_contents: readonly Uint8Array[];
}

/** ModelInferResponse.InferOutputTensor (nereid never fills `contents`, as Triton). */
export interface InferOutputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly (Int64 | number)[];
  readonly parameters: InferParameterMap;
  readonly contents?: InferTensorContents | null;
}

export interface ModelInferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters: InferParameterMap;
  readonly outputs: readonly InferOutputTensor[];
  /** One entry per output, in `outputs` order. */
  readonly raw_output_contents: readonly Uint8Array[];
}

export interface ModelStreamInferResponse {
  /** '' on success. */
  readonly error_message: string;
  readonly infer_response: ModelInferResponse | null;
}
