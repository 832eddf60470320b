import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { before, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { OnnxElemType } from '../../scripts/onnx/builder.ts';
import { startTestServer, SHIPPED_REPOSITORY, type TestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { range } from '../support/tensors.ts';

/** Every protocol datatype that ONNX Runtime can run, with the ONNX element type of its identity model. */
const DATATYPES: readonly [string, OnnxElemType][] = [
  ['BOOL', 'bool'], ['UINT8', 'uint8'], ['UINT16', 'uint16'], ['UINT32', 'uint32'], ['UINT64', 'uint64'],
  ['INT8', 'int8'], ['INT16', 'int16'], ['INT32', 'int32'], ['INT64', 'int64'],
  ['FP16', 'float16'], ['FP32', 'float'], ['FP64', 'double'], ['BYTES', 'string'],
];

let server: TestServer;

before(async () => {
  const repo = tempDir();
  for (const [datatype, type] of DATATYPES) {
    writeModelDir(repo, `echo_${datatype.toLowerCase()}`, addModel({
      inputs: [{ name: 'INPUT0', type, shape: ['batch', 3] }],
      outputs: [{ name: 'OUTPUT0', type, shape: ['batch', 3] }],
      mode: 'identity',
    }));
  }
  server = await startTestServer({ repositories: [SHIPPED_REPOSITORY, repo], maxInputSize: 1 << 20 });
});

interface Reply {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** POSTs to an infer path; `binary` follows the JSON and sets Inference-Header-Content-Length. */
async function post(path: string, json: unknown, options: { binary?: Buffer[]; headers?: Record<string, string>; raw?: Buffer } = {}): Promise<Reply> {
  const header = Buffer.from(typeof json === 'string' ? json : JSON.stringify(json));
  const headers: Record<string, string> = { ...options.headers };
  let body = options.raw ?? header;
  if (options.binary !== undefined && options.raw === undefined) {
    body = Buffer.concat([header, ...options.binary]);
    headers['Inference-Header-Content-Length'] = String(header.length);
  }
  const response = await fetch(server.url + path, { method: 'POST', body: new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length), headers });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** Splits a response into its JSON header and binary section. */
function parse(reply: Reply): { json: Record<string, any>; binary: Buffer } {
  const length = reply.headers.get('inference-header-content-length');
  const jsonLength = length === null ? reply.body.length : Number(length);
  return { json: JSON.parse(reply.body.subarray(0, jsonLength).toString()), binary: reply.body.subarray(jsonLength) };
}

function f32(values: number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

/** `type`: text/plain for Triton's checks outside its inference JSON path (responses.ts). */
async function expectStatus(reply: Promise<Reply>, status: number, message: string | RegExp, type = 'application/json'): Promise<void> {
  const r = await reply;
  assert.equal(r.status, status, r.body.toString());
  assert.equal(r.headers.get('content-type'), type);
  const { error } = JSON.parse(r.body.toString()) as { error: string };
  if (typeof message === 'string') assert.equal(error, message);
  else assert.match(error, message);
}

const ADD_SUB = '/v2/models/add_sub/infer';
const in16 = (name: string, data: unknown) => ({ name, datatype: 'FP32', shape: [1, 16], data });

describe('JSON inference', () => {
  it('nested data, id echo, model_version, flat output data', async () => {
    const nested = [range(16)];
    const r = await post(ADD_SUB, { id: 'abc', inputs: [in16('INPUT0', nested), in16('INPUT1', range(16, () => 1))] });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('inference-header-content-length'), null);
    const { json } = parse(r);
    assert.equal(json.id, 'abc');
    assert.equal(json.model_name, 'add_sub');
    assert.equal(json.model_version, '1');
    assert.deepEqual(json.outputs[0], { name: 'OUTPUT0', datatype: 'FP32', shape: [1, 16], data: range(16, (i) => i + 1) });
    assert.deepEqual(json.outputs[1].data, range(16, (i) => i - 1));
  });

  it('the versioned path serves that version; a request without id has none in the response', async () => {
    const { json } = parse(await post('/v2/models/add_sub/versions/1/infer', { inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))] }));
    assert.equal(json.model_version, '1');
    assert.equal('id' in json, false);
  });

  it('binary_data_output applies only to outputs not listed; a listed output without binary_data is JSON', async () => {
    const r = await post(ADD_SUB, {
      inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))],
      outputs: [{ name: 'OUTPUT1' }, { name: 'OUTPUT0', parameters: { binary_data: true } }],
      parameters: { binary_data_output: true },
    });
    const { json, binary } = parse(r);
    assert.equal(r.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(json.outputs.map((o: { name: string }) => o.name), ['OUTPUT1', 'OUTPUT0']);
    assert.deepEqual(json.outputs[0].data, range(16, () => 0));
    assert.deepEqual(json.outputs[1].parameters, { binary_data_size: 64 });
    assert.deepEqual(Array.from(new Float32Array(binary.buffer.slice(binary.byteOffset, binary.byteOffset + 64))), range(16, (i) => 2 * i));
  });

  it('request parameters (priority, timeout, sequence fields, custom) are accepted', async () => {
    const r = await post(ADD_SUB, {
      inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))],
      parameters: { priority: 1, timeout: 1000000, sequence_id: 0, custom: 'x', number: 1.5, flag: true },
    });
    assert.equal(r.status, 200, r.body.toString());
  });
});

