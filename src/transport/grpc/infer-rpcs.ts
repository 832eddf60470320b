/**
 * ModelInfer and ModelStreamInfer. Both decode with the gRPC codec, call the data plane and encode the
 * response; no inference logic here. On a stream each request is answered as it completes; a failed request is
 * reported in `error_message` and the stream stays open, unless the client sent `triton_grpc_error: true`, which ends
 * the stream with the gRPC status instead. A message that does not parse ends the client's side of the stream, as in
 * Triton: the requests before it are answered and the stream ends with OK.
 */
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { DataPlane } from '../../core/data-plane.ts';
import { asServerError } from '../../protocol/errors.ts';
import { toGrpcError } from './grpc-status.ts';
import { UNDECODABLE_MESSAGE, type ModelInferRequest, type ModelInferResponse, type ModelStreamInferResponse, type UndecodableMessage } from './grpc-protos.ts';
import { decodeGrpcInferRequest } from './infer-request-decoder.ts';
import { encodeGrpcInferResponse, streamError, streamResponse } from './infer-response-encoder.ts';

async function inferOne(dataPlane: DataPlane, message: ModelInferRequest, signal: AbortSignal): Promise<ModelInferResponse> {
  const { modelName, version, request } = decodeGrpcInferRequest(message);
  const response = await dataPlane.infer(modelName, version, { ...request, signal });
  return encodeGrpcInferResponse(response);
}

export function inferRpcs(dataPlane: DataPlane) {
  return {
    ModelInfer(call: ServerUnaryCall<ModelInferRequest, ModelInferResponse>, callback: sendUnaryData<ModelInferResponse>): void {
      const gone = new AbortController();
      call.once('cancelled', () => gone.abort());
      inferOne(dataPlane, call.request, gone.signal).then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcError(error)),
      );
    },

    ModelStreamInfer(call: ServerDuplexStream<ModelInferRequest | UndecodableMessage, ModelStreamInferResponse>): void {
      const gone = new AbortController();
      const grpcErrors = call.metadata.get('triton_grpc_error')[0] === 'true';
      let pending = 0;
      let readsDone = false;
      let closed = false;
      // end() lets the status out only after every write before it has been flushed (the Writable calls _final then).
      const finish = (): void => {
        if (readsDone && pending === 0 && !closed) {
          closed = true;
          call.end();
        }
      };
      const endReads = (): void => {
        readsDone = true;
        finish();
      };
      call.on('cancelled', () => {
        closed = true;
        gone.abort();
      });
      call.on('data', (message: ModelInferRequest | UndecodableMessage) => {
        if (readsDone || closed) return;
        // As Triton's reader: an unparsable message ends the reads; what came before is still answered, then OK.
        if (message === UNDECODABLE_MESSAGE) return endReads();
        pending++;
        inferOne(dataPlane, message, gone.signal)
          .then(
            (response) => {
              if (!closed) call.write(streamResponse(response));
            },
            (error: unknown) => {
              if (closed) return;
              if (grpcErrors) {
                closed = true;
                call.emit('error', toGrpcError(error));
                return;
              }
              call.write(streamError(message.id ?? '', asServerError(error).message));
            },
          )
          .finally(() => {
            pending--;
            finish();
          });
      });
      call.on('end', endReads);
    },
  };
}
