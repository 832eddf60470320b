/**
 * The sequence batcher (direct strategy) on real ONNX Runtime sessions: correlation IDs and START/END with Triton's
 * errors, one request at a time per sequence in arrival order, sequences bound to one instance batched together, the
 * idle timeout, and the refusal of what it does not carry out yet (control inputs, state, the oldest strategy).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { plainMessage } from '../../src/config/model-config-schema.ts';
import { refuseUnbuiltSequenceFeatures } from '../../src/config/sequence-batching.ts';
import { BATCH_INFO_PARAMETER, BATCH_SIZE_PARAMETER, InferenceService } from '../../src/core/inference-service.ts';
import type { InferRequest, InferResponse, Parameters } from '../../src/protocol/inference.ts';
import type { ModelRepository } from '../../src/repository/model-repository.ts';
import type { SequenceBatcher } from '../../src/scheduler/sequence-batcher.ts';
import { loadRepository } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, readFp32 } from '../support/tensors.ts';
import { until } from '../support/wait.ts';

const N = 1024;

/** Y = X·W·W·W·W (W the N×N identity): 2048 rows take about a second on one thread; Y equals X. */
function slowBatchingModel(): Uint8Array {
  const w = new Float32Array(N * N);
  for (let i = 0; i < N; i++) w[i * N + i] = 1;
  return buildOnnxModel({
    name: 'slow_batching',
    inputs: [{ name: 'X', type: 'float', shape: ['batch', N] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['batch', N] }],
    initializers: [{ name: 'W', type: 'float', dims: [N, N], values: w }],
    nodes: [1, 2, 3, 4].map((i) => ({ op: 'MatMul', inputs: [i === 1 ? 'X' : `P${i - 1}`, 'W'], outputs: [i === 4 ? 'Y' : `P${i}`] })),
  });
}

const ADD_IO = `max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]`;

let repository: ModelRepository;
let service: InferenceService;