describe('binary tensor data', () => {
  for (const [datatype] of DATATYPES) {
    it(`${datatype}: binary in, binary out, byte for byte; and JSON where JSON can carry it`, async () => {
      const path = `/v2/models/echo_${datatype.toLowerCase()}/infer`;
      const bytes = sample(datatype);
      const r = await post(path, {
        inputs: [{ name: 'INPUT0', datatype, shape: [2, 3], parameters: { binary_data_size: bytes.length } }],
        outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
      }, { binary: [bytes] });
      assert.equal(r.status, 200, r.body.toString());
      const { json, binary } = parse(r);
      assert.deepEqual(json.outputs, [{ name: 'OUTPUT0', datatype, shape: [2, 3], parameters: { binary_data_size: bytes.length } }]);
      assert.deepEqual(binary, bytes);

      const asJson = await post(path, { inputs: [{ name: 'INPUT0', datatype, shape: [2, 3], parameters: { binary_data_size: bytes.length } }] }, { binary: [bytes] });
      if (datatype === 'FP16') {
        assert.equal(asJson.status, 400, 'FP16 cannot be returned as JSON');
      } else {
        assert.equal(asJson.status, 200, asJson.body.toString());
        assert.equal(parse(asJson).json.outputs[0].data.length, 6);
        // The data text goes back verbatim: JSON.parse here would round 64-bit integers.
        const dataText = /"data":(\[[^\]]*\])/.exec(asJson.body.toString())![1];
        const request = `{"inputs":[{"name":"INPUT0","datatype":"${datatype}","shape":[2,3],"data":${dataText}}],` +
          '"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":true}}]}';
        const back = await post(path, request);
        assert.equal(back.status, 200, back.body.toString());
        assert.deepEqual(parse(back).binary, bytes, 'JSON in gives the same bytes as binary in');
      }
    });
  }

  it('BF16 is accepted in binary form and refused cleanly, since ONNX Runtime cannot run it', async () => {
    const r = await post('/v2/models/echo_fp16/infer', {
      inputs: [{ name: 'INPUT0', datatype: 'BF16', shape: [2, 3], parameters: { binary_data_size: 12 } }],
    }, { binary: [Buffer.alloc(12)] });
    assert.equal(r.status, 400);
    assert.match(JSON.parse(r.body.toString()).error, /data-type is 'BF16', but model 'echo_fp16' expects 'FP16'/);
  });

  it('mixes JSON and binary inputs and outputs in one request', async () => {
    const r = await post(ADD_SUB, {
      inputs: [in16('INPUT0', range(16)), { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } }],
      outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }, { name: 'OUTPUT1', parameters: { binary_data: false } }],
    }, { binary: [f32(range(16, () => 10))] });
    const { json, binary } = parse(r);
    assert.equal(Number(r.headers.get('inference-header-content-length')), r.body.length - 64);
    assert.deepEqual(json.outputs[1].data, range(16, (i) => i - 10));
    assert.deepEqual(binary, f32(range(16, (i) => i + 10)));
  });

  it('raw binary request (header 0): the body is the single input, every output comes back binary', async () => {
    const r = await post('/v2/models/mlp_classifier/infer', '', { raw: f32(range(16, (i) => i / 16)), headers: { 'Inference-Header-Content-Length': '0' } });
    assert.equal(r.status, 200, r.body.toString());
    const { json, binary } = parse(r);
    assert.deepEqual(json.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [1, 4], parameters: { binary_data_size: 16 } }]);
    const p = new Float32Array(binary.buffer.slice(binary.byteOffset, binary.byteOffset + 16));
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  });

  it('a raw request to a model with two inputs is refused', async () => {
    await expectStatus(post('/v2/models/add_sub/infer', '', { raw: f32(range(16)), headers: { 'Inference-Header-Content-Length': '0' } }), 400, /Raw request must only have 1 input/);
  });

  it('zero-size tensors: binary_data_size 0, no bytes, plain JSON response', async () => {
    const r = await post('/v2/models/identity_int64/infer', {
      inputs: [{ name: 'INPUT0', datatype: 'INT64', shape: [1, 0], parameters: { binary_data_size: 0 } }],
      outputs: [{ name: 'OUTPUT0', parameters: { binary_data: true } }],
    }, { binary: [] });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.headers.get('inference-header-content-length'), null);
    assert.deepEqual(parse(r).json.outputs, [{ name: 'OUTPUT0', datatype: 'INT64', shape: [1, 0], parameters: { binary_data_size: 0 } }]);
  });
});

