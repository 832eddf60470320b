/**
 * ModelStreamInfer under hostile input (issue 11 item 3). A message that does not parse ends the client's side of the
 * stream, as in tritonserver 2.51: every valid request before it is answered and the stream ends with OK, whether or
 * not the client half-closes. And a cancelled stream releases its queued requests: they never execute.
 * The machine's cores are kept busy for the whole file.
 */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { buildOnnxModel } from '../../scripts/onnx/builder.ts';
import { writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { ExecutionEvent, RequestEvent } from '../../src/core/inference-events.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { keepCoresBusy } from '../support/busy-cores.ts';
import { startGrpcTestServer, type GrpcTestServer } from '../support/grpc-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { range } from '../support/tensors.ts';

keepCoresBusy(2);

const STREAM = inferenceServiceDefinition.ModelStreamInfer!;
const GARBAGE = Buffer.from([0xff, 0xff, 0xff]);
/** The bound on each hostile stream: a stream that never ends shows up as DEADLINE_EXCEEDED. */
const DEADLINE_MS = 2000;
const N = 1024;

/** Y = X·W·W·W·W (W the identity, N×N): 2048 rows keep the only instance busy for a good fraction of a second. */
function slowModel(): Uint8Array {
  const w = new Float32Array(N * N);
  for (let i = 0; i < N; i++) w[i * N + i] = 1;
  return buildOnnxModel({
    name: 'slow', inputs: [{ name: 'X', type: 'float', shape: ['batch', N] }], outputs: [{ name: 'Y', type: 'float', shape: ['batch', N] }],
    initializers: [{ name: 'W', type: 'float', dims: [N, N], values: w }],
    nodes: [1, 2, 3, 4].map((i) => ({ op: 'MatMul', inputs: [i === 1 ? 'X' : `P${i - 1}`, 'W'], outputs: [i === 4 ? 'Y' : `P${i}`] })),
  });
}

const SLOW_CONFIG = `backend: "onnxruntime"
max_batch_size: 2048
input [ { name: "X" data_type: TYPE_FP32 dims: [ ${N} ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ ${N} ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
parameters { key: "intra_op_thread_count" value { string_value: "1" } }`;

let server: GrpcTestServer;
let raw: grpc.Client;
let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

before(async () => {
  const repo = tempDir();
  writeModelDir(repo, 'slow_direct', slowModel(), { config: SLOW_CONFIG });
  writeModelDir(repo, 'slow_batched', slowModel(), { config: `${SLOW_CONFIG}\ndynamic_batching { }` });
  server = await startGrpcTestServer({ repositories: [fileURLToPath(new URL('../../model_repository', import.meta.url)), repo] });
  raw = new grpc.Client(server.hostPort, grpc.credentials.createInsecure());
  const Client = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
  client = new Client(server.hostPort, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': -1 }) as typeof client;
});
after(() => {
  raw.close();
  client.close();
});

function f32(values: number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

function addSubRequest(id: string): Buffer {
  return STREAM.requestSerialize({
    model_name: 'add_sub', id,
    inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16] })),
    raw_input_contents: [f32(range(16)), f32(range(16, () => 1))],
  });
}

function floats(buffer: Buffer): number[] {
  return Array.from(new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length)));
}

/** Sends `valid` add_sub requests then `ff ff ff` as raw message bytes on one stream; resolves with its status and responses. */
async function hostileStream(valid: number, halfClose: boolean): Promise<{ status: grpc.StatusObject; responses: any[] }> {
  const call = raw.makeBidiStreamRequest<Buffer, any>(
    `/inference.GRPCInferenceService/ModelStreamInfer`, (bytes) => bytes, STREAM.responseDeserialize, new grpc.Metadata(),
    { deadline: Date.now() + DEADLINE_MS },
  );
  const responses: any[] = [];
  call.on('data', (response) => responses.push(response));
  call.on('error', () => {}); // the status tells
  const ended = once(call, 'end');
  const status = once(call, 'status') as Promise<[grpc.StatusObject]>;
  for (let i = 0; i < valid; i++) call.write(addSubRequest(`r${i}`));
  call.write(GARBAGE);
  if (halfClose) call.end();
  const [result] = await status;
  if (result.code === grpc.status.OK) await ended; // every response read
  return { status: result, responses };
}

