import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { InferenceService } from '../../src/core/inference-service.ts';
import type { InferRequest } from '../../src/protocol/inference.ts';
import type { ModelRepository } from '../../src/repository/model-repository.ts';
import { loadRepository } from '../support/repository.ts';
import { bytesInput, fp32Input, int64Input, range, readBytes, readFp32, readInt64 } from '../support/tensors.ts';

const SHIPPED = fileURLToPath(new URL('../../model_repository', import.meta.url));

let repository: ModelRepository;
let service: InferenceService;

before(async () => {
  repository = await loadRepository([SHIPPED]);
  service = new InferenceService(repository);
});

function addSubRequest(rows: number, offset = 0): InferRequest {
  return {
    inputs: [
      fp32Input('INPUT0', [rows, 16], range(rows * 16, (i) => i + offset)),
      fp32Input('INPUT1', [rows, 16], range(rows * 16, () => 1)),
    ],
  };
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

describe('in-process inference on every shipped model', () => {
  it('every shipped model is READY', () => {
    assert.deepEqual(
      repository.statuses().map((s) => [s.name, s.version, s.state]),
      [
        ['accumulator', 1, 'READY'],
        ['add_sub', 1, 'READY'],
        ['autocomplete_add', 1, 'READY'],
        ['identity_bytes', 1, 'READY'],
        ['identity_int64', 1, 'READY'],
        ['mlp_classifier', 1, 'READY'],
        ['mlp_pipeline', 1, 'READY'],
        ['postprocess', 1, 'READY'],
        ['preprocess', 1, 'READY'],
      ],
    );
    assert.equal(repository.allReady(), true);
  });

  it('add_sub returns the sum and the difference, echoes the id and names the version used', async () => {
    const response = await service.infer('add_sub', undefined, { ...addSubRequest(2), id: 'req-7' });
    assert.equal(response.modelName, 'add_sub');
    assert.equal(response.modelVersion, '1');
    assert.equal(response.id, 'req-7');
    assert.deepEqual(response.outputs.map((o) => [o.name, o.datatype, o.shape]), [
      ['OUTPUT0', 'FP32', [2, 16]],
      ['OUTPUT1', 'FP32', [2, 16]],
    ]);
    assert.deepEqual(readFp32(response.outputs[0]!), range(32, (i) => i + 1));
    assert.deepEqual(readFp32(response.outputs[1]!), range(32, (i) => i - 1));
  });

  it('returns only the requested outputs, in the order asked, and omits an empty id', async () => {
    const response = await service.infer('add_sub', '1', { ...addSubRequest(1), id: '', outputs: [{ name: 'OUTPUT1' }] });
    assert.equal(response.id, undefined);
    assert.deepEqual(response.outputs.map((o) => o.name), ['OUTPUT1']);
    assert.deepEqual(readFp32(response.outputs[0]!), range(16, (i) => i - 1));
  });

  it('identity_int64 echoes 64-bit integers exactly, including values beyond 2^53', async () => {
    const values = [1n, -2n, 9007199254740993n, -(2n ** 63n)];
    const response = await service.infer('identity_int64', undefined, { inputs: [int64Input('INPUT0', [2, 2], values)] });
    assert.deepEqual(response.outputs[0]!.shape, [2, 2]);
    assert.deepEqual(readInt64(response.outputs[0]!), values);
  });

  it('identity_bytes echoes BYTES elements, including empty and non-ASCII ones', async () => {
    const values = ['hello', '', 'żółw 🐢', 'x'.repeat(1000)];
    const response = await service.infer('identity_bytes', undefined, { inputs: [bytesInput('INPUT0', [1, 4], values)] });
    assert.equal(response.outputs[0]!.datatype, 'BYTES');
    assert.deepEqual(readBytes(response.outputs[0]!), values);
  });

  it('mlp_classifier returns a probability distribution per row', async () => {
    const response = await service.infer('mlp_classifier', undefined, {
      inputs: [fp32Input('input', [3, 16], range(48, (i) => Math.sin(i)))],
    });
    const probabilities = readFp32(response.outputs[0]!);
    assert.deepEqual(response.outputs[0]!.shape, [3, 4]);
    for (let row = 0; row < 3; row++) {
      const sum = probabilities.slice(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${row} sums to ${sum}`);
    }
  });

  it('autocomplete_add (no config.pbtxt) adds its inputs', async () => {
    const response = await service.infer('autocomplete_add', undefined, {
      inputs: [fp32Input('x', [2, 4], range(8)), fp32Input('y', [2, 4], range(8, () => 10))],
    });
    assert.deepEqual(response.outputs.map((o) => o.name), ['sum']);
    assert.deepEqual(readFp32(response.outputs[0]!), range(8, (i) => i + 10));
  });

  it('queues requests in arrival order while all instances are busy, and answers every one', async () => {
    const responses = await Promise.all(range(24).map((k) => service.infer('add_sub', undefined, addSubRequest(1, k * 100))));
    responses.forEach((response, k) => assert.deepEqual(readFp32(response.outputs[0]!), range(16, (i) => i + k * 100 + 1)));
  });
});

describe('in-process inference errors carry Triton codes and texts', () => {
  it('unknown model', async () => {
    await rejectsWith(service.infer('nope', undefined, addSubRequest(1)), 'NOT_FOUND', "Request for unknown model: 'nope' is not found");
  });

  it('unknown version', async () => {
    await rejectsWith(service.infer('add_sub', '9', addSubRequest(1)), 'NOT_FOUND', "Request for unknown model: 'add_sub' version 9 is not found");
  });

  it('a version that is not a number', async () => {
    await rejectsWith(service.infer('add_sub', 'abc', addSubRequest(1)), 'INVALID_ARG', /version 'abc'/);
  });

  it('a datatype the model does not take', async () => {
    const request: InferRequest = { inputs: [int64Input('INPUT0', [1, 16], range(16).map(BigInt)), addSubRequest(1).inputs[1]!] };
    await rejectsWith(service.infer('add_sub', undefined, request), 'INVALID_ARG', /INPUT0.*data-type is 'INT64', but model 'add_sub' expects 'FP32'/);
  });

  it('a shape that does not match the config (Triton checks INPUT1 first, in its map order)', async () => {
    const request: InferRequest = { inputs: [fp32Input('INPUT0', [1, 15], range(15)), fp32Input('INPUT1', [1, 15], range(15))] };
    await rejectsWith(service.infer('add_sub', undefined, request), 'INVALID_ARG', /unexpected shape for input 'INPUT1' for model 'add_sub'. Expected \[-1,16\], got \[1,15\]/);
  });

  it('a batch larger than max_batch_size', async () => {
    await rejectsWith(service.infer('add_sub', undefined, addSubRequest(9)), 'INVALID_ARG', "[request id: <id_unknown>] inference request batch-size must be <= 8 for 'add_sub'");
  });

  it('an output the model does not have', async () => {
    await rejectsWith(service.infer('add_sub', undefined, { ...addSubRequest(1), outputs: [{ name: 'OUTPUT9' }] }), 'INVALID_ARG', /unexpected inference output 'OUTPUT9' for model 'add_sub'/);
  });

  it('a missing input', async () => {
    await rejectsWith(service.infer('add_sub', undefined, { inputs: [addSubRequest(1).inputs[0]!] }), 'INVALID_ARG', /expected 2 inputs but got 1 inputs for model 'add_sub'/);
  });

  it('a byte size that does not match the shape', async () => {
    const short = { ...fp32Input('INPUT0', [1, 16], range(16)), data: new Uint8Array(60) };
    await rejectsWith(service.infer('add_sub', undefined, { inputs: [short, addSubRequest(1).inputs[1]!] }), 'INVALID_ARG', /byte size/);
  });

  it('the server keeps serving after every error', async () => {
    const response = await service.infer('add_sub', undefined, addSubRequest(1));
    assert.deepEqual(readFp32(response.outputs[0]!), range(16, (i) => i + 1));
  });
});
