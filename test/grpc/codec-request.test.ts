import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configObjectFromMessage, ModelConfigType } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { buildModelPlan } from '../../src/core/model-plan.ts';
import { validateRequest } from '../../src/core/validate-request.ts';
import { DATATYPES, type Datatype } from '../../src/protocol/datatypes.ts';
import { ServerError, type ErrorCode } from '../../src/protocol/errors.ts';
import { inferenceServiceDefinition, type ModelInferRequest } from '../../src/transport/grpc/grpc-protos.ts';
import { decodeGrpcInferRequest, type DecodedGrpcInferRequest } from '../../src/transport/grpc/infer-request-decoder.ts';

const ModelInfer = inferenceServiceDefinition.ModelInfer!;

/** `partial` serialized and deserialized by the service definition: exactly what a ModelInfer handler receives. */
function wire(partial: object): { message: ModelInferRequest; bytes: Buffer } {
  const bytes = ModelInfer.requestSerialize(partial);
  return { message: ModelInfer.requestDeserialize(bytes) as ModelInferRequest, bytes };
}

function decode(partial: object): DecodedGrpcInferRequest {
  return decodeGrpcInferRequest(wire(partial).message);
}

function rejects(partial: object, code: ErrorCode, message: string): void {
  assert.throws(
    () => decode(partial),
    (e: unknown) => {
      assert.ok(e instanceof ServerError, `expected ServerError, got ${String(e)}`);
      assert.equal(e.message, message);
      assert.equal(e.code, code);
      return true;
    },
  );
}

function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/** u32 LE length + bytes per element. */
function framed(items: string[]): Buffer {
  return Buffer.concat(
    items.flatMap((s) => {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(Buffer.byteLength(s));
      return [len, Buffer.from(s)];
    }),
  );
}

/** Raw little-endian bytes of two or three elements for every datatype. */
const RAW: Record<Datatype, Buffer> = {
  BOOL: Buffer.from([1, 0, 1]),
  UINT8: Buffer.from([0, 255]),
  UINT16: bytesOf(Uint16Array.of(1, 65535)),
  UINT32: bytesOf(Uint32Array.of(1, 4294967295)),
  UINT64: bytesOf(BigUint64Array.of(1n, 2n ** 64n - 1n)),
  INT8: bytesOf(Int8Array.of(-128, 127)),
  INT16: bytesOf(Int16Array.of(-32768, 32767)),
  INT32: bytesOf(Int32Array.of(-1, 2147483647)),
  INT64: bytesOf(BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n)),
  FP16: Buffer.from([0x00, 0x3c, 0x00, 0xc0]),
  FP32: bytesOf(Float32Array.of(1.5, -2.25)),
  FP64: bytesOf(Float64Array.of(0.1, -1e300)),
  BYTES: framed(['ab', '', 'xyz']),
  BF16: Buffer.from([0x80, 0x3f, 0x00, 0xc0]),
};

const M = "for model 'm'";

