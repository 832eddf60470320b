import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError } from '../../src/protocol/errors.ts';
import type { Parameters } from '../../src/protocol/inference.ts';
import { inferenceServiceDefinition, type ModelInferRequest } from '../../src/transport/grpc/grpc-protos.ts';
import {
  int64Value,
  parameterChoice,
  parameterValue,
  toInferParameter,
  toInferParameterMap,
} from '../../src/transport/grpc/infer-parameters.ts';
import { decodeGrpcInferRequest, type DecodedGrpcInferRequest } from '../../src/transport/grpc/infer-request-decoder.ts';

const ModelInfer = inferenceServiceDefinition.ModelInfer!;

/** A valid one-input request with `parameters`, through the real (de)serializer. */
function decodeWith(parameters: object): DecodedGrpcInferRequest {
  const partial = {
    model_name: 'm',
    parameters,
    inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }],
    raw_input_contents: [Buffer.alloc(4)],
  };
  return decodeGrpcInferRequest(ModelInfer.requestDeserialize(ModelInfer.requestSerialize(partial)) as ModelInferRequest);
}

function accepted(parameters: object): Parameters | undefined {
  return decodeWith(parameters).request.parameters;
}

function refused(parameters: object, message: string): void {
  assert.throws(
    () => decodeWith(parameters),
    (e: unknown) => {
      assert.ok(e instanceof ServerError, `expected ServerError, got ${String(e)}`);
      assert.equal(e.code, 'INVALID_ARG');
      assert.equal(e.message, message);
      return true;
    },
  );
}

const BIG = '9223372036854775807';

