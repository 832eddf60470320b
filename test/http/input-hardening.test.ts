/**
 * Triton's 2025–26 input hardening (issue 11 item 7), over real sockets: shapes whose element count or byte size
 * overflows int64, JSON nested deeper than 100 levels, chunked bodies of more than 65,536 non-empty chunks, and bodies
 * over --http-max-input-size. The payloads are those of Triton's L0_http tests where they exist.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { startGrpcTestServer, type GrpcTestServer } from '../support/grpc-server.ts';
import { startTestServer, type TestServer } from '../support/http-server.ts';

const LIMIT = 16 * 1024 * 1024;

let server: TestServer;
let grpcServer: GrpcTestServer;

before(async () => {
  server = await startTestServer({ maxInputSize: LIMIT });
  grpcServer = await startGrpcTestServer();
});

interface Reply {
  status: number;
  error: string | undefined;
}

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const response = await fetch(server.url + path, {
    method: 'POST',
    body: new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
  const text = await response.text();
  return { status: response.status, error: text.startsWith('{"error"') ? (JSON.parse(text) as { error: string }).error : undefined };
}

/**
 * Sends a request head and then `body` in one write over a raw socket, and reads the answer to its Content-Length.
 * The server may still be draining the body when it answers, so the answer is taken as soon as it is complete.
 */
function rawRequest(head: string, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.endpoint.port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const finish = (): boolean => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const headText = received.subarray(0, end).toString();
      const length = Number(/content-length: *(\d+)/i.exec(headText)?.[1] ?? 0);
      if (received.length < end + 4 + length) return false;
      const payload = received.subarray(end + 4, end + 4 + length).toString();
      socket.destroy();
      resolve({ status: Number(headText.split(' ')[1]), error: (JSON.parse(payload) as { error?: string }).error });
      return true;
    };
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data]);
      finish();
    });
    socket.on('error', (error) => {
      if (!finish()) reject(error);
    });
    socket.on('connect', () => {
      socket.write(head);
      socket.write(body);
    });
  });
}

