/**
 * The sequence batcher (direct strategy) on real ONNX Runtime sessions: correlation IDs and START/END with Triton's
 * errors, one request at a time per sequence in arrival order, sequences bound to one instance batched together, the
 * idle timeout, the control inputs it adds, implicit state kept in the instance's worker (initial state zero or from
 * a file, checked with Triton's texts; let go at END, idle timeout and worker death), queue delays (oldest with
 * preferred sizes, direct with minimum slot utilization), Triton's batch-size-1 rule, and the refusal of what it does
 * not carry out yet (iterative sequences).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { accumulatorModel } from '../../scripts/onnx/shipped-models.ts';
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

/**
 * Y = X·W·W·W·W (W the N×N identity) on X of shape [batch, rows, N]: 2048 rows take about a second on one thread; Y
 * equals X. (A sequence request is one batch row, so the work is in the second dimension.)
 */
function slowBatchingModel(): Uint8Array {
  const w = new Float32Array(N * N);
  for (let i = 0; i < N; i++) w[i * N + i] = 1;
  return buildOnnxModel({
    name: 'slow_batching',
    inputs: [{ name: 'X', type: 'float', shape: ['batch', 'rows', N] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['batch', 'rows', N] }],
    initializers: [{ name: 'W', type: 'float', dims: [N, N], values: w }],
    nodes: [1, 2, 3, 4].map((i) => ({ op: 'MatMul', inputs: [i === 1 ? 'X' : `P${i - 1}`, 'W'], outputs: [i === 4 ? 'Y' : `P${i}`] })),
  });
}

/** Echoes INPUT0 and the four control inputs the sequence batcher adds (START fp32, END int32, READY bool, CORRID uint64). */
function controlEchoModel(): Uint8Array {
  const names = ['INPUT0', 'START', 'END', 'READY', 'CORRID'] as const;
  const types = { INPUT0: 'float', START: 'float', END: 'int32', READY: 'bool', CORRID: 'uint64' } as const;
  return buildOnnxModel({
    name: 'control_echo',
    inputs: names.map((name) => ({ name, type: types[name], shape: ['batch', name === 'INPUT0' ? 4 : 1] })),
    outputs: names.map((name) => ({ name: `${name}_OUT`, type: types[name], shape: ['batch', name === 'INPUT0' ? 4 : 1] })),
    nodes: names.map((name) => ({ op: 'Identity', inputs: [name], outputs: [`${name}_OUT`] })),
  });
}


