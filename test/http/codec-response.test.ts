import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Datatype } from '../../src/protocol/datatypes.ts';
import { ServerError, type ErrorCode } from '../../src/protocol/errors.ts';
import type { InferResponse, OutputTensor } from '../../src/protocol/inference.ts';
import type { OutputFormat } from '../../src/transport/http/infer-request-decoder.ts';
import { encodeInferResponse } from '../../src/transport/http/infer-response-encoder.ts';

const JSON_ALL: OutputFormat = { listed: new Map(), defaultBinary: false };
const BINARY_ALL: OutputFormat = { listed: new Map(), defaultBinary: true };

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function out(name: string, datatype: Datatype, shape: number[], data: ArrayBufferView): OutputTensor {
  return { name, datatype, shape, data: bytesOf(data) };
}

function response(outputs: OutputTensor[], extra: Partial<InferResponse> = {}): InferResponse {
  return { modelName: 'm', modelVersion: '3', outputs, ...extra };
}

function framed(strings: (string | Uint8Array)[]): Uint8Array {
  return Buffer.concat(
    strings.map((s) => {
      const bytes = typeof s === 'string' ? Buffer.from(s) : Buffer.from(s);
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32LE(bytes.length);
      return Buffer.concat([prefix, bytes]);
    }),
  );
}

function throwsServerError(fn: () => unknown, code: ErrorCode, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ServerError);
    assert.equal(error.message, message);
    assert.equal(error.code, code);
    return true;
  });
}

