import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteSizeOf, DATATYPES, type Datatype } from '../../src/protocol/datatypes.ts';
import { decodeInferRequest } from '../../src/transport/http/infer-request-decoder.ts';
import { encodeInferResponse } from '../../src/transport/http/infer-response-encoder.ts';

/** JSON text of sample values per datatype (shape [2, 2]), nested in the request and flat in the response. */
const SAMPLES: Partial<Record<Datatype, string[]>> = {
  BOOL: ['true', 'false', 'false', 'true'],
  UINT8: ['0', '1', '254', '255'],
  UINT16: ['0', '1', '65534', '65535'],
  UINT32: ['0', '1', '4294967294', '4294967295'],
  UINT64: ['0', '9007199254740993', '18446744073709551614', '18446744073709551615'],
  INT8: ['-128', '-1', '0', '127'],
  INT16: ['-32768', '-1', '0', '32767'],
  INT32: ['-2147483648', '-1', '0', '2147483647'],
  INT64: ['-9223372036854775808', '-9007199254740993', '0', '9223372036854775807'],
  FP32: ['0.5', '-1.25', '3.4028234663852887e38', '1.401298464324817e-45'],
  FP64: ['0.1', '-1e300', '5e-324', '12345.678'],
  BYTES: ['"a"', '""', '"é€😀"', '"tab\\tquote\\""'],
};

function requestJson(datatype: Datatype, values: string[], binary: number | undefined): string {
  const source =
    binary === undefined
      ? `"data":[[${values[0]},${values[1]}],[${values[2]},${values[3]}]]`
      : `"parameters":{"binary_data_size":${binary}}`;
  return (
    `{"id":"rt","inputs":[{"name":"IN","shape":[2,2],"datatype":"${datatype}",${source}}],` +
    `"outputs":[{"name":"IN","parameters":{"binary_data":${binary !== undefined}}}]}`
  );
}

describe('HTTP infer codec round trips', () => {
  it('carries every JSON datatype from request data to response data unchanged', () => {
    for (const datatype of DATATYPES) {
      const values = SAMPLES[datatype];
      if (values === undefined) continue; // FP16/BF16 cannot be JSON
      const decoded = decodeInferRequest(Buffer.from(requestJson(datatype, values, undefined)), undefined, 'm', () => []);
      const input = decoded.request.inputs[0]!;
      const encoded = encodeInferResponse(
        { modelName: 'm', modelVersion: '1', id: decoded.request.id, outputs: [input] },
        decoded.format,
      );
      assert.equal(encoded.binaryLength, 0);
      assert.equal(
        encoded.json.toString(),
        `{"id":"rt","model_name":"m","model_version":"1","outputs":[{"name":"IN","datatype":"${datatype}",` +
          `"shape":[2,2],"data":[${values.join(',')}]}]}`,
        datatype,
      );
    }
  });

  it('carries every datatype through binary tensors byte for byte', () => {
    for (const datatype of DATATYPES) {
      const tensor =
        datatype === 'BYTES'
          ? Buffer.from([1, 0, 0, 0, 0x61, 0, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xfe, 1, 0, 0, 0, 0x7a])
          : Buffer.from(Array.from({ length: 4 * byteSizeOf(datatype) }, (_, i) => (i * 37 + 11) & 0xff));
      const json = requestJson(datatype, [], tensor.length);
      const body = Buffer.concat([Buffer.from(json), tensor]);
      const decoded = decodeInferRequest(body, String(json.length), 'm', () => []);
      const input = decoded.request.inputs[0]!;
      assert.deepEqual(Buffer.from(input.data), tensor, datatype);
      const encoded = encodeInferResponse({ modelName: 'm', modelVersion: '1', outputs: [input] }, decoded.format);
      assert.equal(
        encoded.json.toString(),
        `{"model_name":"m","model_version":"1","outputs":[{"name":"IN","datatype":"${datatype}","shape":[2,2],` +
          `"parameters":{"binary_data_size":${tensor.length}}}]}`,
      );
      assert.deepEqual(Buffer.concat(encoded.binaries), tensor, datatype);
      assert.equal(encoded.binaryLength, tensor.length);
    }
  });

  it('mixes JSON and binary inputs and outputs in one request', () => {
    const json =
      '{"inputs":[{"name":"A","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}},' +
      '{"name":"B","shape":[2],"datatype":"BYTES","data":["x","yz"]},' +
      '{"name":"C","shape":[1],"datatype":"INT16","parameters":{"binary_data_size":2}}],' +
      '"outputs":[{"name":"A","parameters":{"binary_data":false}},{"name":"B","parameters":{"binary_data":true}},{"name":"C"}]}';
    const a = Buffer.from(new Float32Array([2.5, -1]).buffer);
    const c = Buffer.from(new Int16Array([-7]).buffer);
    const decoded = decodeInferRequest(Buffer.concat([Buffer.from(json), a, c]), String(json.length), 'm', () => []);
    const encoded = encodeInferResponse({ modelName: 'm', modelVersion: '1', outputs: decoded.request.inputs }, decoded.format);
    assert.equal(
      encoded.json.toString(),
      '{"model_name":"m","model_version":"1","outputs":[' +
        '{"name":"A","datatype":"FP32","shape":[2],"data":[2.5,-1.0]},' +
        '{"name":"B","datatype":"BYTES","shape":[2],"parameters":{"binary_data_size":11}},' +
        '{"name":"C","datatype":"INT16","shape":[1],"data":[-7]}]}',
    );
    assert.deepEqual(Buffer.concat(encoded.binaries), Buffer.from([1, 0, 0, 0, 0x78, 2, 0, 0, 0, 0x79, 0x7a]));
  });
});
