import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import type { InferResponse, OutputTensor } from '../../src/protocol/inference.ts';
import {
  GRPC_PROTO_DIR,
  GRPC_SERVICE_PROTO,
  inferenceServiceDefinition,
  type ModelInferResponse,
} from '../../src/transport/grpc/grpc-protos.ts';
import { encodeGrpcInferResponse, streamError, streamResponse } from '../../src/transport/grpc/infer-response-encoder.ts';

const ModelInfer = inferenceServiceDefinition.ModelInfer!;
const ModelStreamInfer = inferenceServiceDefinition.ModelStreamInfer!;

/** The real message types, by protobufjs reflection on the same .proto files (independent of proto-loader). */
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(GRPC_PROTO_DIR, path.basename(target));
root.loadSync(GRPC_SERVICE_PROTO, { keepCase: true });
const ModelInferResponseType = root.lookupType('inference.ModelInferResponse');

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

const fp32: OutputTensor = { name: 'OUT0', datatype: 'FP32', shape: [2, 2], data: bytesOf(Float32Array.of(1, 2, 3, 4)) };
const empty: OutputTensor = { name: 'EMPTY', datatype: 'INT64', shape: [0, 3], data: new Uint8Array(0) };
const text: OutputTensor = {
  name: 'TEXT',
  datatype: 'BYTES',
  shape: [1],
  data: Uint8Array.of(2, 0, 0, 0, 0x68, 0x69),
};

const response: InferResponse = {
  modelName: 'simple',
  modelVersion: '3',
  id: 'req-1',
  outputs: [fp32, empty, text],
};

describe('gRPC infer response encoding', () => {
  it('sets identity, and name/datatype/shape per output with int64 dims as decimal strings', () => {
    const encoded = encodeGrpcInferResponse(response);
    assert.equal(encoded.model_name, 'simple');
    assert.equal(encoded.model_version, '3');
    assert.equal(encoded.id, 'req-1');
    assert.deepEqual(encoded.parameters, {});
    assert.deepEqual(encoded.outputs, [
      { name: 'OUT0', datatype: 'FP32', shape: ['2', '2'], parameters: {} },
      { name: 'EMPTY', datatype: 'INT64', shape: ['0', '3'], parameters: {} },
      { name: 'TEXT', datatype: 'BYTES', shape: ['1'], parameters: {} },
    ]);
  });

  it("id is '' when the request had none", () => {
    assert.equal(encodeGrpcInferResponse({ modelName: 'm', modelVersion: '1', outputs: [] }).id, '');
  });

  it('one raw_output_contents entry per output, in order, zero-size included; the same views, no contents', () => {
    const encoded = encodeGrpcInferResponse(response);
    assert.equal(encoded.raw_output_contents.length, 3);
    assert.equal(encoded.raw_output_contents[0], fp32.data, 'not copied');
    assert.equal(encoded.raw_output_contents[1], empty.data);
    assert.equal(encoded.raw_output_contents[2], text.data);
    for (const output of encoded.outputs) assert.equal('contents' in output, false);
  });

  it('response parameters become InferParameters; extra parameters are added after them', () => {
    const encoded = encodeGrpcInferResponse(
      { ...response, parameters: { flag: true, n: 7, s: 'x', d: 0.5, big: 2n ** 63n - 1n } },
      { triton_final_response: { bool_param: true } },
    );
    assert.deepEqual(encoded.parameters, {
      flag: { bool_param: true },
      n: { int64_param: '7' },
      s: { string_param: 'x' },
      d: { double_param: 0.5 },
      big: { int64_param: '9223372036854775807' },
      triton_final_response: { bool_param: true },
    });
  });

  it('serializes through the service definition: a client reads back every output by its index', () => {
    const encoded = encodeGrpcInferResponse({ ...response, parameters: { n: 7 } });
    const wire = ModelInfer.responseSerialize(encoded);
    const decoded = ModelInfer.responseDeserialize(wire) as ModelInferResponse;
    assert.equal(decoded.id, 'req-1');
    assert.equal(decoded.model_version, '3');
    assert.deepEqual(decoded.parameters, { n: { int64_param: '7', parameter_choice: 'int64_param' } });
    assert.deepEqual(
      decoded.outputs.map((o) => [o.name, o.datatype, o.shape, o.contents]),
      [
        ['OUT0', 'FP32', ['2', '2'], null],
        ['EMPTY', 'INT64', ['0', '3'], null],
        ['TEXT', 'BYTES', ['1'], null],
      ],
    );
    assert.equal(decoded.raw_output_contents.length, 3, 'the empty entry is kept, so indexes stay aligned');
    assert.deepEqual(Buffer.from(decoded.raw_output_contents[0]!), Buffer.from(fp32.data));
    assert.equal(decoded.raw_output_contents[1]!.byteLength, 0);
    assert.deepEqual(Buffer.from(decoded.raw_output_contents[2]!), Buffer.from(text.data));
  });

  it('encodes with the real inference.ModelInferResponse type (fromObject, encode, decode) to the same content', () => {
    const encoded = encodeGrpcInferResponse({ ...response, parameters: { s: 'x' } });
    const message = ModelInferResponseType.decode(
      ModelInferResponseType.encode(ModelInferResponseType.fromObject(encoded)).finish(),
    );
    const plain = ModelInferResponseType.toObject(message, { longs: String, arrays: true, bytes: Array });
    assert.deepEqual(plain.raw_output_contents, [[0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64], [], [2, 0, 0, 0, 104, 105]]);
    assert.deepEqual(plain.outputs[1].shape, ['0', '3']);
    assert.deepEqual(plain.parameters, { s: { string_param: 'x' } });
  });
});