function chunkedHead(path: string, extra = ''): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n${extra}Transfer-Encoding: chunked\r\n\r\n`;
}

/** `count` chunks of one byte ('A'), then the terminating chunk. */
function tinyChunks(count: number): Buffer {
  return Buffer.concat([Buffer.from('1\r\nA\r\n'.repeat(count)), Buffer.from('0\r\n\r\n')]);
}

function nested(depth: number, value: string): string {
  return '['.repeat(depth) + value + ']'.repeat(depth);
}

describe('shapes whose element count or byte size overflows int64', () => {
  const MAX = '9223372036854775807';

  it('JSON data: 400 for the element count (Triton test_buffer_size_overflow payload 1)', async () => {
    const reply = await post(
      '/v2/models/add_sub/infer',
      '{"inputs":[{"name":"INPUT0","shape":[16,1152921504606846978],"datatype":"FP32","data":[1.0]}]}',
    );
    assert.equal(reply.status, 400);
    assert.equal(reply.error, `The shape of input 'INPUT0' causes total element count to exceed maximum size of ${MAX}`);
  });

  it('JSON data: 400 for the byte size (payload 2)', async () => {
    const reply = await post(
      '/v2/models/add_sub/infer',
      '{"inputs":[{"name":"INPUT0","shape":[4,1152921504606846978],"datatype":"FP32","data":[1.0]}]}',
    );
    assert.equal(reply.status, 400);
    assert.equal(reply.error, "byte size overflow for input 'INPUT0'");
  });

  it('binary data: 400 for the element count', async () => {
    const header = Buffer.from(
      '{"inputs":[{"name":"INPUT0","shape":[4611686018427387904,4],"datatype":"INT64","parameters":{"binary_data_size":8}}]}',
    );
    const reply = await post('/v2/models/identity_int64/infer', Buffer.concat([header, Buffer.alloc(8)]), {
      'Inference-Header-Content-Length': String(header.length),
    });
    assert.equal(reply.status, 400);
    assert.equal(reply.error, `The shape of input 'INPUT0' causes total element count to exceed maximum size of ${MAX}`);
  });

  it('gRPC raw contents: INVALID_ARGUMENT for the element count and the byte size', async () => {
    const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
    const client = new Client(grpcServer.hostPort, grpc.credentials.createInsecure()) as grpc.Client &
      Record<string, (request: object, callback: (error: grpc.ServiceError | null) => void) => void>;
    after(() => client.close());
    const infer = (shape: string[]): Promise<grpc.ServiceError | null> =>
      new Promise((resolve) => {
        client.ModelInfer!.call(
          client,
          {
            model_name: 'identity_int64',
            inputs: [{ name: 'INPUT0', datatype: 'INT64', shape }],
            raw_input_contents: [Buffer.alloc(8)],
          },
          resolve,
        );
      });
    const count = await infer(['4611686018427387904', '4']);
    assert.equal(count?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(count?.details, `The shape of input 'INPUT0' causes total element count to exceed maximum size of ${MAX}`);
    const bytes = await infer(['1152921504606846976', '4']);
    assert.equal(bytes?.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(bytes?.details, "byte size overflow for input 'INPUT0'");
  });
});

describe('JSON nested deeper than 100 levels', () => {
  const TEXT = 'JSON nesting depth exceeds maximum allowed limit (100)';

  // Triton's test_json_recursion_depth_limit: 120 levels of `data` fail, 50 succeed, for BYTES and INT64.
  for (const [datatype, value, model] of [
    ['BYTES', '"hello"', 'identity_bytes'],
    ['INT64', '123', 'identity_int64'],
  ] as const) {
    it(`${datatype} data nested 120 levels is 400, 50 levels is served`, async () => {
      const body = (depth: number): string =>
        `{"inputs":[{"name":"INPUT0","datatype":"${datatype}","shape":[1,1],"data":${nested(depth, value)}}]}`;
      const deep = await post(`/v2/models/${model}/infer`, body(120));
      assert.equal(deep.status, 400);
      assert.equal(deep.error, TEXT);
      const shallow = await post(`/v2/models/${model}/infer`, body(50));
      assert.equal(shallow.status, 200, shallow.error);
    });
  }

  it('a 10 MB body of open brackets is refused on the infer and repository routes', async () => {
    const brackets = Buffer.alloc(10 * 1024 * 1024, '[');
    for (const path of ['/v2/models/identity_int64/infer', '/v2/repository/index', '/v2/repository/models/add_sub/load']) {
      const reply = await post(path, brackets);
      assert.equal(reply.status, 400, path);
      assert.equal(reply.error, TEXT, path);
    }
  });

  it("Triton's nested_json_crash payload (150,000 levels of data) is refused", async () => {
    const reply = await post(
      '/v2/models/identity_int64/infer',
      `{"inputs": [{"name": "INPUT0", "shape": [1], "datatype": "INT32", "data": ${nested(150000, '1')}}]}`,
    );
    assert.equal(reply.status, 400);
    assert.equal(reply.error, TEXT);
  });

  it('brackets inside strings do not count, and a repository body 100 levels deep is parsed', async () => {
    const inString = await post('/v2/repository/index', `{"x":"${'['.repeat(500)}","ready":true}`);
    assert.equal(inString.status, 200, inString.error);
    const hundred = await post('/v2/repository/index', `{"x":${nested(99, '1')},"ready":true}`);
    assert.equal(hundred.status, 200, hundred.error);
    const deeper = await post('/v2/repository/index', `{"x":${nested(100, '1')},"ready":true}`);
    assert.equal(deeper.status, 400);
    assert.equal(deeper.error, TEXT);
  });
});

describe('chunked bodies with more than 65,536 non-empty chunks', () => {
  const TEXT = 'Chunked request body exceeds maximum of 65536 non-empty chunks';

  it('are refused on the repository and infer routes (Triton http_request_many_chunks)', async () => {
    const index = await rawRequest(chunkedHead('/v2/repository/index'), tinyChunks(200_000));
    assert.deepEqual(index, { status: 400, error: TEXT });
    const infer = await rawRequest(
      chunkedHead('/v2/models/add_sub/infer', 'Inference-Header-Content-Length: 0\r\n'),
      tinyChunks(200_000),
    );
    assert.deepEqual(infer, { status: 400, error: TEXT });
  });

  it('65,536 chunks are read, and the body is then judged as JSON', async () => {
    const reply = await rawRequest(chunkedHead('/v2/repository/index'), tinyChunks(65_536));
    assert.deepEqual(reply, { status: 500, error: 'failed to parse the request JSON buffer: Invalid value. at 0' });
  });
});

describe('bodies over --http-max-input-size', () => {
  const text = (size: number): string =>
    `request JSON size of ${size} bytes exceeds the maximum allowed input size of ${LIMIT} bytes. ` +
    'Use --http-max-input-size to increase the limit.';

  it('a declared Content-Length over the limit is refused before the body is read', async () => {
    const head =
      'POST /v2/repository/index HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${LIMIT + 1}\r\n\r\n`;
    assert.deepEqual(await rawRequest(head, Buffer.from('{}')), { status: 400, error: text(LIMIT + 1) });
  });

  it('a chunked body is refused once it passes the limit', async () => {
    const size = LIMIT + 4096;
    const body = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, ' '), Buffer.from('\r\n0\r\n\r\n')]);
    const reply = await rawRequest(chunkedHead('/v2/models/add_sub/infer'), body);
    assert.equal(reply.status, 400);
    assert.match(reply.error ?? '', /^request JSON size of \d+ bytes exceeds the maximum allowed input size of 16777216 bytes\. /);
  });
});
