import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError, type ErrorCode } from '../../src/protocol/errors.ts';
import { decodeInferRequest, type DecodedInferRequest } from '../../src/transport/http/infer-request-decoder.ts';

const NO_RAW = (): never => assert.fail('rawInputs must not be called for a JSON request');

/** Decodes `json` (text or object) followed by `binaries`; the header is the JSON length when binaries are given. */
function decode(json: string | object, binaries: readonly Uint8Array[] = [], header?: string | null): DecodedInferRequest {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  const head = Buffer.from(text, 'utf8');
  const body = Buffer.concat([head, ...binaries]);
  const value = header === null ? undefined : (header ?? (binaries.length > 0 ? String(head.length) : undefined));
  return decodeInferRequest(body, value, 'm', NO_RAW);
}

function throwsServerError(fn: () => unknown, code: ErrorCode, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ServerError, `not a ServerError: ${String(error)}`);
    assert.equal(error.message, message);
    assert.equal(error.code, code);
    return true;
  });
}

function input(datatype: string, shape: number[], data: unknown, name = 'x'): object {
  return { inputs: [{ name, shape, datatype, data }] };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function dataOf(decoded: DecodedInferRequest, index = 0): Uint8Array {
  return decoded.request.inputs[index]!.data;
}

const SHAPE_MISMATCH = "Unable to parse 'data': Shape does not match true shape of 'data' field";

describe('HTTP infer request decoder: JSON tensor data', () => {
  it('converts every JSON datatype into little-endian bytes', () => {
    const cases: [string, string, Uint8Array][] = [
      ['BOOL', '[true,false,true]', new Uint8Array([1, 0, 1])],
      ['UINT8', '[0,255,7]', new Uint8Array([0, 255, 7])],
      ['UINT16', '[0,65535,7]', bytesOf(new Uint16Array([0, 65535, 7]))],
      ['UINT32', '[0,4294967295,7]', bytesOf(new Uint32Array([0, 4294967295, 7]))],
      ['UINT64', '[0,18446744073709551615,7]', bytesOf(new BigUint64Array([0n, 18446744073709551615n, 7n]))],
      ['INT8', '[-128,127,-1]', bytesOf(new Int8Array([-128, 127, -1]))],
      ['INT16', '[-32768,32767,-1]', bytesOf(new Int16Array([-32768, 32767, -1]))],
      ['INT32', '[-2147483648,2147483647,-1]', bytesOf(new Int32Array([-2147483648, 2147483647, -1]))],
      [
        'INT64',
        '[-9223372036854775808,9223372036854775807,-1]',
        bytesOf(new BigInt64Array([-9223372036854775808n, 9223372036854775807n, -1n])),
      ],
      ['FP32', '[1.5,-0.25,3e38]', bytesOf(new Float32Array([1.5, -0.25, 3e38]))],
      ['FP64', '[0.1,-1e300,5e-324]', bytesOf(new Float64Array([0.1, -1e300, 5e-324]))],
    ];
    for (const [datatype, data, expected] of cases) {
      const json = `{"inputs":[{"name":"x","shape":[3],"datatype":"${datatype}","data":${data}}]}`;
      const decoded = decode(json);
      const tensor = decoded.request.inputs[0]!;
      assert.equal(tensor.datatype, datatype);
      assert.deepEqual(tensor.shape, [3]);
      assert.deepEqual(Buffer.from(tensor.data), Buffer.from(expected), datatype);
    }
  });

  it('frames BYTES strings as u32 length + UTF-8 (no base64)', () => {
    const data = dataOf(decode(input('BYTES', [3], ['ab', 'é€', ''])));
    assert.deepEqual(Buffer.from(data), Buffer.from([2, 0, 0, 0, 0x61, 0x62, 5, 0, 0, 0, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0, 0, 0, 0]));
  });

  it('reads INT64/UINT64 beyond 2^53 exactly from the source text', () => {
    const json =
      '{"inputs":[{"name":"a","shape":[2],"datatype":"FP32","data":[1,2]},' +
      '{"name":"x","shape":[2,2],"datatype":"INT64","data":[[9007199254740993,-9007199254740995],[1, 2]]},' +
      '{"name":"y","shape":[1],"datatype":"UINT64","data":[18446744073709551614]}]}';
    const decoded = decode(json);
    assert.deepEqual([...new BigInt64Array(dataOf(decoded, 1).slice().buffer)], [9007199254740993n, -9007199254740995n, 1n, 2n]);
    assert.deepEqual([...new BigUint64Array(dataOf(decoded, 2).slice().buffer)], [18446744073709551614n]);
  });

  it('flattens nested data in row-major order, however it is nested', () => {
    const regular = dataOf(decode(input('INT32', [2, 2, 2], [[[1, 2], [3, 4]], [[5, 6], [7, 8]]])));
    assert.deepEqual([...new Int32Array(regular.slice().buffer)], [1, 2, 3, 4, 5, 6, 7, 8]);
    const ragged = dataOf(decode(input('INT32', [2, 3], [1, [2, [3]], [], [[4, 5], 6]])));
    assert.deepEqual([...new Int32Array(ragged.slice().buffer)], [1, 2, 3, 4, 5, 6]);
    const strings = dataOf(decode(input('BYTES', [2], [['a'], [['b']]])));
    assert.deepEqual(Buffer.from(strings), Buffer.from([1, 0, 0, 0, 0x61, 1, 0, 0, 0, 0x62]));
  });

  it('walks 100 levels of nesting and refuses a 101st', () => {
    const nest = (depth: number, leaf: unknown): unknown => (depth === 1 ? [leaf] : [nest(depth - 1, leaf)]);
    assert.deepEqual([...dataOf(decode(input('UINT8', [1], nest(100, 9))))], [9]);
    // Refused before parsing, with Triton's text (json-nesting.ts).
    const tooDeep = 'JSON nesting depth exceeds maximum allowed limit (100)';
    throwsServerError(() => decode(input('UINT8', [1], nest(101, 9))), 'INVALID_ARG', tooDeep);
    throwsServerError(() => decode(input('BYTES', [1], nest(101, 's'))), 'INVALID_ARG', tooDeep);
  });

  it('requires the element count to equal the product of the shape', () => {
    throwsServerError(() => decode(input('FP32', [2, 2], [1, 2, 3])), 'INTERNAL', SHAPE_MISMATCH);
    throwsServerError(() => decode(input('FP32', [2], [1, 2, 3])), 'INTERNAL', SHAPE_MISMATCH);
    throwsServerError(() => decode(input('BOOL', [3], [true])), 'INTERNAL', SHAPE_MISMATCH);
    throwsServerError(() => decode(input('INT64', [1], [1, 2])), 'INTERNAL', SHAPE_MISMATCH);
    // A shape no JSON of this size could fill is refused before anything is allocated.
    throwsServerError(() => decode(input('FP64', [1000000, 1000000], [1])), 'INTERNAL', SHAPE_MISMATCH);
  });

  it('checks the count before the type of each element, as Triton does', () => {
    throwsServerError(() => decode(input('INT32', [2], [1, 2, 'x'])), 'INTERNAL', SHAPE_MISMATCH);
    throwsServerError(
      () => decode(input('INT32', [2], ['x', 1])),
      'INTERNAL',
      "Unable to parse 'data': attempt to access JSON non-signed-integer as signed-integer",
    );
  });

  it("refuses elements of the wrong JSON type with TritonJson's texts (INTERNAL)", () => {
    const cases: [string, unknown[], string][] = [
      ['BOOL', [0], 'attempt to access JSON non-boolean as boolean'],
      ['BOOL', ['true'], 'attempt to access JSON non-boolean as boolean'],
      ['INT32', [1.5], 'attempt to access JSON non-signed-integer as signed-integer'],
      ['INT8', [true], 'attempt to access JSON non-signed-integer as signed-integer'],
      ['UINT8', [-1], 'attempt to access JSON non-unsigned-integer as unsigned-integer'],
      ['UINT32', [0.5], 'attempt to access JSON non-unsigned-integer as unsigned-integer'],
      ['UINT64', [-1], 'attempt to access JSON non-unsigned-integer as unsigned-integer'],
      ['INT64', [null], 'attempt to access JSON non-signed-integer as signed-integer'],
      ['FP32', ['1'], 'attempt to access JSON non-number as double'],
      ['FP64', [{}], 'attempt to access JSON non-number as double'],
    ];
    for (const [datatype, data, detail] of cases) {
      throwsServerError(() => decode(input(datatype, [1], data)), 'INTERNAL', `Unable to parse 'data': ${detail}`);
    }
    throwsServerError(
      () => decode(input('BYTES', [2], ['a', 1])),
      'INTERNAL',
      'Unable to parse JSON bytes array: attempt to access JSON non-string as string',
    );
  });

  it('refuses integers outside the datatype range (nereid text, INVALID_ARG)', () => {
    throwsServerError(() => decode(input('UINT8', [1], [256])), 'INVALID_ARG', "Unable to parse 'data': value 256 is out of range for UINT8");
    throwsServerError(() => decode(input('INT8', [1], [-129])), 'INVALID_ARG', "Unable to parse 'data': value -129 is out of range for INT8");
    throwsServerError(
      () => decode(input('INT32', [1], [2147483648])),
      'INVALID_ARG',
      "Unable to parse 'data': value 2147483648 is out of range for INT32",
    );
    throwsServerError(
      () => decode(input('UINT16', [1], [65536])),
      'INVALID_ARG',
      "Unable to parse 'data': value 65536 is out of range for UINT16",
    );
  });

  it('refuses 64-bit values that are not integers of the type, as rapidjson reads them', () => {
    const notInt = "Unable to parse 'data': attempt to access JSON non-signed-integer as signed-integer";
    const notUint = "Unable to parse 'data': attempt to access JSON non-unsigned-integer as unsigned-integer";
    const raw = (datatype: string, data: string): string =>
      `{"inputs":[{"name":"x","shape":[1],"datatype":"${datatype}","data":[${data}]}]}`;
    throwsServerError(() => decode(raw('INT64', '9223372036854775808')), 'INTERNAL', notInt);
    throwsServerError(() => decode(raw('INT64', '-9223372036854775809')), 'INTERNAL', notInt);
    throwsServerError(() => decode(raw('INT64', '1e19')), 'INTERNAL', notInt);
    throwsServerError(() => decode(raw('UINT64', '18446744073709551616')), 'INTERNAL', notUint);
    throwsServerError(() => decode(raw('UINT64', '1.8e19')), 'INTERNAL', notUint);
    throwsServerError(() => decode(raw('INT8', '1e40')), 'INTERNAL', notInt);
  });

  it('answers a number literal too big for a double with the JSON parse error, like rapidjson', () => {
    const json = '{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":[1, 1e400]}]}';
    throwsServerError(
      () => decode(json),
      'INTERNAL',
      `failed to parse the request JSON buffer: Number too big to be stored in double. at ${json.indexOf('1e400')}`,
    );
  });

  it('accepts integral numbers written with a fraction or exponent for integer types (JSON.parse cannot tell)', () => {
    const data = dataOf(decode('{"inputs":[{"name":"x","shape":[2],"datatype":"INT32","data":[1.0,2e1]}]}'));
    assert.deepEqual([...new Int32Array(data.slice().buffer)], [1, 20]);
  });

  it('refuses FP16 and BF16 in JSON', () => {
    throwsServerError(
      () => decode(input('FP16', [1], [1])),
      'INVALID_ARG',
      'receiving FP16 data via JSON is not supported. Please use the binary data format for input x',
    );
    throwsServerError(
      () => decode(input('BF16', [1], [1])),
      'INVALID_ARG',
      'receiving BF16 data via JSON is not supported. Please use the binary data format for input x',
    );
  });

  it('refuses an unknown datatype', () => {
    throwsServerError(() => decode(input('FLOAT', [1], [1])), 'INVALID_ARG', 'invalid datatype for input x');
    const binary = { inputs: [{ name: 'x', shape: [1], datatype: 'STRING', parameters: { binary_data_size: 1 } }] };
    throwsServerError(() => decode(binary, [new Uint8Array(1)]), 'INVALID_ARG', 'invalid datatype for input x');
  });

  it('accepts zero-element tensors and, like Triton, reads no data for them (shape [] counts 0 elements)', () => {
    assert.equal(dataOf(decode(input('FP32', [0, 3], []))).byteLength, 0);
    assert.equal(dataOf(decode(input('BYTES', [2, 0], 'not even an array'))).byteLength, 0);
    const scalar = decode(input('INT32', [], [5])).request.inputs[0]!;
    assert.deepEqual(scalar.shape, []);
    assert.equal(scalar.data.byteLength, 0);
  });
});

describe('HTTP infer request decoder: request structure', () => {
  it('requires inputs to be an array', () => {
    throwsServerError(() => decode({}), 'INTERNAL', "Unable to parse 'inputs': attempt to access non-existing object member 'inputs'");
    throwsServerError(() => decode('[]'), 'INTERNAL', "Unable to parse 'inputs': attempt to access non-existing object member 'inputs'");
    throwsServerError(() => decode({ inputs: {} }), 'INTERNAL', "Unable to parse 'inputs': attempt to access JSON non-array as array");
  });

  it('requires exactly one data source per input', () => {
    const prefix =
      "Input must set only one of the following fields: 'data', 'binary_data_size' in 'parameters', " +
      "'shared_memory_region' in 'parameters'. But";
    throwsServerError(() => decode({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32' }] }), 'INVALID_ARG', `${prefix} no field is set`);
    throwsServerError(() => decode({ inputs: ['x'] }), 'INVALID_ARG', `${prefix} no field is set`);
    throwsServerError(
      () => decode({ inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1], parameters: { binary_data_size: 4 } }] }),
      'INVALID_ARG',
      `${prefix} set 'data' 'binary_data_size'`,
    );
    throwsServerError(
      () =>
        decode({
          inputs: [
            { name: 'x', shape: [1], datatype: 'FP32', data: [1], parameters: { binary_data_size: 4, shared_memory_region: 'r' } },
          ],
        }),
      'INVALID_ARG',
      `${prefix} set 'data' 'binary_data_size' 'shared_memory_region'`,
    );
  });

  it('requires name, datatype and a shape of unsigned integers', () => {
    throwsServerError(
      () => decode({ inputs: [{ shape: [1], datatype: 'FP32', data: [1] }] }),
      'INTERNAL',
      "Unable to parse 'name': attempt to access non-existing object member 'name'",
    );
    throwsServerError(
      () => decode({ inputs: [{ name: 3, shape: [1], datatype: 'FP32', data: [1] }] }),
      'INTERNAL',
      "Unable to parse 'name': attempt to access JSON non-string as string",
    );
    throwsServerError(
      () => decode({ inputs: [{ name: 'x', shape: [1], data: [1] }] }),
      'INTERNAL',
      "Unable to parse 'datatype': attempt to access non-existing object member 'datatype'",
    );
    throwsServerError(
      () => decode({ inputs: [{ name: 'x', datatype: 'FP32', data: [1] }] }),
      'INTERNAL',
      "Unable to parse 'shape': attempt to access non-existing object member 'shape'",
    );
    throwsServerError(
      () => decode({ inputs: [{ name: 'x', shape: 1, datatype: 'FP32', data: [1] }] }),
      'INTERNAL',
      "Unable to parse 'shape': attempt to access JSON non-array as array",
    );
    for (const bad of [-1, 1.5, '2']) {
      throwsServerError(
        () => decode({ inputs: [{ name: 'x', shape: [bad], datatype: 'FP32', data: [1] }] }),
        'INTERNAL',
        "Unable to parse 'shape': attempt to access JSON non-unsigned-integer as unsigned-integer",
      );
    }
  });

  it('takes the id as a string (kept even when empty) and refuses other types', () => {
    assert.equal(decode({ id: 'r1', inputs: [] }).request.id, 'r1');
    assert.equal(decode({ id: '', inputs: [] }).request.id, '');
    assert.equal('id' in decode({ inputs: [] }).request, false);
    throwsServerError(() => decode({ id: 1, inputs: [] }), 'INTERNAL', "Unable to parse 'id': attempt to access JSON non-string as string");
    throwsServerError(() => decode({ id: null, inputs: [] }), 'INTERNAL', "Unable to parse 'id': attempt to access JSON non-string as string");
  });

  it('ignores other top-level keys such as model_name', () => {
    const decoded = decode({ model_name: 'other', inputs: [], extra: { a: 1 } });
    assert.deepEqual(decoded.request, { inputs: [] });
  });
});

describe('HTTP infer request decoder: request parameters', () => {
  it('passes reserved and custom parameters through, binary_data_output excepted', () => {
    const decoded = decode({
      parameters: {
        sequence_id: 7,
        sequence_start: true,
        sequence_end: false,
        priority: 1,
        timeout: 5000,
        binary_data_output: true,
        text: 'a',
        count: 3,
        ratio: 0.5,
        flag: false,
      },
      inputs: [],
    });
    assert.deepEqual(decoded.request.parameters, {
      sequence_id: 7,
      sequence_start: true,
      sequence_end: false,
      priority: 1,
      timeout: 5000,
      text: 'a',
      count: 3,
      ratio: 0.5,
      flag: false,
    });
    assert.equal(decoded.format.defaultBinary, true);
    assert.equal(decode({ parameters: { sequence_id: 'corr-1' }, inputs: [] }).request.parameters!.sequence_id, 'corr-1');
  });

  it('leaves parameters out when only binary_data_output was given, and defaults it to false', () => {
    const decoded = decode({ parameters: { binary_data_output: false }, inputs: [] });
    assert.equal('parameters' in decoded.request, false);
    assert.equal(decoded.format.defaultBinary, false);
    assert.equal(decode({ inputs: [] }).format.defaultBinary, false);
  });

  it("type-checks the reserved keys with Triton's texts", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sequence_id: -1 }, "Unable to parse 'sequence_id': attempt to access JSON non-string as string"],
      [{ sequence_id: true }, "Unable to parse 'sequence_id': attempt to access JSON non-string as string"],
      [{ sequence_start: 1 }, "Unable to parse 'sequence_start': attempt to access JSON non-boolean as boolean"],
      [{ sequence_end: 'true' }, "Unable to parse 'sequence_end': attempt to access JSON non-boolean as boolean"],
      [{ priority: -1 }, "Unable to parse 'priority': attempt to access JSON non-unsigned-integer as unsigned-integer"],
      [{ timeout: 1.5 }, "Unable to parse 'timeout': attempt to access JSON non-unsigned-integer as unsigned-integer"],
      [{ binary_data_output: 1 }, "Unable to parse 'binary_data_output': attempt to access JSON non-boolean as boolean"],
    ];
    for (const [parameters, message] of cases) throwsServerError(() => decode({ parameters, inputs: [] }), 'INTERNAL', message);
    throwsServerError(
      () => decode({ parameters: [1], inputs: [] }),
      'INTERNAL',
      'failed to get request params.: attempt to get members for non-object',
    );
  });

  it('refuses triton_ keys and custom values that are objects, arrays or null', () => {
    throwsServerError(
      () => decode({ parameters: { triton_enable_empty_final_response: true }, inputs: [] }),
      'INVALID_ARG',
      "parameter keys starting with 'triton_' are reserved for Triton usage and should not be specified.",
    );
    for (const value of [{}, [1], null]) {
      throwsServerError(
        () => decode({ parameters: { custom: value }, inputs: [] }),
        'INVALID_ARG',
        "parameter 'custom' has invalid type. It should be either 'int', 'bool', or 'string'.",
      );
    }
  });
});