const ACCUMULATOR_CONFIG = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "OUTPUT" data_type: TYPE_FP32 dims: [ 1 ] } ]
instance_group [ { count: 2 kind: KIND_CPU } ]
sequence_batching {
  state [ { input_name: "STATE_IN" output_name: "STATE_OUT" data_type: TYPE_FP32 dims: [ 1 ]
            initial_state [ { data_type: TYPE_FP32 dims: [ 1 ] zero_data: true name: "zeros" } ] } ]
}`;

const CONTROL_CONFIG = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [
  { name: "INPUT0_OUT" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "START_OUT" data_type: TYPE_FP32 dims: [ 1 ] },
  { name: "END_OUT" data_type: TYPE_INT32 dims: [ 1 ] }, { name: "READY_OUT" data_type: TYPE_BOOL dims: [ 1 ] },
  { name: "CORRID_OUT" data_type: TYPE_UINT64 dims: [ 1 ] }
]
instance_group [ { count: 1 kind: KIND_CPU } ]
sequence_batching {
  control_input [
    { name: "START" control [ { kind: CONTROL_SEQUENCE_START fp32_false_true: [ 0, 1 ] } ] },
    { name: "END" control [ { kind: CONTROL_SEQUENCE_END int32_false_true: [ 0, 7 ] } ] },
    { name: "READY" control [ { kind: CONTROL_SEQUENCE_READY bool_false_true: [ false, true ] } ] },
    { name: "CORRID" control [ { kind: CONTROL_SEQUENCE_CORRID data_type: TYPE_UINT64 } ] }
  ]
}`;

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
    config: `backend: "onnxruntime"\nmax_batch_size: 8\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ -1, ${N} ] } ]\n` +
      `output [ { name: "Y" data_type: TYPE_FP32 dims: [ -1, ${N} ] } ]\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n` +
      'parameters { key: "intra_op_thread_count" value { string_value: "1" } }\nsequence_batching { }',
  });
  writeModelDir(repo, 'seq_controls', controlEchoModel(), { config: CONTROL_CONFIG });
  writeModelDir(repo, 'seq_accumulate', accumulatorModel(), { config: ACCUMULATOR_CONFIG });
  writeModelDir(repo, 'seq_oldest_one', addModel(), { config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { oldest { max_candidate_sequences: 1 } }` });
  writeModelDir(repo, 'seq_oldest', addModel(), { config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { oldest { max_candidate_sequences: 4 } }` });
  // A minute's delay that a lone request never outwaits in a test: only a second sequence lets it run.
  writeModelDir(repo, 'seq_oldest_delay', addModel(), {
    config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { oldest { max_candidate_sequences: 4 preferred_batch_size: [ 2 ] max_queue_delay_microseconds: 60000000 } }`,
  });
  writeModelDir(repo, 'seq_direct_delay', addModel(), {
    config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { direct { max_queue_delay_microseconds: 60000000 minimum_slot_utilization: 0.25 } }`,
  });
  writeModelDir(repo, 'seq_direct_short_delay', addModel(), {
    config: `backend: "onnxruntime"\n${ADD_IO}\nsequence_batching { direct { max_queue_delay_microseconds: 2000 minimum_slot_utilization: 1.0 } }`,
  });
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
    inputs: [fp32Input('X', [1, rows, N], new Float32Array(rows * N).fill(value))],
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
    assert.equal(l.parameters![BATCH_SIZE_PARAMETER], 1);
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

  it('adds the configured control inputs to every request: START, END, READY with their values, CORRID', async () => {
    const echo = async (parameters: Parameters): Promise<Record<string, number[]>> => {
      const response = await service.infer('seq_controls', undefined, {
        inputs: [fp32Input('INPUT0', [1, 4], new Float32Array(4).fill(9))],
        parameters,
      });
      const out: Record<string, number[]> = {};
      for (const o of response.outputs) {
        const d = o.data;
        out[o.name] = o.datatype === 'FP32' ? Array.from(new Float32Array(d.slice().buffer))
          : o.datatype === 'INT32' ? Array.from(new Int32Array(d.slice().buffer))
            : o.datatype === 'UINT64' ? Array.from(new BigUint64Array(d.slice().buffer), Number)
              : Array.from(d);
      }
      return out;
    };
    const first = await echo({ sequence_id: 77, sequence_start: true });
    assert.deepEqual([first.START_OUT, first.END_OUT, first.READY_OUT, first.CORRID_OUT], [[1], [0], [1], [77]]);
    assert.deepEqual(first.INPUT0_OUT, new Array(4).fill(9));
    const middle = await echo({ sequence_id: 77 });
    assert.deepEqual([middle.START_OUT, middle.END_OUT, middle.READY_OUT], [[0], [0], [1]]);
    const last = await echo({ sequence_id: 77, sequence_end: true });
    assert.deepEqual([last.START_OUT, last.END_OUT, last.CORRID_OUT], [[0], [7], [77]]);
  });

  it('carries implicit state from each request of a sequence to the next, per sequence, reset at START', async () => {
    const step = async (id: number | string, value: number, flags: Parameters = {}): Promise<number> => {
      const response = await service.infer('seq_accumulate', undefined, {
        inputs: [fp32Input('INPUT', [1, 1], [value])],
        parameters: { sequence_id: id, ...flags },
      });
      assert.deepEqual(response.outputs.map((o) => o.name), ['OUTPUT'], 'the state output is not returned');
      return readFp32(response.outputs[0]!)[0]!;
    };
    // Interleaved sequences, some requests sent together (they may share a batch; each keeps its own state).
    assert.deepEqual(await Promise.all([step(1, 1, { sequence_start: true }), step('b', 10, { sequence_start: true })]), [1, 10]);
    assert.deepEqual(await Promise.all([step(1, 2), step('b', 20), step(3, 100, { sequence_start: true })]), [3, 30, 100]);
    assert.equal(await step(1, 3), 6);
    assert.equal(await step('b', 5, { sequence_end: true }), 35);
    // A new START under a live ID begins again from the initial state.
    assert.equal(await step(1, 5, { sequence_start: true }), 5);
    assert.equal(await step(3, 1, { sequence_end: true }), 101);
    assert.equal(await step(1, 1, { sequence_end: true }), 6);
  });

  it('serves the oldest strategy without a queue delay as the direct one', async () => {
    assert.equal(repository.statuses().find((s) => s.name === 'seq_oldest')!.state, 'READY');
    const response = await add('seq_oldest', { sequence_id: 9, sequence_start: true, sequence_end: true }, 1);
    assert.deepEqual(Array.from(readFp32(response.outputs[0]!)), [11, 21, 31, 41]);
  });

  it('oldest takes max_candidate_sequences sequences per instance; a further one waits in the backlog until one ends', async () => {
    const batcher = repository.resolve('seq_oldest_one').scheduler as SequenceBatcher;
    await add('seq_oldest_one', { sequence_id: 61, sequence_start: true }, 1);
    const second = add('seq_oldest_one', { sequence_id: 62, sequence_start: true, sequence_end: true }, 2);
    await until(() => batcher.inflight === 1);
    assert.equal(batcher.pending, 1, "sequence 62 waits: the instance's one candidate slot is sequence 61's");
    const ended = await add('seq_oldest_one', { sequence_id: 61, sequence_end: true }, 3);
    assert.deepEqual(Array.from(readFp32(ended.outputs[0]!)), [13, 23, 33, 43]);
    assert.deepEqual(Array.from(readFp32((await second).outputs[0]!)), [12, 22, 32, 42]);
    assert.equal(batcher.liveSequences, 0);
  });

  it('oldest with a queue delay holds a lone head request until a second sequence fills the preferred batch of 2', async () => {
    const first = add('seq_oldest_delay', { sequence_id: 71, sequence_start: true, sequence_end: true }, 1);
    const batcher = repository.resolve('seq_oldest_delay').scheduler as SequenceBatcher;
    await until(() => batcher.pending === 1);
    const second = add('seq_oldest_delay', { sequence_id: 72, sequence_start: true, sequence_end: true }, 2);
    const sizes = (await Promise.all([first, second])).map((r) => r.parameters?.[BATCH_SIZE_PARAMETER]);
    assert.deepEqual(sizes, [2, 2]);
  });

  it('direct with a queue delay waits for minimum_slot_utilization of max_batch_size (2 of 8 rows here)', async () => {
    const first = add('seq_direct_delay', { sequence_id: 81, sequence_start: true, sequence_end: true }, 1);
    const batcher = repository.resolve('seq_direct_delay').scheduler as SequenceBatcher;
    await until(() => batcher.pending === 1);
    const second = add('seq_direct_delay', { sequence_id: 82, sequence_start: true, sequence_end: true }, 2);
    const sizes = (await Promise.all([first, second])).map((r) => r.parameters?.[BATCH_SIZE_PARAMETER]);
    assert.deepEqual(sizes, [2, 2]);
  });

  it('runs a head request alone once its queue delay is up', async () => {
    const response = await add('seq_direct_short_delay', { sequence_id: 91, sequence_start: true, sequence_end: true }, 1);
    assert.equal(response.parameters?.[BATCH_SIZE_PARAMETER], 1);
    assert.deepEqual(Array.from(readFp32(response.outputs[0]!)), [11, 21, 31, 41]);
  });

  it('refuses at load what it does not carry out yet, naming the field', () => {
    const config = (sequence_batching: object): ModelConfig => plainMessage<ModelConfig>('ModelConfig', { name: 'm', sequence_batching });
    assert.throws(() => refuseUnbuiltSequenceFeatures(config({ iterative_sequence: true })), /sequence_batching\.iterative_sequence is not supported yet/);
    refuseUnbuiltSequenceFeatures(config({ max_sequence_idle_microseconds: 5000 }));
  });

  it("refuses a request of more than one row with Triton's text, before any other check", async () => {
    const two = (parameters: Parameters): Promise<InferResponse> => service.infer('seq_add', undefined, {
      inputs: [fp32Input('INPUT0', [2, 4], new Float32Array(8)), fp32Input('INPUT1', [2, 4], new Float32Array(8))],
      parameters,
    });
    const text = "inference request to model 'seq_add' must specify batch-size 1 due to requirements of sequence batcher";
    await rejectsWith(two({ sequence_id: 3, sequence_start: true }), 'INVALID_ARG', text);
    await rejectsWith(two({}), 'INVALID_ARG', text);
  });
});