describe('HTTP infer response encoder', () => {
  it("writes Triton's key order; id only when non-empty; model_version as a string", () => {
    const outputs = [out('OUT', 'INT32', [2], new Int32Array([1, -2]))];
    assert.equal(
      encodeInferResponse(response(outputs, { id: '42' }), JSON_ALL).json.toString(),
      '{"id":"42","model_name":"m","model_version":"3","outputs":[{"name":"OUT","datatype":"INT32","shape":[2],"data":[1,-2]}]}',
    );
    assert.equal(
      encodeInferResponse(response(outputs, { id: '' }), JSON_ALL).json.toString(),
      '{"model_name":"m","model_version":"3","outputs":[{"name":"OUT","datatype":"INT32","shape":[2],"data":[1,-2]}]}',
    );
    assert.equal(encodeInferResponse(response([]), JSON_ALL).json.toString(), '{"model_name":"m","model_version":"3","outputs":[]}');
  });

  it('writes response parameters after model_version, and none when the object is empty', () => {
    const parameters = { s: 'a"b', i: 7, d: 0.5, b: true, big: 12345678901234567890n, huge: 1e21 };
    const json = encodeInferResponse(response([], { parameters }), JSON_ALL).json.toString();
    assert.equal(
      json,
      '{"model_name":"m","model_version":"3","parameters":{"s":"a\\"b","i":7,"d":0.5,"b":true,' +
        '"big":12345678901234567890,"huge":1000000000000000000000},"outputs":[]}',
    );
    assert.equal(encodeInferResponse(response([], { parameters: {} }), JSON_ALL).json.toString(), '{"model_name":"m","model_version":"3","outputs":[]}');
  });

  it('writes every JSON datatype as a flat data array', () => {
    const cases: [OutputTensor, string][] = [
      [out('o', 'BOOL', [2, 2], new Uint8Array([1, 0, 0, 7])), '[true,false,false,true]'],
      [out('o', 'UINT8', [2], new Uint8Array([0, 255])), '[0,255]'],
      [out('o', 'UINT16', [2], new Uint16Array([0, 65535])), '[0,65535]'],
      [out('o', 'UINT32', [2], new Uint32Array([0, 4294967295])), '[0,4294967295]'],
      [out('o', 'UINT64', [3], new BigUint64Array([0n, 9007199254740993n, 18446744073709551615n])), '[0,9007199254740993,18446744073709551615]'],
      [out('o', 'UINT64', [2], new BigUint64Array([9007199254740991n, 1n])), '[9007199254740991,1]'],
      [out('o', 'INT8', [2], new Int8Array([-128, 127])), '[-128,127]'],
      [out('o', 'INT16', [2], new Int16Array([-32768, 32767])), '[-32768,32767]'],
      [out('o', 'INT32', [2], new Int32Array([-2147483648, 2147483647])), '[-2147483648,2147483647]'],
      [out('o', 'INT64', [3], new BigInt64Array([-1n, -9007199254740991n, 4294967296n])), '[-1,-9007199254740991,4294967296]'],
      [out('o', 'INT64', [2], new BigInt64Array([-9223372036854775808n, 9223372036854775807n])), '[-9223372036854775808,9223372036854775807]'],
      [out('o', 'FP32', [1, 3], new Float32Array([0.1, -2, 1e-7])), '[0.10000000149011612,-2.0,1.0000000116860974e-7]'],
      [out('o', 'FP64', [2], new Float64Array([0.1, 1e300])), '[0.1,1e300]'],
      [out('o', 'FP32', [3], new Float32Array([NaN, Infinity, -Infinity])), '[NaN,Infinity,-Infinity]'],
      [out('o', 'BYTES', [3], framed(['a', 'é"\n', ''])), '["a","é\\"\\n",""]'],
      [out('o', 'BYTES', [1], framed([new Uint8Array([0x61, 0xff])])), '["a\ufffd"]'],
    ];
    for (const [tensor, data] of cases) {
      const json = encodeInferResponse(response([tensor]), JSON_ALL).json.toString();
      assert.equal(
        json,
        `{"model_name":"m","model_version":"3","outputs":[{"name":"o","datatype":"${tensor.datatype}",` +
          `"shape":[${tensor.shape.join(',')}],"data":${data}}]}`,
        tensor.datatype,
      );
    }
  });

  it('reads misaligned output views correctly', () => {
    const backing = new Uint8Array(13);
    backing.set(bytesOf(new Float32Array([1.5, -3, 8])), 1);
    const tensor: OutputTensor = { name: 'o', datatype: 'FP32', shape: [3], data: backing.subarray(1) };
    assert.match(encodeInferResponse(response([tensor]), JSON_ALL).json.toString(), /"data":\[1\.5,-3\.0,8\.0\]/);
  });

  it('writes zero-element outputs as empty arrays', () => {
    const json = encodeInferResponse(response([out('o', 'FP32', [0, 4], new Float32Array(0))]), JSON_ALL).json.toString();
    assert.match(json, /"shape":\[0,4\],"data":\[\]/);
  });

  it('refuses FP16 and BF16 as JSON but sends them in binary', () => {
    throwsServerError(
      () => encodeInferResponse(response([out('h', 'FP16', [1], new Uint16Array([0x3c00]))]), JSON_ALL),
      'INVALID_ARG',
      'sending FP16 data via JSON is not supported. Please use the binary data format for output',
    );
    throwsServerError(
      () => encodeInferResponse(response([out('h', 'BF16', [1], new Uint16Array([0x3f80]))]), JSON_ALL),
      'INVALID_ARG',
      'sending BF16 data via JSON is not supported. Please use the binary data format for output',
    );
    assert.equal(encodeInferResponse(response([out('h', 'FP16', [1], new Uint16Array([0x3c00]))]), BINARY_ALL).binaryLength, 2);
  });

  it('refuses JSON outputs whose bytes do not fit their shape', () => {
    const message = "output tensor shape does not match size of output for 'o'";
    throwsServerError(() => encodeInferResponse(response([out('o', 'FP32', [3], new Float32Array(2))]), JSON_ALL), 'INTERNAL', message);
    throwsServerError(() => encodeInferResponse(response([out('o', 'BOOL', [1], new Uint8Array(2))]), JSON_ALL), 'INTERNAL', message);
    throwsServerError(() => encodeInferResponse(response([out('o', 'BYTES', [2], framed(['a']))]), JSON_ALL), 'INTERNAL', message);
    throwsServerError(
      () => encodeInferResponse(response([out('o', 'BYTES', [1], new Uint8Array([5, 0, 0, 0, 0x61]))]), JSON_ALL),
      'INTERNAL',
      message,
    );
  });

  it('sends binary outputs after the JSON in outputs order, as the same views, zero-size ones adding nothing', () => {
    const a = out('a', 'FP32', [2], new Float32Array([1, 2]));
    const empty = out('e', 'INT32', [0], new Int32Array(0));
    const s = out('s', 'BYTES', [1], framed(['xyz']));
    const encoded = encodeInferResponse(response([a, empty, s]), BINARY_ALL);
    assert.equal(
      encoded.json.toString(),
      '{"model_name":"m","model_version":"3","outputs":[' +
        '{"name":"a","datatype":"FP32","shape":[2],"parameters":{"binary_data_size":8}},' +
        '{"name":"e","datatype":"INT32","shape":[0],"parameters":{"binary_data_size":0}},' +
        '{"name":"s","datatype":"BYTES","shape":[1],"parameters":{"binary_data_size":7}}]}',
    );
    assert.equal(encoded.binaries.length, 2);
    assert.equal(encoded.binaries[0], a.data);
    assert.equal(encoded.binaries[1], s.data);
    assert.equal(encoded.binaryLength, 15);
  });

  it('reports no binary bytes when every binary output is empty', () => {
    const encoded = encodeInferResponse(response([out('e', 'FP32', [0], new Float32Array(0))]), BINARY_ALL);
    assert.equal(encoded.binaryLength, 0);
    assert.deepEqual(encoded.binaries, []);
    assert.match(encoded.json.toString(), /"binary_data_size":0/);
  });

  it('applies binary_data_output only to outputs the request did not list (T6)', () => {
    const format: OutputFormat = { listed: new Map([['listed_json', false], ['listed_bin', true]]), defaultBinary: true };
    const encoded = encodeInferResponse(
      response([
        out('listed_json', 'INT8', [1], new Int8Array([1])),
        out('listed_bin', 'INT8', [1], new Int8Array([2])),
        out('other', 'INT8', [1], new Int8Array([3])),
      ]),
      format,
    );
    const parsed = JSON.parse(encoded.json.toString()) as { outputs: Record<string, unknown>[] };
    assert.deepEqual(parsed.outputs[0], { name: 'listed_json', datatype: 'INT8', shape: [1], data: [1] });
    assert.deepEqual(parsed.outputs[1], { name: 'listed_bin', datatype: 'INT8', shape: [1], parameters: { binary_data_size: 1 } });
    assert.deepEqual(parsed.outputs[2], { name: 'other', datatype: 'INT8', shape: [1], parameters: { binary_data_size: 1 } });
    assert.deepEqual(encoded.binaries.map((b) => [...b]), [[2], [3]]);
    const jsonDefault = encodeInferResponse(response([out('other', 'INT8', [1], new Int8Array([3]))]), { ...format, defaultBinary: false });
    assert.equal(jsonDefault.binaryLength, 0);
  });

  it('escapes names and ids as JSON strings', () => {
    const json = encodeInferResponse(response([out('a"b', 'UINT8', [1], new Uint8Array([1]))], { id: 'x\\y', modelName: 'm/é' }), JSON_ALL).json;
    const parsed = JSON.parse(json.toString()) as { id: string; model_name: string; outputs: { name: string }[] };
    assert.equal(parsed.id, 'x\\y');
    assert.equal(parsed.model_name, 'm/é');
    assert.equal(parsed.outputs[0]!.name, 'a"b');
  });
});
