/**
 * One unary call with the client's conventions: headers as metadata, an AbortSignal that cancels the call (which then
 * rejects with the signal's reason, and is never sent if the signal had already fired), and every failure as an
 * InferenceServerError carrying the gRPC status code and the server's message.
 */
import * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { InferenceServerError } from '../errors.ts';
import type { GRPCInferenceServiceClient, GRPCInferenceServiceDefinition } from './generated/inference/GRPCInferenceService.ts';

/** The methods the service declares (without the index signature the definition inherits from grpc-js). */
type Rpc = keyof { [K in keyof GRPCInferenceServiceDefinition as string extends K ? never : K]: unknown };
/** The unary RPCs of the service (all but ModelStreamInfer). */
export type UnaryRpc = Exclude<Rpc, 'ModelStreamInfer'>;

/** What an RPC takes (the permissive request type) and what it answers (the response as grpc-js decodes it). */
export type RequestOf<K extends UnaryRpc> = GRPCInferenceServiceDefinition[K] extends MethodDefinition<infer Req, infer _Res, infer _ReqOut, infer _ResOut> ? Req : never;
export type ResponseOf<K extends UnaryRpc> = GRPCInferenceServiceDefinition[K] extends MethodDefinition<infer _Req, infer _Res, infer _ReqOut, infer ResOut> ? ResOut : never;

/** A generated client method in its (request, metadata, options, callback) form. */
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: grpc.requestCallback<Res>,
) => grpc.ClientUnaryCall;

/**
 * The client's headers and the call's (the call's win) as gRPC metadata. Keys are lowercased by grpc-js; a `-bin` key
 * (binary metadata) carries the UTF-8 bytes of its value.
 */
export function toMetadata(...headers: (Readonly<Record<string, string>> | undefined)[]): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const set of headers) {
    for (const [key, value] of Object.entries(set ?? {})) metadata.set(key, key.toLowerCase().endsWith('-bin') ? Buffer.from(value) : value);
  }
  return metadata;
}

/** A failed call's status as the client's error: the server's message (details), no HTTP status, the gRPC code. */
export function toInferenceServerError(error: Partial<grpc.StatusObject> & Error): InferenceServerError {
  const message = error.details !== undefined && error.details !== '' ? error.details : error.message;
  return new InferenceServerError(message, undefined, error.code, { cause: error });
}

/** Calls `rpc` with `request`; resolves with the response or rejects as described above. */
export function unaryCall<K extends UnaryRpc>(
  client: GRPCInferenceServiceClient,
  rpc: K,
  request: RequestOf<K>,
  metadata: grpc.Metadata,
  signal: AbortSignal | undefined,
): Promise<ResponseOf<K>> {
  // The generated client declares each method with four overloads; this is the one with every argument.
  const method = (client[rpc] as unknown as UnaryMethod<RequestOf<K>, ResponseOf<K>>).bind(client);
  return new Promise<ResponseOf<K>>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => call.cancel();
    const call = method(request, metadata, {}, (error, response) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted === true) reject(signal.reason);
      else if (error !== null) reject(toInferenceServerError(error));
      else if (response === undefined) reject(new InferenceServerError('the server sent no response'));
      else resolve(response);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

