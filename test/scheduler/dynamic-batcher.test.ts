/**
 * The dynamic batcher with real ONNX Runtime sessions: requests that arrive together run together, results equal the
 * unbatched ones, and queue policies, cancellation and preserve_ordering hold under real concurrency. (The batching
 * algorithm itself is unit-tested rule by rule with a controlled clock in batch-queue tests.)
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { mlpClassifierModel } from '../../scripts/onnx/shipped-models.ts';
import { writeModelDir } from '../../scripts/onnx/test-models.ts';
import { requestChannel, type RequestEvent } from '../../src/core/inference-events.ts';
import { BATCH_INFO_PARAMETER, BATCH_SIZE_PARAMETER, InferenceService } from '../../src/core/inference-service.ts';
import type { InferResponse } from '../../src/protocol/inference.ts';
import { loadRepository } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, range, readFp32 } from '../support/tensors.ts';

const N = 1024;

/** Y = X·W·W·W·W (W fixed, N×N): a batching model whose run time grows with the batch (2048 rows on one thread ≈ 1 s here). */
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

const MLP_IO = `max_batch_size: 64
input [ { name: "input" data_type: TYPE_FP32 dims: [ 16 ] } ]
output [ { name: "probabilities" data_type: TYPE_FP32 dims: [ 4 ] } ]`;

const SLOW_IO = `max_batch_size: 2048
input [ { name: "X" data_type: TYPE_FP32 dims: [ ${N} ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ ${N} ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
parameters { key: "intra_op_thread_count" value { string_value: "1" } }`;
/**
 * Rows of the request that keeps the only instance busy while the test queues others behind it (see startLong).
 */
const LONG = 2048;
/**
 * Starts a LONG request on `model`'s only instance. service.infer enqueues synchronously and the batcher schedules
 * what arrived in a turn from one setImmediate, queued before ours: once ours has run, the long request is executing.
 * Its end cannot be seen before a later turn of the event loop (a result is read from I/O, never inside the check
 * phase), so whatever the test does next in the same turn happens while it runs.
 */