describe('ModelStreamInfer with an unparsable message (cores busy)', () => {
  it('answers every valid request before ff ff ff and ends with OK, 20 times', async () => {
    const counts = [0, 3, 8];
    for (let trial = 0; trial < 20; trial++) {
      const valid = counts[trial % counts.length]!;
      const halfClose = trial % 2 === 1;
      const label = `trial ${trial}: ${valid} valid, ${halfClose ? 'half-closed' : 'left open'}`;
      const { status, responses } = await hostileStream(valid, halfClose);
      assert.equal(status.code, grpc.status.OK, `${label}: ${grpc.status[status.code]} ${status.details}`);
      assert.equal(responses.length, valid, label);
      assert.deepEqual(responses.map((r) => r.error_message), responses.map(() => ''), label);
      assert.deepEqual(responses.map((r) => r.infer_response.id).sort(), range(valid).map((i) => `r${i}`).sort(), label);
      for (const r of responses) assert.deepEqual(floats(r.infer_response.raw_output_contents[0]), range(16, (i) => i + 1), label);
    }
  });

  it('ignores whatever follows the unparsable message', async () => {
    const call = raw.makeBidiStreamRequest<Buffer, any>(
      `/inference.GRPCInferenceService/ModelStreamInfer`, (bytes) => bytes, STREAM.responseDeserialize, new grpc.Metadata(),
      { deadline: Date.now() + DEADLINE_MS },
    );
    const responses: any[] = [];
    call.on('data', (response) => responses.push(response));
    call.on('error', () => {});
    const status = once(call, 'status') as Promise<[grpc.StatusObject]>;
    call.write(addSubRequest('before'));
    call.write(GARBAGE);
    call.write(addSubRequest('after'));
    call.end();
    const [result] = await status;
    assert.equal(result.code, grpc.status.OK, result.details);
    assert.deepEqual(responses.map((r) => r.infer_response.id), ['before']);
  });
});

/** Resolves once `condition()` holds, checking after each turn of the event loop's timers. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

function slowRequest(model: string, id: string, rows: number) {
  return { model_name: model, id, inputs: [{ name: 'X', datatype: 'FP32', shape: [rows, N] }], raw_input_contents: [Buffer.alloc(rows * N * 4)] };
}

describe('a cancelled ModelStreamInfer', () => {
  for (const model of ['slow_direct', 'slow_batched']) {
    it(`releases its queued requests: they are cancelled and never execute (${model})`, async () => {
      const QUEUED = 3;
      // The direct scheduler stages one request behind the running one (still counted as pending); a staged request
      // runs even once its client has gone (as in Triton, what the backend has been handed runs). The batcher stages none.
      const staged = model === 'slow_direct' ? 1 : 0;
      const executions: ExecutionEvent[] = [];
      const requests: RequestEvent[] = [];
      const onExecution = (e: unknown) => (e as ExecutionEvent).plan.name === model && executions.push({ ...(e as ExecutionEvent) });
      const onRequest = (e: unknown) => (e as RequestEvent).plan.name === model && requests.push({ ...(e as RequestEvent) });
      diagnostics.subscribe('nereid:execution', onExecution);
      diagnostics.subscribe('nereid:request', onRequest);
      try {
        const { scheduler } = server.repository.resolve(model);
        const stream = (client.ModelStreamInfer as Function).call(client) as grpc.ClientDuplexStream<object, any>;
        stream.on('data', () => {});
        const cancelled = new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
        stream.write(slowRequest(model, 'long', 2048));
        await until(() => scheduler.inflight === 1 && scheduler.pending === 0);
        for (let i = 0; i < QUEUED; i++) stream.write(slowRequest(model, `queued${i}`, 1));
        await until(() => scheduler.pending === QUEUED || executions.length > 0);
        assert.equal(executions.length, 0, 'the long request was still running while the others queued');
        stream.cancel();
        assert.equal((await cancelled).code, grpc.status.CANCELLED);
        await until(() => requests.length === QUEUED + 1);
        await scheduler.drained();
        const ran = [[1, 2048], ...(staged === 1 ? [[1, 1]] : [])];
        assert.deepEqual(executions.map((e) => [e.requestCount, e.batchSize]), ran, 'only the long request (and the one staged behind it) executed');
        const failed = requests.filter((r) => !r.ok);
        assert.equal(failed.length, QUEUED - staged);
        for (const r of failed) {
          assert.equal(r.failureReason, 'CANCELED');
          assert.equal(r.computeInferNs, 0);
        }
      } finally {
        diagnostics.unsubscribe('nereid:execution', onExecution);
        diagnostics.unsubscribe('nereid:request', onRequest);
      }
    });
  }
});
