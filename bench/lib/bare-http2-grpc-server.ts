/**
 * A second gRPC transport ceiling: ModelInfer answered with gRPC framing written by hand on node:http2 (run as its own
 * process by servers.ts), beside the bare grpc-js server. It reads each call's request to its end, takes model_name
 * (field 1) out of the ModelInferRequest without decoding the rest, and answers the same ModelInferResponse the bare
 * grpc-js server gives (serialized once, with nereid's service definition): headers `:status 200` and
 * `content-type: application/grpc`, one 5-byte length-prefixed message, trailers `grpc-status: 0` and
 * `grpc-message`. An unknown method is UNIMPLEMENTED, an unknown model NOT_FOUND, both as trailers-only answers.
 * What grpc-js costs on top of HTTP/2 itself is the difference between the two ceilings.
 * Prints `listening <port>` once bound to 127.0.0.1.
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { GRPC_STATUS, grpcFrame, grpcUnframe, percentEncode, protobufStringField } from './grpc-framing.ts';
import { BENCH_MODELS, grpcResponse } from './payloads.ts';

const MODEL_INFER = '/inference.GRPCInferenceService/ModelInfer';
const serialize = inferenceServiceDefinition.ModelInfer!.responseSerialize;
const frames = new Map(BENCH_MODELS.map((model) => [model.name as string, grpcFrame(serialize(grpcResponse(model)))]));

/** A call that ends with an error status and no message: headers and trailers in one HEADERS frame. */
function trailersOnly(stream: http2.ServerHttp2Stream, code: number, message: string): void {
  stream.respond({
    ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(code), 'grpc-message': percentEncode(message),
  }, { endStream: true });
}

function answer(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer): void {
  if (stream.destroyed) return;
  const contentType = headers['content-type'] ?? '';
  if (!contentType.startsWith('application/grpc')) {
    stream.respond({ ':status': 415 }, { endStream: true });
    return;
  }
  if (headers[':path'] !== MODEL_INFER) {
    trailersOnly(stream, GRPC_STATUS.UNIMPLEMENTED, `unknown method ${headers[':path']}`);
    return;
  }
  const message = grpcUnframe(body);
  if (typeof message === 'string') {
    trailersOnly(stream, GRPC_STATUS.INTERNAL, message);
    return;
  }
  const frame = frames.get(protobufStringField(message, 1) ?? '');
  if (frame === undefined) {
    trailersOnly(stream, GRPC_STATUS.NOT_FOUND, 'unknown model');
    return;
  }
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '' }));
  stream.end(frame);
}

const server = http2.createServer();
server.on('stream', (stream, headers) => {
  const chunks: Buffer[] = [];
  stream.on('error', () => {}); // A client that goes away mid-call resets its stream; nothing to do.
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => answer(stream, headers, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
});
server.on('sessionError', () => {});
server.listen(0, '127.0.0.1', () => console.log(`listening ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => process.exit(0));