describe('compression', () => {
  const request = { inputs: [in16('INPUT0', range(16)), { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } }], parameters: { binary_data_output: true } };
  const header = Buffer.from(JSON.stringify(request));
  const whole = Buffer.concat([header, f32(range(16))]);

  for (const [name, compress] of [['gzip', zlib.gzipSync], ['deflate', zlib.deflateSync]] as const) {
    it(`a ${name} request body; the header counts uncompressed JSON bytes`, async () => {
      const r = await post(ADD_SUB, '', { raw: compress(whole), headers: { 'Content-Encoding': name, 'Inference-Header-Content-Length': String(header.length) } });
      assert.equal(r.status, 200, r.body.toString());
      assert.deepEqual(parse(r).binary.subarray(0, 64), f32(range(16, (i) => 2 * i)));
    });
  }

  for (const [accept, expected] of [['gzip', 'gzip'], ['deflate, gzip', 'deflate']] as const) {
    it(`Accept-Encoding: ${accept} → a ${expected} response whose header length counts uncompressed JSON`, async () => {
      const response = await fetch(server.url + ADD_SUB, {
        method: 'POST', body: whole,
        headers: { 'Inference-Header-Content-Length': String(header.length), 'Accept-Encoding': accept },
      });
      // fetch inflates the body transparently; the header tells which encoding the server chose.
      assert.equal(response.headers.get('content-encoding'), expected);
      const plain = Buffer.from(await response.arrayBuffer());
      const jsonLength = Number(response.headers.get('inference-header-content-length'));
      assert.deepEqual(plain.subarray(jsonLength, jsonLength + 64), f32(range(16, (i) => 2 * i)));
    });
  }
});