describe('gRPC infer request: raw_input_contents', () => {
  for (const datatype of DATATYPES) {
    it(`${datatype}: the raw entry becomes the tensor data as a view into the received message`, () => {
      const { message, bytes } = wire({
        model_name: 'm',
        inputs: [{ name: 'x', datatype, shape: [1, 2] }],
        raw_input_contents: [RAW[datatype]],
      });
      const { request } = decodeGrpcInferRequest(message);
      const input = request.inputs[0]!;
      assert.equal(input.datatype, datatype);
      assert.deepEqual(input.shape, [1, 2]);
      assert.deepEqual(Buffer.from(input.data), RAW[datatype]);
      assert.equal(input.data.buffer, bytes.buffer, 'no copy: same memory as the message');
      assert.equal(input.data, message.raw_input_contents[0], 'the very Buffer proto-loader decoded');
    });
  }

  it('maps raw entries to inputs in order; surplus entries are ignored as in Triton', () => {
    const { request } = decode({
      model_name: 'm',
      inputs: [
        { name: 'a', datatype: 'UINT8', shape: [1] },
        { name: 'b', datatype: 'UINT8', shape: [2] },
      ],
      raw_input_contents: [Buffer.from([7]), Buffer.from([8, 9]), Buffer.from([10])],
    });
    assert.deepEqual(
      request.inputs.map((i) => [i.name, [...i.data]]),
      [
        ['a', [7]],
        ['b', [8, 9]],
      ],
    );
  });

  it('an input without data (fewer raw entries than inputs): INVALID_ARG with Triton text', () => {
    rejects(
      {
        model_name: 'm',
        inputs: [
          { name: 'a', datatype: 'UINT8', shape: [1] },
          { name: 'b', datatype: 'UINT8', shape: [1] },
        ],
        raw_input_contents: [Buffer.from([1])],
      },
      'INVALID_ARG',
      `unable to find data for input tensor 'b' ${M} in request.`,
    );
    rejects(
      { model_name: 'm', inputs: [{ name: 'a', datatype: 'FP32', shape: [1] }] },
      'INVALID_ARG',
      `unable to find data for input tensor 'a' ${M} in request.`,
    );
  });

  it('keeps zero-size raw entries (empty tensors) and shapes as numbers', () => {
    const { request } = decode({
      model_name: 'm',
      inputs: [{ name: 'x', datatype: 'FP32', shape: ['0', 3] }],
      raw_input_contents: [Buffer.alloc(0)],
    });
    assert.deepEqual(request.inputs[0]!.shape, [0, 3]);
    assert.equal(request.inputs[0]!.data.byteLength, 0);
  });

  it('an unknown datatype with raw data fails after the data checks', () => {
    rejects(
      { model_name: 'm', inputs: [{ name: 'x', datatype: 'FLOAT', shape: [1] }], raw_input_contents: [Buffer.alloc(4)] },
      'INVALID_ARG',
      'invalid datatype for input x',
    );
    // The missing data of a later input is reported first, as Triton's frontend runs before the core's type check.
    rejects(
      {
        model_name: 'm',
        inputs: [
          { name: 'x', datatype: 'FLOAT', shape: [1] },
          { name: 'y', datatype: 'FP32', shape: [1] },
        ],
        raw_input_contents: [Buffer.alloc(4)],
      },
      'INVALID_ARG',
      `unable to find data for input tensor 'y' ${M} in request.`,
    );
  });
});

function contents(field: string, values: unknown[]): object {
  return { [field]: values };
}

/** Reads little-endian element values back from tensor bytes. */
function elements(datatype: Datatype, data: Uint8Array): unknown[] {
  const copy = new Uint8Array(data).buffer;
  const typed: Partial<Record<Datatype, (b: ArrayBuffer) => ArrayLike<unknown>>> = {
    BOOL: (b) => new Uint8Array(b),
    UINT8: (b) => new Uint8Array(b),
    UINT16: (b) => new Uint16Array(b),
    UINT32: (b) => new Uint32Array(b),
    UINT64: (b) => new BigUint64Array(b),
    INT8: (b) => new Int8Array(b),
    INT16: (b) => new Int16Array(b),
    INT32: (b) => new Int32Array(b),
    INT64: (b) => new BigInt64Array(b),
    FP32: (b) => new Float32Array(b),
    FP64: (b) => new Float64Array(b),
  };
  return Array.from(typed[datatype]!(copy));
}