describe('gRPC request parameters: Triton type rules', () => {
  it('no parameters: none passed on', () => {
    assert.equal(accepted({}), undefined);
  });

  it('sequence_id: int64 (exact beyond 2^53) or string; uint64, bool and unset are refused', () => {
    assert.deepEqual(accepted({ sequence_id: { int64_param: 42 } }), { sequence_id: 42 });
    assert.deepEqual(accepted({ sequence_id: { int64_param: BIG } }), { sequence_id: 2n ** 63n - 1n });
    assert.deepEqual(accepted({ sequence_id: { string_param: 'abc' } }), { sequence_id: 'abc' });
    const text = "invalid value type for 'sequence_id' parameter, expected int64_param or string_param.";
    refused({ sequence_id: { uint64_param: 42 } }, text);
    refused({ sequence_id: { bool_param: true } }, text);
    refused({ sequence_id: {} }, text);
  });

  it('sequence_start and sequence_end: bool only', () => {
    assert.deepEqual(accepted({ sequence_start: { bool_param: true }, sequence_end: { bool_param: false } }), {
      sequence_start: true,
      sequence_end: false,
    });
    refused({ sequence_start: { int64_param: 1 } }, "invalid value type for 'sequence_start' parameter, expected bool_param.");
    refused({ sequence_end: { string_param: 'true' } }, "invalid value type for 'sequence_end' parameter, expected bool_param.");
  });

  it('priority: int64 >= 0 or uint64 (what Python sends); negative int64 and other types refused', () => {
    assert.deepEqual(accepted({ priority: { int64_param: 0 } }), { priority: 0 });
    assert.deepEqual(accepted({ priority: { uint64_param: 3 } }), { priority: 3 });
    assert.deepEqual(accepted({ priority: { uint64_param: '18446744073709551615' } }), { priority: 2n ** 64n - 1n });
    refused({ priority: { int64_param: -1 } }, "invalid value for 'priority', expected value >= 0.");
    refused({ priority: { string_param: '1' } }, "invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
    refused({ priority: { double_param: 1 } }, "invalid value type for 'priority' parameter, expected int64_param or uint64_param.");
  });

  it('timeout: int64 only', () => {
    assert.deepEqual(accepted({ timeout: { int64_param: 1000 } }), { timeout: 1000 });
    refused({ timeout: { uint64_param: 1000 } }, "invalid value type for 'timeout' parameter, expected int64_param.");
    refused({ timeout: { double_param: 1.5 } }, "invalid value type for 'timeout' parameter, expected int64_param.");
  });

  it("triton_ keys: refused except triton_enable_empty_final_response (bool), which is kept out of the core's", () => {
    refused(
      { triton_foo: { bool_param: true } },
      "parameter keys starting with 'triton_' are reserved for Triton usage. Only the following keys starting with " +
        "'triton_' are allowed: triton_enable_empty_final_response",
    );
    const enabled = decodeWith({ triton_enable_empty_final_response: { bool_param: true } });
    assert.equal(enabled.enableEmptyFinalResponse, true);
    assert.equal(enabled.request.parameters, undefined);
    assert.equal(decodeWith({ triton_enable_empty_final_response: { bool_param: false } }).enableEmptyFinalResponse, false);
    refused(
      { triton_enable_empty_final_response: { int64_param: 1 } },
      "invalid value type for 'triton_enable_empty_final_response' parameter, expected bool_param.",
    );
  });

  it('other keys: int64, bool, string and double are passed on; uint64 and unset are refused', () => {
    assert.deepEqual(
      accepted({
        i: { int64_param: -5 },
        b: { bool_param: false },
        s: { string_param: '' },
        d: { double_param: 0.25 },
        big: { int64_param: '-9223372036854775808' },
      }),
      { i: -5, b: false, s: '', d: 0.25, big: -(2n ** 63n) },
    );
    const text = (key: string): string =>
      `invalid value type for '${key}' parameter, expected int64_param, bool_param, or string_param.`;
    refused({ u: { uint64_param: 1 } }, text('u'));
    refused({ e: {} }, text('e'));
  });

  it('the first bad key in map order fails; keys before it would have been accepted', () => {
    refused(
      { a: { int64_param: 1 }, timeout: { string_param: 'x' }, priority: { int64_param: -1 } },
      "invalid value type for 'timeout' parameter, expected int64_param.",
    );
  });
});

describe('InferParameter ⇄ ParameterValue', () => {
  it('parameterChoice reads parameter_choice, or the set member of a hand-built object', () => {
    assert.equal(parameterChoice({ int64_param: '1', parameter_choice: 'int64_param' }), 'int64_param');
    assert.equal(parameterChoice({ string_param: 'x' }), 'string_param');
    assert.equal(parameterChoice({ bool_param: false }), 'bool_param');
    assert.equal(parameterChoice({}), undefined);
  });

  it('int64Value: numbers when exact, bigints beyond 2^53', () => {
    assert.equal(int64Value('9007199254740991'), 9007199254740991);
    assert.equal(int64Value('9007199254740993'), 9007199254740993n);
    assert.equal(int64Value('-12'), -12);
    assert.equal(int64Value(7), 7);
  });

  it('parameterValue of every member', () => {
    assert.equal(parameterValue({ double_param: 1.5 }), 1.5);
    assert.equal(parameterValue({ uint64_param: '18446744073709551615' }), 2n ** 64n - 1n);
    assert.equal(parameterValue({}), undefined);
  });

  it('toInferParameter writes bool, string, int64 (uint64 above int64), double', () => {
    assert.deepEqual(toInferParameter(true), { bool_param: true });
    assert.deepEqual(toInferParameter('s'), { string_param: 's' });
    assert.deepEqual(toInferParameter(-3), { int64_param: '-3' });
    assert.deepEqual(toInferParameter(2 ** 60), { int64_param: '1152921504606846976' });
    assert.deepEqual(toInferParameter(0.5), { double_param: 0.5 });
    assert.deepEqual(toInferParameter(2 ** 70), { double_param: 2 ** 70 });
    assert.deepEqual(toInferParameter(2n ** 63n - 1n), { int64_param: BIG });
    assert.deepEqual(toInferParameter(2n ** 64n - 1n), { uint64_param: '18446744073709551615' });
    assert.deepEqual(toInferParameterMap({ a: 1, b: 'x' }), { a: { int64_param: '1' }, b: { string_param: 'x' } });
  });
});