describe('HTTP infer request decoder: requested outputs', () => {
  it('lists outputs in order with their binary_data choice (default JSON)', () => {
    const decoded = decode({
      inputs: [],
      outputs: [{ name: 'a', parameters: { binary_data: true } }, { name: 'b' }, { name: 'c', parameters: { binary_data: false } }],
      parameters: { binary_data_output: true },
    });
    assert.deepEqual(decoded.request.outputs, [{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    assert.deepEqual([...decoded.format.listed], [['a', true], ['b', false], ['c', false]]);
    assert.equal(decoded.format.defaultBinary, true);
  });

  it('treats an absent or empty outputs list as all outputs', () => {
    assert.equal(decode({ inputs: [] }).request.outputs, undefined);
    const empty = decode({ inputs: [], outputs: [] });
    assert.equal(empty.request.outputs, undefined);
    assert.equal(empty.format.listed.size, 0);
  });

  it("checks the outputs' fields with Triton's texts", () => {
    throwsServerError(() => decode({ inputs: [], outputs: {} }), 'INTERNAL', "Unable to parse 'outputs': attempt to access JSON non-array as array");
    throwsServerError(
      () => decode({ inputs: [], outputs: [{}] }),
      'INTERNAL',
      "Unable to parse 'name': attempt to access non-existing object member 'name'",
    );
    throwsServerError(
      () => decode({ inputs: [], outputs: [{ name: 'a', parameters: { binary_data: 'yes' } }] }),
      'INTERNAL',
      "Unable to parse 'binary_data': attempt to access JSON non-boolean as boolean",
    );
    throwsServerError(
      () => decode({ inputs: [], outputs: [{ name: 'a', parameters: { classification: -1 } }] }),
      'INTERNAL',
      "Unable to set 'classification': attempt to access JSON non-unsigned-integer as unsigned-integer",
    );
  });

  it('carries a class count to the core, and reads classification 0 as none', () => {
    assert.deepEqual(decode({ inputs: [], outputs: [{ name: 'a', parameters: { classification: 3 } }] }).request.outputs, [{ name: 'a', classCount: 3 }]);
    assert.deepEqual(decode({ inputs: [], outputs: [{ name: 'a', parameters: { classification: 0 } }] }).request.outputs, [{ name: 'a' }]);
  });

  it('refuses shared-memory outputs: bad combinations first, then the region is unknown', () => {
    throwsServerError(
      () => decode({ inputs: [], outputs: [{ name: 'a', parameters: { shared_memory_region: 'r', classification: 2 } }] }),
      'INVALID_ARG',
      "Output can't set both 'shared_memory_region' and 'classification'",
    );
    throwsServerError(
      () => decode({ inputs: [], outputs: [{ name: 'a', parameters: { shared_memory_region: 'r', binary_data: true } }] }),
      'INVALID_ARG',
      "Output can't set both 'shared_memory_region' and 'binary_data'",
    );
    throwsServerError(
      () => decode({ inputs: [], outputs: [{ name: 'a', parameters: { shared_memory_region: 'r', binary_data: 1 } }] }),
      'INTERNAL',
      "Unable to set 'binary_data': attempt to access JSON non-boolean as boolean",
    );
    throwsServerError(
      () => decode({ inputs: [], outputs: [{ name: 'a', parameters: { shared_memory_region: 'r', binary_data: false } }] }),
      'NOT_FOUND',
      "Unable to find shared memory region: 'r'",
    );
  });
});

describe('HTTP infer request decoder: binary tensor data', () => {
  const f32 = bytesOf(new Float32Array([1, 2, 3, 4]));
  const i64 = bytesOf(new BigInt64Array([5n, -6n]));

  it('takes binary inputs from the bytes after the JSON, in inputs order, as views over the body', () => {
    const json = {
      inputs: [
        { name: 'a', shape: [2, 2], datatype: 'FP32', parameters: { binary_data_size: 16 } },
        { name: 'j', shape: [2], datatype: 'INT32', data: [7, 8] },
        { name: 'b', shape: [2], datatype: 'INT64', parameters: { binary_data_size: 16 } },
      ],
    };
    const text = JSON.stringify(json);
    const body = Buffer.concat([Buffer.from(text), f32, i64]);
    const decoded = decodeInferRequest(body, String(text.length), 'm', NO_RAW);
    const [a, j, b] = decoded.request.inputs;
    assert.deepEqual(Buffer.from(a!.data), Buffer.from(f32));
    assert.deepEqual([...new Int32Array(j!.data.slice().buffer)], [7, 8]);
    assert.deepEqual(Buffer.from(b!.data), Buffer.from(i64));
    assert.equal(a!.data.buffer, body.buffer, 'a view, not a copy');
    assert.equal(a!.data.byteOffset, body.byteOffset + text.length);
    assert.equal(b!.data.byteOffset, body.byteOffset + text.length + 16);
  });

  it('accepts binary_data_size 0 as an empty input', () => {
    const decoded = decode({ inputs: [{ name: 'a', shape: [0], datatype: 'FP32', parameters: { binary_data_size: 0 } }] }, [
      new Uint8Array(0),
    ]);
    assert.equal(dataOf(decoded).byteLength, 0);
  });

  it('refuses a binary input reaching past the body', () => {
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [4], datatype: 'FP32', parameters: { binary_data_size: 16 } }] }, [f32.subarray(0, 10)]),
      'INVALID_ARG',
      "unexpected size for input 'a', expecting 6 additional bytes for model 'm'",
    );
  });

  it('refuses bytes left over after the last binary input', () => {
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [2], datatype: 'FP32', parameters: { binary_data_size: 8 } }] }, [f32]),
      'INVALID_ARG',
      "unexpected additional input data for model 'm'",
    );
    throwsServerError(() => decode(input('FP32', [1], [1]), [new Uint8Array(1)]), 'INVALID_ARG', "unexpected additional input data for model 'm'");
  });

  it('reads the whole body as JSON without the header, so binary inputs find no bytes', () => {
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [4], datatype: 'FP32', parameters: { binary_data_size: 16 } }] }, [], null),
      'INVALID_ARG',
      "unexpected size for input 'a', expecting 16 additional bytes for model 'm'",
    );
    // JSON followed by bytes without the header is not JSON...
    const text = JSON.stringify({ inputs: [] });
    throwsServerError(
      () => decode(text, [new Uint8Array([0x80, 0x3f, 0, 0])], null),
      'INTERNAL',
      `failed to parse the request JSON buffer: The document root must not be followed by other values. at ${text.length}`,
    );
    // ...unless they start with a NUL byte, which ends the document for rapidjson: Triton then ignores the rest.
    assert.deepEqual(decode(text, [bytesOf(new Float32Array([0.5]))], null).request, { inputs: [] });
  });

  it('checks binary_data_size as an unsigned integer', () => {
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [1], datatype: 'FP32', parameters: { binary_data_size: -4 } }] }),
      'INTERNAL',
      "Unable to parse 'binary_data_size': attempt to access JSON non-unsigned-integer as unsigned-integer",
    );
  });

  it('refuses shared-memory inputs: no region is registered', () => {
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [1], datatype: 'FP32', parameters: { shared_memory_region: 'r', shared_memory_byte_size: 4 } }] }),
      'NOT_FOUND',
      "Unable to find shared memory region: 'r'",
    );
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [1], datatype: 'FP32', parameters: { shared_memory_region: 1 } }] }),
      'INTERNAL',
      "Unable to parse 'shared_memory_region': attempt to access JSON non-string as string",
    );
    throwsServerError(
      () => decode({ inputs: [{ name: 'a', shape: [1], datatype: 'FP32', parameters: { shared_memory_region: 'r', shared_memory_offset: -1 } }] }),
      'INTERNAL',
      "Unable to parse 'shared_memory_offset': attempt to access JSON non-unsigned-integer as unsigned-integer",
    );
  });
});

