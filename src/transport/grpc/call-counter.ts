/**
 * Counts the gRPC calls in progress (unary and streaming alike), for graceful shutdown: a call counts from its start
 * until its status is sent or the client cancels it, whichever comes first.
 */
import { ServerInterceptingCall, type ServerInterceptor } from '@grpc/grpc-js';

/** A live count and the server interceptor that keeps it. */
export interface CallCounter {
  readonly active: number;
  readonly interceptor: ServerInterceptor;
}

export function callCounter(): CallCounter {
  const counter = {
    active: 0,
    interceptor: ((_method, call) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        counter.active--;
      };
      counter.active++;
      return new ServerInterceptingCall(call, {
        start: (next) => next({ onCancel: finish }),
        sendStatus: (status, next) => {
          finish();
          next(status);
        },
      });
    }) satisfies ServerInterceptor,
  };
  return counter;
}