describe('gRPC infer request: typed contents', () => {
  const cases: [Datatype, string, unknown[], unknown[]][] = [
    ['BOOL', 'bool_contents', [true, false, true], [1, 0, 1]],
    // INT8/INT16/UINT8/UINT16 keep the low bytes of each 32-bit value, as Triton's serialization does.
    ['INT8', 'int_contents', [-1, 127, 300], [-1, 127, 44]],
    ['INT16', 'int_contents', [-2, 32767, 40000], [-2, 32767, -25536]],
    ['INT32', 'int_contents', [-2147483648, 2147483647], [-2147483648, 2147483647]],
    ['INT64', 'int64_contents', ['-9223372036854775808', '9223372036854775807'], [-(2n ** 63n), 2n ** 63n - 1n]],
    ['UINT8', 'uint_contents', [0, 255, 256], [0, 255, 0]],
    ['UINT16', 'uint_contents', [65535, 65536], [65535, 0]],
    ['UINT32', 'uint_contents', [0, 4294967295], [0, 4294967295]],
    ['UINT64', 'uint64_contents', ['18446744073709551615', 1], [2n ** 64n - 1n, 1n]],
    ['FP32', 'fp32_contents', [1.5, -2.25], [1.5, -2.25]],
    ['FP64', 'fp64_contents', [0.1, -1e300], [0.1, -1e300]],
  ];
  for (const [datatype, field, values, expected] of cases) {
    it(`${datatype} via ${field} becomes little-endian tensor bytes`, () => {
      const { request } = decode({
        model_name: 'm',
        inputs: [{ name: 'x', datatype, shape: [values.length], contents: contents(field, values) }],
      });
      assert.equal(request.inputs[0]!.datatype, datatype);
      assert.deepEqual(elements(datatype, request.inputs[0]!.data), expected);
    });
  }

  it('BYTES via bytes_contents (no prefixes) becomes u32-length-framed bytes', () => {
    const { request } = decode({
      model_name: 'm',
      inputs: [{ name: 's', datatype: 'BYTES', shape: [3], contents: { bytes_contents: ['ab', '', 'xyz'].map((s) => Buffer.from(s)) } }],
    });
    assert.deepEqual(Buffer.from(request.inputs[0]!.data), framed(['ab', '', 'xyz']));
  });

  it('mixes contents inputs in one request when no raw contents are sent', () => {
    const { request } = decode({
      model_name: 'm',
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [1], contents: { fp32_contents: [2] } },
        { name: 'b', datatype: 'BOOL', shape: [1], contents: { bool_contents: [true] } },
      ],
    });
    assert.deepEqual(
      request.inputs.map((i) => [...i.data]),
      [[0, 0, 0, 64], [1]],
    );
  });

  it('present but empty contents give an empty tensor (the core then checks the byte size)', () => {
    const { request } = decode({ model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: [2], contents: {} }] });
    assert.equal(request.inputs[0]!.data.byteLength, 0);
  });

  it('FP16 and BF16 only via raw: any typed field is a datatype mismatch', () => {
    for (const datatype of ['FP16', 'BF16']) {
      rejects(
        { model_name: 'm', inputs: [{ name: 'h', datatype, shape: [1], contents: { fp32_contents: [1] } }] },
        'INVALID_ARG',
        `unexpected explicit tensor data for input tensor 'h' ${M} of type 'FP32', expected datatype '${datatype}'`,
      );
    }
  });

  it('a field that does not match the datatype names the field type Triton derives', () => {
    const mismatch = (datatype: string, field: string, values: unknown[], fieldType: string, expected: string): void =>
      rejects(
        { model_name: 'm', inputs: [{ name: 'x', datatype, shape: [1], contents: contents(field, values) }] },
        'INVALID_ARG',
        `unexpected explicit tensor data for input tensor 'x' ${M} of type '${fieldType}', expected datatype '${expected}'`,
      );
    mismatch('FP32', 'int_contents', [1], 'INT32', 'FP32');
    mismatch('INT8', 'uint_contents', [1], 'UINT32', 'INT8');
    mismatch('INT64', 'int_contents', [1], 'INT32', 'INT64');
    mismatch('UINT64', 'uint_contents', [1], 'UINT32', 'UINT64');
    mismatch('BYTES', 'bool_contents', [true], 'BOOL', 'BYTES');
    mismatch('FP64', 'fp32_contents', [1], 'FP32', 'FP64');
    mismatch('INT32', 'bytes_contents', [Buffer.from('a')], 'BYTES', 'INT32');
    mismatch('FLOAT', 'fp32_contents', [1], 'FP32', '<invalid>');
  });

  it('two typed fields: the second is refused (binary data was already supplied)', () => {
    rejects(
      {
        model_name: 'm',
        inputs: [{ name: 'x', datatype: 'INT32', shape: [1], contents: { int_contents: [1], fp32_contents: [1] } }],
      },
      'INVALID_ARG',
      `unexpected explicit tensor data for input tensor 'x' ${M}, binary data was already supplied.`,
    );
  });

  it('contents together with non-empty raw_input_contents: INVALID_ARG naming the contents input', () => {
    rejects(
      {
        model_name: 'm',
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [1] },
          { name: 'b', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } },
        ],
        raw_input_contents: [Buffer.alloc(4)],
      },
      'INVALID_ARG',
      `contents field must not be specified when using raw_input_contents for 'b' ${M}`,
    );
  });

  it('a count that does not fit the shape passes the codec and is refused by the core with Triton text', () => {
    const config = configObjectFromMessage(
      ModelConfigType.fromObject({
        name: 'm',
        input: [
          { name: 'x', data_type: 'TYPE_FP32', dims: [4] },
          { name: 's', data_type: 'TYPE_STRING', dims: [2] },
        ],
        output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [4] }],
      }),
    ) as unknown as ModelConfig;
    const plan = buildModelPlan(config, 1);
    const { request } = decode({
      model_name: 'm',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [4], contents: { fp32_contents: [1, 2, 3] } },
        { name: 's', datatype: 'BYTES', shape: [2], contents: { bytes_contents: [Buffer.from('a'), Buffer.from('b')] } },
      ],
    });
    assert.throws(() => validateRequest(plan, request), {
      message: "[request id: <id_unknown>] input byte size mismatch for input 'x' for model 'm'. Expected 16, got 12",
    });
    const strings = decode({
      model_name: 'm',
      inputs: [
        { name: 'x', datatype: 'FP32', shape: [4], contents: { fp32_contents: [1, 2, 3, 4] } },
        { name: 's', datatype: 'BYTES', shape: [2], contents: { bytes_contents: [Buffer.from('a')] } },
      ],
    }).request;
    assert.throws(() => validateRequest(plan, strings), /expected 2 string elements for inference input 's'/);
  });
});

