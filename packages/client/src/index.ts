/**
 * nereid-client: a typed client for the KServe v2 / Triton inference protocol. This entry point runs anywhere fetch
 * does (Node.js, browsers, Deno): HttpClient and the shared types. GrpcClient is in `nereid-client/grpc` and the
 * system shared-memory helpers in `nereid-client/shared-memory` (both Node.js only).
 */
export { HttpClient, type HttpClientOptions } from './http/http-client.ts';
export type * from './client.ts';
export { InferenceServerError } from './errors.ts';
export { InferOutput, type InferInput, type InferOptions, type InferResult, type Parameters, type ParameterValue, type RequestedOutput, type SharedMemoryRef } from './infer-types.ts';
export type { BytesElements, Datatype, NumericArray, NumericArrays, NumericDatatype, TensorData } from './datatypes.ts';
export { fromBFloat16, fromFloat16, toBFloat16, toFloat16 } from './half-precision.ts';