before(async () => {
  const repo = tempDir();
  writeModelDir(repo, 'seq_add', addModel(), { config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { }` });
  writeModelDir(repo, 'seq_idle', addModel(), { config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { max_sequence_idle_microseconds: 1000 }` });
  writeModelDir(repo, 'seq_slow', slowBatchingModel(), {
    config: `backend: "onnxruntime"\nmax_batch_size: 2048\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ ${N} ] } ]\n` +
      `output [ { name: "Y" data_type: TYPE_FP32 dims: [ ${N} ] } ]\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n` +
      'parameters { key: "intra_op_thread_count" value { string_value: "1" } }\nsequence_batching { }',
  });
  writeModelDir(repo, 'seq_oldest', addModel(), { config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { oldest { max_candidate_sequences: 4 } }` });
  repository = await loadRepository([repo]);
  service = new InferenceService(repository);
});

function add(model: string, parameters: Parameters, value = 1): Promise<InferResponse> {
  const request: InferRequest = {
    inputs: [fp32Input('INPUT0', [1, 4], [value, value, value, value]), fp32Input('INPUT1', [1, 4], [10, 20, 30, 40])],
    parameters: { ...parameters, [BATCH_INFO_PARAMETER]: true },
  };
  return service.infer(model, undefined, request);
}

function slow(rows: number, parameters: Parameters, value: number): Promise<InferResponse> {
  return service.infer('seq_slow', undefined, {
    inputs: [fp32Input('X', [rows, N], new Float32Array(rows * N).fill(value))],
    parameters: { ...parameters, [BATCH_INFO_PARAMETER]: true },
  });
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

const batcher = (model: string): SequenceBatcher => repository.resolve(model).scheduler as SequenceBatcher;

describe('sequence batcher (direct strategy)', () => {
  it("refuses a request without a correlation ID, and the first request of a sequence without START, with Triton's texts", async () => {
    const noId = "inference request to model 'seq_add' must specify a non-zero or non-empty correlation ID";
    await rejectsWith(add('seq_add', {}), 'INVALID_ARG', noId);
    await rejectsWith(add('seq_add', { sequence_id: 0, sequence_start: true }), 'INVALID_ARG', noId);
    await rejectsWith(add('seq_add', { sequence_id: '', sequence_start: true }), 'INVALID_ARG', noId);
    await rejectsWith(add('seq_add', { sequence_id: 7 }), 'INVALID_ARG',
      "inference request for sequence 7 to model 'seq_add' must specify the START flag on the first request of the sequence");
    await rejectsWith(add('seq_add', { sequence_id: 'abc' }), 'INVALID_ARG',
      "inference request for sequence abc to model 'seq_add' must specify the START flag on the first request of the sequence");
  });

  it('serves a sequence from START to END, then needs START again', async () => {
    const first = await add('seq_add', { sequence_id: 11, sequence_start: true }, 1);
    assert.deepEqual(Array.from(readFp32(first.outputs[0]!)), [11, 21, 31, 41]);
    const middle = await add('seq_add', { sequence_id: 11 }, 2);
    assert.deepEqual(Array.from(readFp32(middle.outputs[0]!)), [12, 22, 32, 42]);
    await add('seq_add', { sequence_id: 11, sequence_end: true }, 3);
    assert.equal(batcher('seq_add').liveSequences, 0);
    await rejectsWith(add('seq_add', { sequence_id: 11 }), 'INVALID_ARG',
      "inference request for sequence 11 to model 'seq_add' must specify the START flag on the first request of the sequence");
    // A string ID is a different sequence from the number with the same digits.
    await add('seq_add', { sequence_id: '11', sequence_start: true, sequence_end: true });
  });

  it('runs the requests of one sequence one at a time in arrival order, and batches heads of different sequences', async () => {
    // Sequence 1 occupies the only instance with a long request; its next request and the heads of sequences 2 and 3
    // queue behind it. When it ends, the three heads (one per sequence) run as one batch; sequence 1's request waits
    // for its predecessor and so never shares a batch with it.
    const long = slow(2048, { sequence_id: 1, sequence_start: true }, 1);
    await until(() => batcher('seq_slow').inflight === 1 && batcher('seq_slow').pending === 0);
    const next1 = slow(1, { sequence_id: 1 }, 2);
    const head2 = slow(1, { sequence_id: 2, sequence_start: true }, 3);
    const head3 = slow(1, { sequence_id: 3, sequence_start: true, sequence_end: true }, 4);
    const [l, n1, h2, h3] = await Promise.all([long, next1, head2, head3]);
    assert.equal(l.parameters![BATCH_SIZE_PARAMETER], 2048);
    for (const r of [n1, h2, h3]) assert.equal(r.parameters![BATCH_SIZE_PARAMETER], 3, 'the three heads ran together');
    assert.deepEqual([n1, h2, h3].map((r) => readFp32(r.outputs[0]!)[0]), [2, 3, 4]);
    assert.equal(batcher('seq_slow').liveSequences, 2, 'sequences 1 and 2 are live, 3 ended');
    await slow(1, { sequence_id: 1, sequence_end: true }, 5);
    await slow(1, { sequence_id: 2, sequence_end: true }, 6);
    assert.equal(batcher('seq_slow').liveSequences, 0);
  });

  it('releases a sequence idle for max_sequence_idle_microseconds; its next request then needs START', async () => {
    await add('seq_idle', { sequence_id: 5, sequence_start: true });
    await until(() => batcher('seq_idle').liveSequences === 0);
    await rejectsWith(add('seq_idle', { sequence_id: 5 }), 'INVALID_ARG',
      "inference request for sequence 5 to model 'seq_idle' must specify the START flag on the first request of the sequence");
  });

  it('refuses at load what it does not carry out yet, naming the field', () => {
    const oldest = repository.statuses().find((s) => s.name === 'seq_oldest')!;
    assert.equal(oldest.state, 'UNAVAILABLE');
    assert.match(oldest.reason, /^Unsupported: model 'seq_oldest': sequence_batching\.oldest is not supported yet/);
    const config = (sequence_batching: object): ModelConfig => plainMessage<ModelConfig>('ModelConfig', { name: 'm', sequence_batching });
    const refused = (sequence_batching: object, field: string): void =>
      assert.throws(() => refuseUnbuiltSequenceFeatures(config(sequence_batching)), new RegExp(`sequence_batching\\.${field} is not supported yet`));
    refused({ control_input: [{ name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0, 1] }] }] }, 'control_input');
    refused({ state: [{ input_name: 'S_IN', output_name: 'S_OUT', data_type: 'TYPE_FP32', dims: [1] }] }, 'state');
    refused({ iterative_sequence: true }, 'iterative_sequence');
    refuseUnbuiltSequenceFeatures(config({ max_sequence_idle_microseconds: 5000 }));
  });
});
