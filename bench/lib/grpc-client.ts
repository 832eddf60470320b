/**
 * The load generator's gRPC side: `inference.GRPCInferenceService/ModelInfer` calls of one fixed request over one
 * channel (HTTP/2 multiplexes the calls in flight), with nereid's own service definition.
 */
import * as grpc from '@grpc/grpc-js';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import type { SendOne } from './load-generator.ts';

export interface GrpcTarget {
  readonly send: SendOne;
  close(): void;
}

type InferClient = grpc.Client & {
  ModelInfer(request: object, callback: (error: grpc.ServiceError | null) => void): grpc.ClientUnaryCall;
};

const InferenceClient = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');

/** A sender of ModelInfer(`request`) to 127.0.0.1:`port`; a call fails on any non-OK status. */
export function grpcTarget(port: number, request: object): GrpcTarget {
  const client = new InferenceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1,
  }) as unknown as InferClient;
  const send = (): Promise<void> => new Promise((resolve, reject) => {
    client.ModelInfer(request, (error) => (error === null ? resolve() : reject(new Error(error.message))));
  });
  return { send, close: () => client.close() };
}
