/**
 * nereid-client/grpc: GrpcClient, the InferenceClient over Triton's gRPC service (Node.js; @grpc/grpc-js), and its
 * bidirectional inference stream. The shared types (InferInput, InferResult, InferenceServerError, ...) are in the
 * main entry point, `nereid-client`.
 */
export { GrpcClient, type GrpcClientOptions } from './grpc-client.ts';
export { InferStream, type StreamAnswer } from './stream.ts';