describe('bad input gets Triton\'s status, and the server keeps serving', () => {
  const binaryRequest = (size: number) => ({ inputs: [in16('INPUT0', range(16)), { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: size } }] });

  it('malformed JSON → 500 with rapidjson\'s message', async () => {
    await expectStatus(post(ADD_SUB, '{"inputs": [ '), 500, /^failed to parse the request JSON buffer: .* at \d+$/);
  });

  it('invalid UTF-8 in the JSON → 500', async () => {
    const bad = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","inputs":[]}')]);
    await expectStatus(post(ADD_SUB, '', { raw: bad }), 500, /^failed to parse the request JSON buffer: Invalid encoding in string\. at \d+$/);
  });

  it('wrong datatype, wrong shape, batch over max_batch_size → 400; a data length that contradicts the shape → 500', async () => {
    await expectStatus(post(ADD_SUB, { inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 16], data: range(16) }, in16('INPUT1', range(16))] }), 400,
      /inference input 'INPUT0' data-type is 'INT32', but model 'add_sub' expects 'FP32'/);
    await expectStatus(post(ADD_SUB, { inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 8], data: range(8) }, in16('INPUT1', range(16))] }), 400,
      /unexpected shape for input 'INPUT0' for model 'add_sub'\. Expected \[-1,16\], got \[1,8\]/);
    // Triton reports this through its JSON reader (INTERNAL), hence 500.
    await expectStatus(post(ADD_SUB, { inputs: [in16('INPUT0', range(15)), in16('INPUT1', range(16))] }), 500,
      "Unable to parse 'data': Shape does not match true shape of 'data' field");
    const nine = { name: 'INPUT0', datatype: 'FP32', shape: [9, 16], data: range(144) };
    await expectStatus(post(ADD_SUB, { inputs: [nine, { ...nine, name: 'INPUT1' }] }), 400, "[request id: <id_unknown>] inference request batch-size must be <= 8 for 'add_sub'");
  });

  it('missing input, unknown input, unknown output → 400', async () => {
    await expectStatus(post(ADD_SUB, { inputs: [in16('INPUT0', range(16))] }), 400, /expected 2 inputs but got 1 inputs for model 'add_sub'/);
    await expectStatus(post(ADD_SUB, { inputs: [in16('INPUT0', range(16)), in16('INPUT9', range(16))] }), 400, /unexpected inference input 'INPUT9' for model 'add_sub'/);
    await expectStatus(post(ADD_SUB, { inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))], outputs: [{ name: 'NOPE' }] }), 400,
      /unexpected inference output 'NOPE' for model 'add_sub'/);
  });

  it('binary input without the header, too few and too many bytes, header beyond the body → 400', async () => {
    const json = Buffer.from(JSON.stringify(binaryRequest(64)));
    const noHeader = await fetch(server.url + ADD_SUB, { method: 'POST', body: Buffer.concat([json, f32(range(16))]) });
    assert.equal(noHeader.status, 400);
    await expectStatus(post(ADD_SUB, binaryRequest(64), { binary: [f32(range(8))] }), 400, /INPUT1/);
    await expectStatus(post(ADD_SUB, binaryRequest(64), { binary: [f32(range(20))] }), 400, "unexpected additional input data for model 'add_sub'");
    await expectStatus(post(ADD_SUB, '', { raw: json, headers: { 'Inference-Header-Content-Length': String(json.length + 100) } }), 400,
      /inference header size should be in range/, 'text/plain');
  });

  it('truncated gzip → 400; an unknown Content-Encoding → 501 "Unsupported compression type" naming gzip and deflate', async () => {
    const gz = zlib.gzipSync(Buffer.from(JSON.stringify({ inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))] })));
    await expectStatus(post(ADD_SUB, '', { raw: gz.subarray(0, gz.length - 10), headers: { 'Content-Encoding': 'gzip' } }), 400,
      /failed to decompress the gzip request body/, 'text/plain');
    // Triton compares the name exactly: GZIP is as unknown as br
    for (const encoding of ['br', 'GZIP']) {
      const reply = post(ADD_SUB, '', { raw: Buffer.from('x'), headers: { 'Content-Encoding': encoding } });
      assert.equal((await reply).headers.get('accept-encoding'), 'gzip, deflate');
      await expectStatus(reply, 501, 'Unsupported compression type', 'text/plain');
    }
    // The model is checked first, before the encoding (and the body)
    await expectStatus(post('/v2/models/nope/infer', '', { raw: Buffer.from('x'), headers: { 'Content-Encoding': 'br' } }), 404,
      "Request for unknown model: 'nope' is not found", 'text/plain');
  });

  it('a body over --http-max-input-size → 400', async () => {
    await expectStatus(post(ADD_SUB, '', { raw: Buffer.alloc((1 << 20) + 1, 32) }), 400, /exceeds the maximum allowed input size of 1048576 bytes/);
  });

  it('unknown model → 404, unknown version → 404, non-numeric version → 404 Not Found (text/plain, before the body)', async () => {
    const body = { inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))] };
    await expectStatus(post('/v2/models/nope/infer', body), 404, "Request for unknown model: 'nope' is not found", 'text/plain');
    await expectStatus(post('/v2/models/nope/infer', '{'), 404, "Request for unknown model: 'nope' is not found", 'text/plain');
    await expectStatus(post('/v2/models/add_sub/versions/4/infer', body), 404, "Request for unknown model: 'add_sub' version 4 is not found", 'text/plain');
    await expectStatus(post('/v2/models/add_sub/versions/one/infer', body), 404, 'Not Found', 'text/plain');
  });

  it('after all of that the server answers correctly', async () => {
    const { json } = parse(await post(ADD_SUB, { inputs: [in16('INPUT0', range(16)), in16('INPUT1', range(16))] }));
    assert.deepEqual(json.outputs[0].data, range(16, (i) => 2 * i));
    assert.equal((await fetch(server.url + '/v2/health/live')).status, 200);
  });
});