async function startLong(model: string): Promise<{ running: Promise<InferResponse> }> {
  const running = service.infer(model, undefined, slowRequest(LONG));
  running.catch(() => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  return { running };
}
/** slow_timeout's default_timeout_microseconds, in ms. */
const TIMEOUT_MS = 100;

let service: InferenceService;

before(async () => {
  const repo = tempDir();
  writeModelDir(repo, 'mlp_delayed', mlpClassifierModel(), {
    config: `backend: "onnxruntime"\n${MLP_IO}\ninstance_group [ { count: 1 kind: KIND_CPU } ]\ndynamic_batching { max_queue_delay_microseconds: 50000 }`,
  });
  writeModelDir(repo, 'mlp_plain', mlpClassifierModel(), { config: `backend: "onnxruntime"\n${MLP_IO}\ninstance_group [ { count: 1 kind: KIND_CPU } ]` });
  writeModelDir(repo, 'mlp_ordered', mlpClassifierModel(), {
    config: `backend: "onnxruntime"\n${MLP_IO}\ninstance_group [ { count: 2 kind: KIND_CPU } ]\ndynamic_batching { preferred_batch_size: [ 1 ] preserve_ordering: true }`,
  });
  const slow = slowBatchingModel();
  writeModelDir(repo, 'slow_small_queue', slow, { config: `backend: "onnxruntime"\n${SLOW_IO}\ndynamic_batching { default_queue_policy { max_queue_size: 1 } }` });
  writeModelDir(repo, 'slow_timeout', slow, {
    config: `backend: "onnxruntime"\n${SLOW_IO}\ndynamic_batching { default_queue_policy { timeout_action: REJECT default_timeout_microseconds: ${TIMEOUT_MS * 1000} } }`,
  });
  writeModelDir(repo, 'slow_cancel', slow, { config: `backend: "onnxruntime"\n${SLOW_IO}\ndynamic_batching { }` });
  const repository = await loadRepository([repo]);
  for (const row of repository.statuses()) assert.equal(row.state, 'READY', `${row.name}: ${row.reason}`);
  service = new InferenceService(repository);
});

function row(i: number): number[] {
  return range(16, (j) => Math.sin(i * 16 + j));
}

function mlp(model: string, i: number, extra: object = {}): Promise<InferResponse> {
  return service.infer(model, undefined, { inputs: [fp32Input('input', [1, 16], row(i))], parameters: { [BATCH_INFO_PARAMETER]: true }, ...extra });
}

function slowRequest(rows: number, extra: object = {}) {
  return { inputs: [fp32Input('X', [rows, N], new Float32Array(rows * N).fill(1))], ...extra };
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

describe('dynamic batcher on real sessions', () => {
  it('requests that arrive together run in one batch, and each gets exactly its unbatched result', async () => {
    const batched = await Promise.all(range(8).map((i) => mlp('mlp_delayed', i)));
    const sizes = batched.map((r) => Number(r.parameters![BATCH_SIZE_PARAMETER]));
    assert.ok(Math.max(...sizes) > 1, `batch sizes ${sizes}`);
    for (let i = 0; i < 8; i++) {
      const alone = await mlp('mlp_plain', i);
      assert.equal(alone.parameters![BATCH_SIZE_PARAMETER], 1, 'a model without dynamic_batching never batches');
      assert.deepEqual(batched[i]!.outputs[0]!.shape, [1, 4]);
      const got = readFp32(batched[i]!.outputs[0]!);
      readFp32(alone.outputs[0]!).forEach((v, k) => assert.ok(Math.abs(v - got[k]!) < 1e-6, `row ${i}[${k}]: ${got[k]} vs ${v}`));
    }
  });

  it('max_queue_size: a request beyond the queue fails at once with UNAVAILABLE "Exceeds maximum queue size", counted nowhere', async () => {
    const events: RequestEvent[] = [];
    const onRequest = (m: unknown): void => void events.push({ ...(m as RequestEvent) });
    requestChannel.subscribe(onRequest);
    try {
      const { running } = await startLong('slow_small_queue');
      const queued = service.infer('slow_small_queue', undefined, slowRequest(1));
      await rejectsWith(service.infer('slow_small_queue', undefined, slowRequest(1)), 'UNAVAILABLE', '[request id: <id_unknown>] Exceeds maximum queue size');
      await rejectsWith(service.infer('slow_small_queue', undefined, { ...slowRequest(1), id: 'r9' }), 'UNAVAILABLE', '[request id: r9] Exceeds maximum queue size');
      await Promise.all([running, queued]);
    } finally {
      requestChannel.unsubscribe(onRequest);
    }
    assert.deepEqual(events.map((e) => e.ok), [true, true], 'only the two requests that ran are counted (as tritonserver 2.51)');
  });

  it('a REJECT timeout fails a request still queued behind a long execution with "Request timeout expired"', async () => {
    const { running } = await startLong('slow_timeout');
    const queued = service.infer('slow_timeout', undefined, slowRequest(1));
    // Let the 100 ms timeout pass without giving the event loop a turn, so the batcher cannot see the long execution
    // end before it: however fast or slow that execution is, the queued request has expired when the batcher next
    // looks (its timer, or the instance coming free).
    const enqueuedAt = performance.now();
    const block = new Int32Array(new SharedArrayBuffer(4));
    while (performance.now() - enqueuedAt < TIMEOUT_MS) Atomics.wait(block, 0, 0, TIMEOUT_MS - (performance.now() - enqueuedAt));
    await rejectsWith(queued, 'UNAVAILABLE', 'Request timeout expired');
    await running;
  });

  it('a queued request whose client goes away is dropped with CANCELLED', async () => {
    const { running } = await startLong('slow_cancel');
    const gone = new AbortController();
    const queued = service.infer('slow_cancel', undefined, slowRequest(1, { signal: gone.signal }));
    gone.abort();
    await rejectsWith(queued, 'CANCELLED', 'request cancelled by the client');
    await running;
  });

  it('preserve_ordering releases responses in arrival order across instances', async () => {
    const order: number[] = [];
    await Promise.all(range(12).map((i) => mlp('mlp_ordered', i).then(() => order.push(i))));
    assert.deepEqual(order, range(12));
  });
});
