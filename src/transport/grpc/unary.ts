/** Adapts a plain (possibly async) request → response function into a grpc-js unary handler with Triton's errors. */
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { toGrpcError } from './grpc-status.ts';

export type UnaryHandler<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

export function unary<Req, Res>(fn: (request: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>): UnaryHandler<Req, Res> {
  return (call, callback) => {
    let result: Res | Promise<Res>;
    try {
      result = fn(call.request, call);
    } catch (error) {
      callback(toGrpcError(error));
      return;
    }
    if (result instanceof Promise) result.then((value) => callback(null, value), (error: unknown) => callback(toGrpcError(error)));
    else callback(null, result);
  };
}