/** Six elements of a datatype as little-endian bytes, with values that exercise its range. */
function sample(datatype: string): Buffer {
  switch (datatype) {
    case 'BOOL': return Buffer.from([1, 0, 1, 1, 0, 0]);
    case 'UINT8': return Buffer.from([0, 1, 127, 128, 254, 255]);
    case 'INT8': return Buffer.from(Int8Array.from([-128, -1, 0, 1, 100, 127]).buffer);
    case 'UINT16': return Buffer.from(Uint16Array.from([0, 1, 300, 32768, 65534, 65535]).buffer);
    case 'INT16': return Buffer.from(Int16Array.from([-32768, -1, 0, 1, 300, 32767]).buffer);
    case 'FP16': return Buffer.from(Uint16Array.from([0x3c00, 0xc000, 0x0000, 0x7bff, 0x3555, 0x8001]).buffer);
    case 'UINT32': return Buffer.from(Uint32Array.from([0, 1, 70000, 2 ** 31, 2 ** 32 - 2, 2 ** 32 - 1]).buffer);
    case 'INT32': return Buffer.from(Int32Array.from([-(2 ** 31), -1, 0, 1, 70000, 2 ** 31 - 1]).buffer);
    case 'UINT64': return Buffer.from(BigUint64Array.from([0n, 1n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 2n, 2n ** 64n - 1n]).buffer);
    case 'INT64': return Buffer.from(BigInt64Array.from([-(2n ** 63n), -1n, 0n, 1n, 2n ** 53n + 1n, 2n ** 63n - 1n]).buffer);
    case 'FP32': return f32([0, -1.5, 3.25, 1e-30, -3.4e38, 0.1]);
    case 'FP64': return Buffer.from(Float64Array.from([0, -1.5, Math.PI, 1e-300, -1.7e308, 0.1]).buffer);
    case 'BYTES': {
      const items = ['', 'a', 'hello', 'żółw', '🐢🐢', 'x'.repeat(40)].map((s) => Buffer.from(s));
      return Buffer.concat(items.flatMap((b) => { const n = Buffer.alloc(4); n.writeUInt32LE(b.length); return [n, b]; }));
    }
    default: throw new Error(datatype);
  }
}
