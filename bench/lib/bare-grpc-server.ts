/**
 * The gRPC transport ceiling: a bare grpc-js server (run as its own process by servers.ts) with nereid's
 * GRPCInferenceService definition whose ModelInfer answers every request with the bench model's response (looked up
 * by model_name; no inference). Prints `listening <port>` once bound to 127.0.0.1.
 */
import * as grpc from '@grpc/grpc-js';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { BENCH_MODELS, grpcResponse } from './payloads.ts';

const responses = new Map(BENCH_MODELS.map((model) => [model.name as string, grpcResponse(model)]));

const server = new grpc.Server({ 'grpc.max_receive_message_length': -1 });
server.addService(inferenceServiceDefinition, {
  ModelInfer: (call: grpc.ServerUnaryCall<{ model_name: string }, object>, callback: grpc.sendUnaryData<object>) => {
    const response = responses.get(call.request.model_name);
    if (response === undefined) callback({ code: grpc.status.NOT_FOUND, details: 'unknown model' });
    else callback(null, response);
  },
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error !== null) throw error;
  console.log(`listening ${port}`);
});
process.on('SIGTERM', () => process.exit(0));