describe('gRPC infer request: shared memory (not supported yet)', () => {
  const shm = (parameters: object): object => ({
    model_name: 'm',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1], parameters }],
    raw_input_contents: [Buffer.alloc(4)],
  });
  const region = { string_param: 'r0' };
  const size = { int64_param: 4 };

  it('an input in a shared memory region: NOT_FOUND, as Triton answers for an unregistered region', () => {
    rejects(shm({ shared_memory_region: region, shared_memory_byte_size: size }), 'NOT_FOUND', "Unable to find shared memory region: 'r0'");
  });

  it('a shared memory input fails before the inputs after it are looked at', () => {
    rejects(
      {
        model_name: 'm',
        inputs: [
          { name: 'a', datatype: 'FP32', shape: [1], parameters: { shared_memory_region: region, shared_memory_byte_size: size } },
          { name: 'b', datatype: 'FP32', shape: [1], contents: { fp32_contents: [1] } },
        ],
      },
      'NOT_FOUND',
      "Unable to find shared memory region: 'r0'",
    );
  });

  it('shared memory with contents: INVALID_ARG', () => {
    rejects(
      {
        model_name: 'm',
        inputs: [
          {
            name: 'x',
            datatype: 'FP32',
            shape: [1],
            parameters: { shared_memory_region: region, shared_memory_byte_size: size },
            contents: { fp32_contents: [1] },
          },
        ],
      },
      'INVALID_ARG',
      `unexpected 'content' provided when using shared memory for input tensor 'x' ${M}`,
    );
  });

  it('parameter type and dependency checks with Triton texts', () => {
    rejects(
      shm({ shared_memory_region: { int64_param: 1 } }),
      'INVALID_ARG',
      "invalid value type for 'shared_memory_region' parameter for tensor 'x', expected string_param.",
    );
    rejects(
      shm({ shared_memory_offset: { int64_param: 0 } }),
      'INVALID_ARG',
      "'shared_memory_offset' can not be specified without 'shared_memory_region' parameter for tensor 'x'",
    );
    rejects(
      shm({ shared_memory_byte_size: size }),
      'INVALID_ARG',
      "'shared_memory_byte_size' can not be specified without 'shared_memory_region' parameter for tensor 'x'",
    );
    rejects(
      shm({ shared_memory_region: region, shared_memory_offset: { string_param: '0' }, shared_memory_byte_size: size }),
      'INVALID_ARG',
      "invalid value type for 'shared_memory_offset' parameter for tensor 'x', expected int64_param.",
    );
    rejects(
      shm({ shared_memory_region: region, shared_memory_byte_size: { uint64_param: 4 } }),
      'INVALID_ARG',
      "invalid value type for 'shared_memory_byte_size' parameter for tensor 'x', expected int64_param.",
    );
    rejects(
      shm({ shared_memory_region: region }),
      'INVALID_ARG',
      "'shared_memory_byte_size' must be specified along with 'shared_memory_region' parameter for tensor 'x'",
    );
  });
});