describe('gRPC stream responses', () => {
  it('every result carries triton_final_response (true by default: one response per request)', () => {
    const message = streamResponse(response);
    assert.equal(message.error_message, '');
    assert.deepEqual(message.infer_response!.parameters.triton_final_response, { bool_param: true });
    assert.equal(message.infer_response!.raw_output_contents.length, 3);
    assert.deepEqual(streamResponse(response, false).infer_response!.parameters.triton_final_response, {
      bool_param: false,
    });
  });

  it('accepts an already encoded response and adds the flag after its parameters', () => {
    const encoded = encodeGrpcInferResponse({ ...response, parameters: { n: 1 } });
    const message = streamResponse(encoded);
    assert.deepEqual(message.infer_response!.parameters, {
      n: { int64_param: '1' },
      triton_final_response: { bool_param: true },
    });
    assert.equal(message.infer_response!.raw_output_contents[0], fp32.data);
    assert.deepEqual(encoded.parameters, { n: { int64_param: '1' } }, 'the encoded response is not modified');
  });

  it('serializes: the flag reads back as a bool parameter', () => {
    const decoded = ModelStreamInfer.responseDeserialize(ModelStreamInfer.responseSerialize(streamResponse(response)));
    assert.equal(decoded.error_message, '');
    assert.deepEqual(decoded.infer_response.parameters.triton_final_response, {
      bool_param: true,
      parameter_choice: 'bool_param',
    });
    assert.equal(decoded.infer_response.outputs.length, 3);
  });

  it('a failure carries error_message and an infer_response with only the request id', () => {
    const message = streamError('req-9', "Request for unknown model: 'nope' is not found");
    assert.equal(message.error_message, "Request for unknown model: 'nope' is not found");
    const decoded = ModelStreamInfer.responseDeserialize(ModelStreamInfer.responseSerialize(message));
    assert.deepEqual(decoded, {
      error_message: "Request for unknown model: 'nope' is not found",
      infer_response: { model_name: '', model_version: '', id: 'req-9', parameters: {}, outputs: [], raw_output_contents: [] },
    });
  });
});
