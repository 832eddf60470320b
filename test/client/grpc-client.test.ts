/**
 * GrpcClient against real servers (no mocks):
 * - the client suite (conformance-suite.ts), the expectations HttpClient meets too, against nereid and against
 *   tritonserver 2.51, both through their command lines in explicit mode on test/client/client-repository.ts, plus
 *   what is gRPC's own: config and statistics objects equal to HTTP's, streaming, metadata for a restricted protocol,
 *   channel compression, close();
 * - an in-process nereid (startControlServers, explicit mode, every model loaded) on the shipped repository and a
 *   slow test model: labels, BYTES and INT64, a sequence over a stream, loading from a config and files, the config
 *   conversion on a config with every kind of field, cancelling a call in flight.
 * Where tritonserver cannot run here, its half is skipped with the reason printed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addModel, slowMatmulModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import type { InferenceClient, ModelStatistics } from '../../packages/client/src/client.ts';
import { InferenceServerError } from '../../packages/client/src/errors.ts';
import { GrpcClient, type StreamAnswer } from '../../packages/client/src/grpc/index.ts';
import { HttpClient } from '../../packages/client/src/http/http-client.ts';
import type { InferInput } from '../../packages/client/src/infer-types.ts';
import { startNereid, startTriton, tritonUnavailable, type RunningServer } from '../differential/servers.ts';
import { writeTwinRepository } from '../differential/twin-repository.ts';
import { startControlServers, type ControlServers } from '../support/control-servers.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { writeClientRepository } from './client-repository.ts';
import { clientSuite } from './conformance-suite.ts';

/** Trace settings and inference need this metadata on both servers: the suite's client sends it with every call. */
const RESTRICTED = '--grpc-restricted-protocol=trace,inference:client-key=s3cret';
const KEY_HEADER = { 'triton-grpc-protocol-client-key': 's3cret' };
const EXPLICIT = ['--model-control-mode=explicit', '--load-model=*', RESTRICTED];

const ramp = Float32Array.from({ length: 16 }, (_, i) => i);
const ones = new Float32Array(16).fill(1);
const ADD_SUB: readonly InferInput[] = [
  { name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: ramp },
  { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: ones },
];
const sum = Float32Array.from(ramp, (x) => x + 1);

async function collect(stream: AsyncIterable<StreamAnswer>): Promise<StreamAnswer[]> {
  const answers: StreamAnswer[] = [];
  for await (const answer of stream) answers.push(answer);
  return answers;
}

function resultOf(answer: StreamAnswer | undefined): Extract<StreamAnswer, { result: unknown }>['result'] {
  assert.ok(answer !== undefined && 'result' in answer, `a result, not ${JSON.stringify(answer)}`);
  return answer.result;
}

/** Statistics without what HTTP's entries carry beyond the shared ModelStatistics shape. */
function sharedShape(stats: ModelStatistics[]): ModelStatistics[] {
  return stats.map((s) => {
    const { memory_usage: _memory, response_stats: _responses, ...rest } = s as ModelStatistics & { memory_usage?: unknown; response_stats?: unknown };
    return rest;
  });
}

