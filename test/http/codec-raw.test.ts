import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerError } from '../../src/protocol/errors.ts';
import { decodeInferRequest, type RawInputSpec } from '../../src/transport/http/infer-request-decoder.ts';

function raw(body: Buffer, ...inputs: RawInputSpec[]): ReturnType<typeof decodeInferRequest> {
  return decodeInferRequest(body, '0', 'm', () => inputs);
}

function throwsInvalidArg(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ServerError);
    assert.equal(error.code, 'INVALID_ARG');
    assert.equal(error.message, message);
    return true;
  });
}

const f32 = (values: number[]): Buffer => Buffer.from(new Float32Array(values).buffer);

describe('HTTP infer request decoder: raw binary requests (header 0)', () => {
  it('makes the whole body the data of the single input, deducing the variable dimension', () => {
    const body = f32([1, 2, 3, 4, 5, 6]);
    const decoded = raw(body, { name: 'IN', datatype: 'FP32', shape: [-1, 3], batched: false });
    assert.deepEqual(decoded.request.inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })), [
      { name: 'IN', datatype: 'FP32', shape: [2, 3] },
    ]);
    const data = decoded.request.inputs[0]!.data;
    assert.equal(data.buffer, body.buffer, 'a view over the body');
    assert.equal(data.byteOffset, body.byteOffset);
    assert.equal(data.byteLength, 24);
  });

  it('gives a batching model batch size 1 and still deduces one variable dimension after it', () => {
    assert.deepEqual(raw(f32([1, 2, 3]), { name: 'IN', datatype: 'FP32', shape: [-1, 3], batched: true }).request.inputs[0]!.shape, [1, 3]);
    assert.deepEqual(
      raw(f32(new Array(12).fill(0)), { name: 'IN', datatype: 'FP32', shape: [-1, -1, 2], batched: true }).request.inputs[0]!.shape,
      [1, 6, 2],
    );
    assert.deepEqual(raw(f32([1, 2]), { name: 'IN', datatype: 'FP32', shape: [2], batched: false }).request.inputs[0]!.shape, [2]);
  });

  it('divides as Triton does when the body is not a whole number of rows, and reads an empty body as 0 rows', () => {
    assert.deepEqual(raw(Buffer.alloc(10), { name: 'IN', datatype: 'FP32', shape: [-1], batched: false }).request.inputs[0]!.shape, [2]);
    const empty = raw(Buffer.alloc(0), { name: 'IN', datatype: 'INT64', shape: [-1, 4], batched: false });
    assert.deepEqual(empty.request.inputs[0]!.shape, [0, 4]);
    assert.equal(empty.request.inputs[0]!.data.byteLength, 0);
    assert.deepEqual(raw(Buffer.alloc(8), { name: 'IN', datatype: 'FP32', shape: [0, -1], batched: false }).request.inputs[0]!.shape, [0, 0]);
  });

  it('asks for every output in binary and carries no id, parameters or outputs', () => {
    const decoded = raw(f32([1]), { name: 'IN', datatype: 'FP32', shape: [1], batched: false });
    assert.equal(decoded.format.defaultBinary, true);
    assert.equal(decoded.format.listed.size, 0);
    assert.deepEqual(Object.keys(decoded.request), ['inputs']);
  });

  it('frames a BYTES body as one element when the model input has shape [1]', () => {
    const decoded = raw(Buffer.from('héllo'), { name: 'S', datatype: 'BYTES', shape: [1], batched: false });
    assert.deepEqual(decoded.request.inputs[0]!.shape, [1]);
    assert.deepEqual(Buffer.from(decoded.request.inputs[0]!.data), Buffer.concat([Buffer.from([6, 0, 0, 0]), Buffer.from('héllo')]));
    const batched = raw(Buffer.from('x'), { name: 'S', datatype: 'BYTES', shape: [-1, 1], batched: true });
    assert.deepEqual(batched.request.inputs[0]!.shape, [1, 1]);
  });

  it('refuses BYTES inputs of any other shape', () => {
    const message = "[request id: <id_unknown>] For BYTE datatype raw input 'S', the model must have input shape [1]";
    throwsInvalidArg(() => raw(Buffer.from('x'), { name: 'S', datatype: 'BYTES', shape: [-1], batched: false }), message);
    throwsInvalidArg(() => raw(Buffer.from('x'), { name: 'S', datatype: 'BYTES', shape: [2], batched: false }), message);
    throwsInvalidArg(() => raw(Buffer.from('x'), { name: 'S', datatype: 'BYTES', shape: [-1, -1], batched: true }), message);
  });

  it('refuses more than one variable dimension', () => {
    throwsInvalidArg(
      () => raw(f32([1]), { name: 'IN', datatype: 'FP16', shape: [-1, -1], batched: false }),
      "[request id: <id_unknown>] The shape of the raw input 'IN' can not be deduced because there are more than one variable-sized dimension",
    );
  });

  it('refuses models without exactly one input', () => {
    const spec: RawInputSpec = { name: 'IN', datatype: 'FP32', shape: [1], batched: false };
    throwsInvalidArg(
      () => raw(f32([1]), spec, { ...spec, name: 'IN2' }),
      "[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got 2 inputs in 'm' model configuration",
    );
    throwsInvalidArg(
      () => raw(f32([1])),
      "[request id: <id_unknown>] Raw request must only have 1 input (found 1) to be deduced but got 0 inputs in 'm' model configuration",
    );
  });
});
