/**
 * ModelInfer and ModelStreamInfer. Both decode with the gRPC codec, call the data plane and encode the
 * response; no inference logic here. On a stream the responses go out in request order, as in Triton 2.51 for
 * non-decoupled models (the only kind here): a request that completes (or fails validation) early waits behind the
 * earlier requests' responses. A failed request is reported in `error_message` and the stream stays open, unless the
 * client sent `triton_grpc_error: true`, which ends the stream with the gRPC status at once (Triton does not order that
 * status behind pending responses either). A message that does not parse ends the client's side of the stream, as in
 * Triton: the requests before it are answered and the stream ends with OK.
 */
import type { Metadata, ServerDuplexStream, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { DataPlane } from '../../core/data-plane.ts';
import { traceNow, type RequestTrace } from '../../core/tracer.ts';
import { ClientGone } from '../../protocol/cancellation.ts';
import { asServerError } from '../../protocol/errors.ts';
import { toGrpcError } from './grpc-status.ts';
import { UNDECODABLE_MESSAGE, type ModelInferRequest, type ModelInferResponse, type ModelStreamInferResponse, type UndecodableMessage } from './grpc-protos.ts';
import { decodeGrpcInferRequest } from './infer-request-decoder.ts';
import { encodeGrpcInferResponse, streamError, streamResponse } from './infer-response-encoder.ts';

async function inferOne(dataPlane: DataPlane, message: ModelInferRequest, signal: ClientGone, trace?: RequestTrace, metadata?: Metadata): Promise<ModelInferResponse> {
  const { modelName, version, request } = decodeGrpcInferRequest(message, dataPlane.sharedMemory);
  const headers = metadata === undefined ? undefined : { header: (name: string): string | undefined => metadataValue(metadata, name) };
  const response = await dataPlane.infer(modelName, version, { ...request, signal, ...(headers === undefined ? {} : { headers }), ...(trace === undefined ? {} : { trace }) });
  return encodeGrpcInferResponse(response);
}

export function inferRpcs(dataPlane: DataPlane) {
  return {
    ModelInfer(call: ServerUnaryCall<ModelInferRequest, ModelInferResponse>, callback: sendUnaryData<ModelInferResponse>): void {
      const gone = new ClientGone();
      call.once('cancelled', () => gone.abort());
      // Traced (when sampled): grpc-js calls the handler once the message is read, so GRPC_WAITREAD_* mark that moment.
      const traceparent = call.metadata.get('traceparent')[0];
      const trace = dataPlane.startTrace(call.request.model_name, 'GRPC', typeof traceparent === 'string' ? traceparent : undefined);
      if (trace !== undefined) {
        const now = traceNow();
        trace.received(now, now);
      }
      inferOne(dataPlane, call.request, gone, trace, call.metadata).then(
        (response) => {
          const sending = trace === undefined ? 0n : traceNow();
          callback(null, response);
          trace?.sent(sending, traceNow());
        },
        (error: unknown) => callback(toGrpcError(error)),
      );
    },

    ModelStreamInfer(call: ServerDuplexStream<ModelInferRequest | UndecodableMessage, ModelStreamInferResponse>): void {
      const gone = new ClientGone();
      const grpcErrors = call.metadata.get('triton_grpc_error')[0] === 'true';
      /** One slot per request in arrival order; `response` is set once it completes. Only the head may be written. */
      const slots: { response?: ModelStreamInferResponse }[] = [];
      let readsDone = false;
      let closed = false;
      // Writes every completed response at the head; end() lets the status out only after those writes are flushed.
      const flush = (): void => {
        for (let head = slots[0]?.response; !closed && head !== undefined; head = slots[0]?.response) {
          slots.shift();
          call.write(head);
        }
        if (readsDone && slots.length === 0 && !closed) {
          closed = true;
          call.end();
        }
      };
      const endReads = (): void => {
        readsDone = true;
        flush();
      };
      call.on('cancelled', () => {
        closed = true;
        gone.abort();
      });
      call.on('data', (message: ModelInferRequest | UndecodableMessage) => {
        if (readsDone || closed) return;
        // As Triton's reader: an unparsable message ends the reads; what came before is still answered, then OK.
        if (message === UNDECODABLE_MESSAGE) return endReads();
        const slot: { response?: ModelStreamInferResponse } = {};
        slots.push(slot);
        inferOne(dataPlane, message, gone, undefined, call.metadata).then(
          (response) => {
            slot.response = streamResponse(response);
            flush();
          },
          (error: unknown) => {
            if (closed) return;
            if (grpcErrors) {
              closed = true;
              call.emit('error', toGrpcError(error));
              return;
            }
            slot.response = streamError(message.id ?? '', asServerError(error).message);
            flush();
          },
        );
      });
      call.on('end', endReads);
    },
  };
}

function metadataValue(metadata: Metadata, name: string): string | undefined {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value : undefined;
}