describe('HTTP infer request decoder: Inference-Header-Content-Length', () => {
  const json = JSON.stringify(input('FP32', [1], [1]));
  const body = Buffer.from(json);

  it('refuses a negative value or one past the body', () => {
    throwsServerError(
      () => decodeInferRequest(body, '-1', 'm', NO_RAW),
      'INVALID_ARG',
      `inference header size should be in range (0, ${body.length}), got: -1`,
    );
    throwsServerError(
      () => decodeInferRequest(body, String(body.length + 1), 'm', NO_RAW),
      'INVALID_ARG',
      `inference header size should be in range (0, ${body.length}), got: ${body.length + 1}`,
    );
    throwsServerError(
      () => decodeInferRequest(body, '99999999999', 'm', NO_RAW),
      'INVALID_ARG',
      `inference header size should be in range (0, ${body.length}), got: 99999999999`,
    );
  });

  it('reads the value like C atoi: leading blanks and trailing garbage are tolerated', () => {
    assert.equal(decodeInferRequest(body, ` ${body.length}`, 'm', NO_RAW).request.inputs.length, 1);
    assert.equal(decodeInferRequest(body, `${body.length}abc`, 'm', NO_RAW).request.inputs.length, 1);
    assert.equal(decodeInferRequest(body, `+${body.length}`, 'm', NO_RAW).request.inputs.length, 1);
  });

  it('treats a value reading as 0 (including non-numeric text) and an empty body without it as a raw request', () => {
    let calls = 0;
    const raw = (): [] => {
      calls++;
      return [];
    };
    const message = "[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got 0 inputs in 'm' model configuration";
    throwsServerError(() => decodeInferRequest(body, '0', 'm', raw), 'INVALID_ARG', message);
    throwsServerError(() => decodeInferRequest(body, 'abc', 'm', raw), 'INVALID_ARG', message);
    throwsServerError(() => decodeInferRequest(Buffer.alloc(0), undefined, 'm', raw), 'INVALID_ARG', message);
    assert.equal(calls, 3);
  });
});