/** What only gRPC has, on a server started with EXPLICIT on the client repository. */
function grpcSuite(name: 'nereid' | 'triton', server: () => RunningServer, client: () => GrpcClient): void {
  let http: HttpClient;
  before(() => {
    http = new HttpClient({ url: server().http });
  });
  after(() => http?.close());

  it('answers configs, metadata and statistics with the objects HTTP answers', async () => {
    const c = client();
    for (const { name: model } of await c.repositoryIndex({ ready: true })) {
      assert.deepEqual(await c.modelConfig(model), await http.modelConfig(model), model);
      assert.deepEqual(await c.modelMetadata(model), await http.modelMetadata(model), model);
    }
    const config = await c.modelConfig('add_sub');
    assert.equal(config.max_batch_size, 8);
    assert.deepEqual((config.input as { dims: number[] }[]).map((i) => i.dims), [[16], [16]]);
    await c.infer('add_sub', ADD_SUB);
    // Nothing runs in between, so both transports see the same counters and times.
    assert.deepEqual(await c.modelStatistics('add_sub'), sharedShape(await http.modelStatistics('add_sub')));
    assert.deepEqual(await c.systemSharedMemoryStatus(), await http.systemSharedMemoryStatus());
    assert.deepEqual(await c.logSettings(), await http.logSettings());
  });

  it('streams requests and reads every answer in request order, a failed request as an error with its id', async () => {
    const stream = client().stream();
    stream.send('add_sub', ADD_SUB, { id: 'first' });
    stream.send('no_such_model', ADD_SUB, { id: 'lost' });
    stream.send('add_sub', ADD_SUB, { id: 'second', outputs: ['OUTPUT1'] });
    stream.send('identity_int64', [{ name: 'INPUT0', datatype: 'INT64', shape: [1, 2], data: BigInt64Array.of(-(2n ** 62n), 7n) }], { id: 'third' });
    stream.end();
    assert.throws(() => stream.send('add_sub', ADD_SUB), /no longer takes requests/);
    const answers = await collect(stream);
    assert.equal(answers.length, 4);
    const first = resultOf(answers[0]);
    assert.equal(first.id, 'first');
    assert.deepEqual(first.output('OUTPUT0').data(), sum);
    const failed = answers[1]!;
    assert.ok('error' in failed);
    assert.ok(failed.error instanceof InferenceServerError);
    assert.match(failed.error.message, /Request for unknown model: 'no_such_model'/);
    if (name === 'nereid') assert.equal(failed.id, 'lost'); // Triton leaves the failed response's id empty
    const second = resultOf(answers[2]);
    assert.deepEqual(second.outputs.map((o) => o.name), ['OUTPUT1']);
    assert.deepEqual(second.output('OUTPUT1').data(), Float32Array.from(ramp, (x) => x - 1));
    assert.deepEqual(resultOf(answers[3]).output('OUTPUT0').data(), BigInt64Array.of(-(2n ** 62n), 7n));
  });

  it('runs a sequence over a stream, with numeric and string correlation IDs', async () => {
    for (const id of [11, 'user-11'] as const) {
      const stream = client().stream();
      stream.send('sequence', ADD_SUB, { sequence: { id, start: true } });
      stream.send('sequence', ADD_SUB, { sequence: { id } });
      stream.send('sequence', ADD_SUB, { sequence: { id, end: true } });
      stream.end();
      const answers = await collect(stream);
      assert.equal(answers.length, 3);
      for (const answer of answers) assert.deepEqual(resultOf(answer).output('OUTPUT0').data(), sum);
    }
  });

  it('throws InferenceServerError from the iteration when the stream itself fails', async () => {
    const expectation = (message: RegExp, code?: number) => (error: unknown): boolean => {
      assert.ok(error instanceof InferenceServerError, String(error));
      assert.match(error.message, message);
      assert.equal(typeof error.grpcCode, 'number');
      assert.notEqual(error.grpcCode, 0);
      if (code !== undefined) assert.equal(error.grpcCode, code);
      return true;
    };
    // Without the restricted protocol's key the server refuses the whole stream (UNAVAILABLE).
    const bare = new GrpcClient({ url: server().grpc });
    try {
      const refused = bare.stream();
      refused.send('add_sub', ADD_SUB);
      refused.end();
      await assert.rejects(collect(refused), expectation(/This protocol is restricted, expecting header 'triton-grpc-protocol-client-key'/, 14));
    } finally {
      bare.close();
    }
    if (name === 'nereid') {
      // triton_grpc_error: true turns a failed request into the stream's status (tritonserver 2.51 ignores it).
      const stream = client().stream({ headers: { triton_grpc_error: 'true' } });
      stream.send('no_such_model', ADD_SUB);
      await assert.rejects(collect(stream), expectation(/Request for unknown model: 'no_such_model'/));
    }
  });

  it("ends a stream with the signal's reason when its AbortSignal fires, and quietly on cancel()", async () => {
    const controller = new AbortController();
    const aborted = client().stream({ signal: controller.signal });
    aborted.send('add_sub', ADD_SUB);
    const reading = collect(aborted); // the server keeps the stream open: only the signal can end it
    const reason = new Error('no longer needed');
    controller.abort(reason);
    await assert.rejects(reading, (error) => error === reason);

    const cancelled = client().stream();
    cancelled.send('add_sub', ADD_SUB);
    const answers = collect(cancelled);
    cancelled.cancel();
    assert.ok((await answers).length <= 1);
    assert.throws(() => cancelled.send('add_sub', ADD_SUB), /no longer takes requests/);
  });

  it('sends client and call headers as metadata (a restricted protocol refuses calls without its key)', async () => {
    const bare = new GrpcClient({ url: server().grpc });
    try {
      await assert.rejects(bare.traceSettings(), (error: unknown) => {
        assert.ok(error instanceof InferenceServerError);
        assert.equal(error.grpcCode, 14);
        assert.match(error.message, /This protocol is restricted, expecting header 'triton-grpc-protocol-client-key'/);
        return true;
      });
      assert.deepEqual((await bare.traceSettings(undefined, { headers: KEY_HEADER })).trace_level, ['OFF']);
      assert.equal(await bare.isServerLive(), true, 'other protocols need no key');
    } finally {
      bare.close();
    }
  });

  it('compresses every message of a channel set up for gzip, and fails every call after close()', async () => {
    const gzip = new GrpcClient({ url: server().grpc, headers: KEY_HEADER, channelOptions: { 'grpc.default_compression_algorithm': 2 } });
    const result = await gzip.infer('add_sub', ADD_SUB, { compression: { request: 'gzip' } });
    assert.deepEqual(result.output('OUTPUT0').data(), sum);
    gzip.close();
    await assert.rejects(gzip.isServerLive(), (error: unknown) => error instanceof InferenceServerError && /closed/.test(error.message));
    assert.throws(() => gzip.stream(), InferenceServerError);
  });

  it('sends request parameters of every type and reads a sequence model with an int64 correlation ID past 2^53', async () => {
    const c = client();
    const parameters = { flag: true, count: 3, big: 2n ** 60n, ratio: 0.5, text: 'x' };
    assert.deepEqual((await c.infer('add_sub', ADD_SUB, { parameters, priority: 0, timeoutUs: 60_000_000 })).output('OUTPUT0').data(), sum);
    const id = 2n ** 60n + 1n;
    for (const sequence of [{ id, start: true }, { id, end: true }]) {
      assert.deepEqual((await c.infer('sequence', ADD_SUB, { sequence })).output('OUTPUT0').data(), sum);
    }
  });
}