describe('gRPC infer request: identity and requested outputs', () => {
  const base = {
    model_name: 'simple',
    model_version: '3',
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }],
    raw_input_contents: [Buffer.alloc(4)],
  };

  it('returns model name and version as sent; the id only when non-empty', () => {
    const decoded = decode({ ...base, id: 'req-7' });
    assert.equal(decoded.modelName, 'simple');
    assert.equal(decoded.version, '3');
    assert.equal(decoded.request.id, 'req-7');
    assert.equal(decoded.enableEmptyFinalResponse, false);
    const anonymous = decode({ ...base, model_version: '' });
    assert.equal(anonymous.version, '');
    assert.equal('id' in anonymous.request, false);
    assert.equal('outputs' in anonymous.request, false, 'no outputs listed: every output');
    assert.equal('parameters' in anonymous.request, false);
  });

  it('lists requested outputs by name, in order (output parameters other than Triton ones are ignored)', () => {
    const { request } = decode({
      ...base,
      outputs: [{ name: 'b', parameters: { binary_data: { bool_param: true } } }, { name: 'a' }],
    });
    assert.deepEqual(request.outputs, [{ name: 'b' }, { name: 'a' }]);
  });

  it('classification: type and range checks with Triton texts, and the class count carried to the core', () => {
    const output = (parameters: object): object => ({ ...base, outputs: [{ name: 'y', parameters }] });
    rejects(
      output({ classification: { string_param: '3' } }),
      'INVALID_ARG',
      "invalid value type for 'classification' parameter, expected int64_param",
    );
    rejects(output({ classification: { int64_param: 0 } }), 'INVALID_ARG', "invalid value for 'classification' parameter, expected >= 1");
    assert.deepEqual(decode(output({ classification: { int64_param: 3 } })).request.outputs, [{ name: 'y', classCount: 3 }]);
    rejects(
      output({ classification: { int64_param: 3 }, shared_memory_region: { string_param: 'r' }, shared_memory_byte_size: { int64_param: 4 } }),
      'INVALID_ARG',
      "output can't set both 'shared_memory_region' and 'classification'",
    );
    rejects(
      output({ shared_memory_region: { string_param: 'r' }, shared_memory_byte_size: { int64_param: 4 } }),
      'NOT_FOUND',
      "Unable to find shared memory region: 'r'",
    );
  });

  it('checks in Triton order: request parameters, then input data, then requested outputs', () => {
    const badParameter = { timeout: { bool_param: true } };
    const badOutput = [{ name: 'y', parameters: { classification: { int64_param: 0 } } }];
    rejects(
      { model_name: 'm', parameters: badParameter, inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }], outputs: badOutput },
      'INVALID_ARG',
      "invalid value type for 'timeout' parameter, expected int64_param.",
    );
    rejects(
      { model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }], outputs: badOutput },
      'INVALID_ARG',
      `unable to find data for input tensor 'x' ${M} in request.`,
    );
  });
});