function serverSuite(name: 'nereid' | 'triton', start: (repository: string) => Promise<RunningServer>): void {
  let server: RunningServer;
  let client: GrpcClient;
  before(async () => {
    const repository = tempDir('nereid-grpc-client-');
    writeClientRepository(repository);
    let served = repository;
    if (name === 'triton') {
      served = tempDir('nereid-grpc-client-twin-');
      writeTwinRepository(repository, served);
    }
    server = await start(served);
    client = new GrpcClient({ url: server.grpc, headers: KEY_HEADER });
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });
  clientSuite((): InferenceClient => client, { transport: 'grpc', tag: `grpc_${name}` });
  grpcSuite(name, () => server, () => client);
}

describe('GrpcClient against nereid', () => serverSuite('nereid', (repository) => startNereid(repository, EXPLICIT)));

const unavailable = tritonUnavailable();
describe('GrpcClient against tritonserver 2.51', { skip: unavailable }, () => serverSuite('triton', (repository) => startTriton(repository, EXPLICIT)));

describe('GrpcClient on an in-process nereid in explicit mode (shipped repository and test models)', () => {
  let servers: ControlServers;
  let client: GrpcClient;
  let http: HttpClient;
  before(async () => {
    const repository = tempDir('nereid-grpc-slow-');
    // Y = X^7 through six MatMuls: at n = 1024 a run takes a while (~0.1 s), long enough to still be running when
    // the test below sees the call arrive and aborts it.
    writeModelDir(repository, 'slow_matmul', slowMatmulModel(), {
      config: 'name: "slow_matmul"\nbackend: "onnxruntime"\nmax_batch_size: 0\n' +
        'input [ { name: "X" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]\noutput [ { name: "Y" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]\n' +
        'instance_group [ { count: 1 kind: KIND_CPU } ]\n',
    });
    servers = await startControlServers({ repositories: [SHIPPED_REPOSITORY, repository], controlMode: 'explicit', startupModels: ['*'] });
    client = new GrpcClient({ url: servers.grpcHostPort });
    http = new HttpClient({ url: servers.httpUrl });
  });
  after(() => {
    client?.close();
    http?.close();
  });

  it('answers health, readiness and metadata', async () => {
    assert.equal(await client.isServerLive(), true);
    assert.equal(await client.isServerReady(), true);
    assert.equal(await client.isModelReady('mlp_classifier', '1'), true);
    assert.equal(await client.isModelReady('no_such_model'), false);
    const metadata = await client.modelMetadata('identity_bytes');
    assert.deepEqual(metadata.inputs, [{ name: 'INPUT0', datatype: 'BYTES', shape: [-1, -1] }]);
    await assert.rejects(client.modelConfig('no_such_model'), (error: unknown) => error instanceof InferenceServerError && error.grpcCode === 5 && error.status === undefined);
  });

  it('infers BYTES, INT64 and classifications with the labels of labels.txt', async () => {
    const words = await client.infer('identity_bytes', [{ name: 'INPUT0', datatype: 'BYTES', shape: [1, 3], data: ['nereid', '', 'grpc ✓'] }], { id: 'bytes-1' });
    assert.equal(words.id, 'bytes-1');
    assert.deepEqual(words.output('OUTPUT0').text(), ['nereid', '', 'grpc ✓']);
    const ints = BigInt64Array.of(-(2n ** 63n), 0n, 2n ** 63n - 1n);
    assert.deepEqual((await client.infer('identity_int64', [{ name: 'INPUT0', datatype: 'INT64', shape: [1, 3], data: ints }])).output('OUTPUT0').data(), ints);
    const features = Float32Array.from({ length: 16 }, (_, i) => (i % 4) - 1.5);
    const inputs: InferInput[] = [{ name: 'input', datatype: 'FP32', shape: [1, 16], data: features }];
    const top = await client.infer('mlp_classifier', inputs, { outputs: [{ name: 'probabilities', classCount: 2 }] });
    const viaHttp = await http.infer('mlp_classifier', inputs, { outputs: [{ name: 'probabilities', classCount: 2 }] });
    assert.equal(top.output('probabilities').datatype, 'BYTES');
    assert.deepEqual(top.output('probabilities').shape, [1, 2]);
    assert.deepEqual(top.output('probabilities').text(), viaHttp.output('probabilities').text());
    for (const text of top.output('probabilities').text()) assert.match(text, /^\d\.\d{6}:\d:\w+$/);
  });

  it('accumulates a sequence sent over one stream', async () => {
    const stream = client.stream();
    for (const [i, value] of [1, 2, 3].entries()) {
      stream.send('accumulator', [{ name: 'INPUT', datatype: 'FP32', shape: [1, 1], data: Float32Array.of(value) }], {
        id: `step-${i}`,
        sequence: { id: 'acc-1', start: i === 0, end: i === 2 },
      });
    }
    stream.end();
    const answers = await collect(stream);
    assert.deepEqual(answers.map((a) => resultOf(a).id), ['step-0', 'step-1', 'step-2']);
    assert.deepEqual(answers.map((a) => resultOf(a).output('OUTPUT').data()[0]), [1, 3, 6]);
    assert.equal(resultOf(answers[2]).parameters.triton_final_response, true);
  });

  it('loads a model from a config and files, with a config that uses every kind of field as HTTP shows it', async () => {
    const dims = (name: string): { name: string; data_type: string; dims: number[] } => ({ name, data_type: 'TYPE_FP32', dims: [4] });
    const config = {
      name: 'uploaded',
      backend: 'onnxruntime',
      max_batch_size: 4,
      version_policy: { specific: { versions: [1] } },
      input: [dims('INPUT0'), dims('INPUT1')],
      output: [dims('OUTPUT0')],
      dynamic_batching: {
        preferred_batch_size: [2, 4],
        max_queue_delay_microseconds: 100,
        priority_levels: 2,
        default_priority_level: 1,
        default_queue_policy: { timeout_action: 'DELAY', default_timeout_microseconds: 5_000_000, allow_timeout_override: true, max_queue_size: 8 },
        priority_queue_policy: { 2: { default_timeout_microseconds: 7000 } },
      },
      instance_group: [{ count: 1, kind: 'KIND_CPU' }],
      parameters: { note: { string_value: 'uploaded over gRPC' } },
    };
    await client.loadModel('uploaded', { config, files: { '1/model.onnx': addModel() } });
    assert.equal(await client.isModelReady('uploaded'), true);
    const grpcConfig = await client.modelConfig('uploaded');
    assert.deepEqual(grpcConfig, await http.modelConfig('uploaded'));
    assert.deepEqual(grpcConfig.version_policy, { specific: { versions: [1] } });
    assert.equal((grpcConfig.dynamic_batching as { max_queue_delay_microseconds: unknown }).max_queue_delay_microseconds, 100);
    const data = Float32Array.of(1, 2, 3, 4);
    const result = await client.infer('uploaded', [
      { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data },
      { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data },
    ], { priority: 2 });
    assert.deepEqual(result.output('OUTPUT0').data(), Float32Array.of(2, 4, 6, 8));
    await client.unloadModel('uploaded', { unloadDependents: true });
    assert.equal(await client.isModelReady('uploaded'), false);

    // Sequence batching: the oldest-first strategy's delay, a control input's float32 values, implicit state dims.
    const sequenceConfig = {
      name: 'uploaded_sequence',
      backend: 'onnxruntime',
      max_batch_size: 4,
      input: [dims('INPUT0'), dims('INPUT1')],
      output: [dims('OUTPUT0')],
      sequence_batching: {
        max_sequence_idle_microseconds: 5_000_000,
        direct: { max_queue_delay_microseconds: 100, minimum_slot_utilization: 0.1 },
        control_input: [{ name: 'START', control: [{ kind: 'CONTROL_SEQUENCE_START', fp32_false_true: [0.1, 0.7] }] }],
      },
    };
    const sequenceModel = addModel({
      inputs: [{ name: 'INPUT0', type: 'float', shape: ['batch', 4] }, { name: 'INPUT1', type: 'float', shape: ['batch', 4] }, { name: 'START', type: 'float', shape: ['batch', 1] }],
      outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', 4] }],
    });
    await client.loadModel('uploaded_sequence', { config: JSON.stringify(sequenceConfig), files: { '1/model.onnx': sequenceModel } });
    const sequence = await client.modelConfig('uploaded_sequence');
    assert.deepEqual(sequence, await http.modelConfig('uploaded_sequence'));
    const batching = sequence.sequence_batching as { direct: { minimum_slot_utilization: number }; control_input: { control: { fp32_false_true: number[] }[] }[] };
    assert.equal(batching.direct.minimum_slot_utilization, 0.1);
    assert.deepEqual(batching.control_input[0]!.control[0]!.fp32_false_true, [0.1, 0.7]);
    assert.equal('strategy_choice' in batching, false, 'no oneof member names');
    await client.unloadModel('uploaded_sequence');
    await assert.rejects(client.loadModel('not_in_any_repository'), (error: unknown) => error instanceof InferenceServerError && error.grpcCode === 13);
  });

  it("cancels a call in flight when its AbortSignal fires (rejecting with the signal's reason), and never sends one aborted before", async () => {
    const n = 1024;
    const identity = new Float32Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 1;
    const inputs: InferInput[] = [{ name: 'X', datatype: 'FP32', shape: [n, n], data: identity }];
    const successes = async (): Promise<number> => (await client.modelStatistics('slow_matmul'))[0]!.inference_stats.success.count;
    const before = await successes();

    const early = new AbortController();
    const reason = new Error('aborted before the call');
    early.abort(reason);
    await assert.rejects(client.infer('slow_matmul', inputs, { signal: early.signal }), (error) => error === reason);
    // Had it been sent, nothing would have cancelled it: it would have run before the next request on the one instance.
    const small = await client.infer('slow_matmul', [{ name: 'X', datatype: 'FP32', shape: [2, 2], data: Float32Array.of(1, 0, 0, 1) }]);
    assert.deepEqual(small.output('Y').data(), Float32Array.of(1, 0, 0, 1));
    assert.equal(await successes(), before + 1);

    const controller = new AbortController();
    const late = new Error('aborted in flight');
    const pending = client.infer('slow_matmul', inputs, { signal: controller.signal });
    // The server counts a call as active from its arrival until its status is sent: abort once it has arrived.
    while (servers.grpc.activeCalls === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(late);
    await assert.rejects(pending, (error) => error === late);
  });
});
