/**
 * The client suite: the same expectations for any InferenceClient (HttpClient, GrpcClient) against any server
 * (nereid, tritonserver 2.51) serving test/client/client-repository.ts in explicit mode with every model loaded.
 * Registers its tests in the caller's describe block; `client()` is read when a test runs.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { InferenceClient } from '../../packages/client/src/client.ts';
import { InferenceServerError } from '../../packages/client/src/errors.ts';
import type { InferInput, InferOptions } from '../../packages/client/src/infer-types.ts';
import { fromFloat16, toFloat16 } from '../../packages/client/src/half-precision.ts';
import { SharedMemoryRegion } from '../../packages/client/src/shared-memory.ts';

const ramp = Float32Array.from({ length: 16 }, (_, i) => i);
const ones = new Float32Array(16).fill(1);
const ADD_SUB: readonly InferInput[] = [
  { name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: ramp },
  { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], data: ones },
];

/** How the transports differ in what they can do (HTTP: JSON mode and compression). */
export interface SuiteOptions {
  readonly transport: 'http' | 'grpc';
  /** A unique prefix for shared-memory keys and regions (suites may run against two servers at once). */
  readonly tag: string;
}

export function clientSuite(client: () => InferenceClient, options: SuiteOptions): void {
  it('answers health and metadata', async () => {
    const c = client();
    assert.equal(await c.isServerLive(), true);
    assert.equal(await c.isServerReady(), true);
    assert.equal(await c.isModelReady('add_sub'), true);
    assert.equal(await c.isModelReady('add_sub', 1), true);
    assert.equal(await c.isModelReady('no_such_model'), false);
    const server = await c.serverMetadata();
    assert.equal(server.name, 'triton');
    for (const extension of ['classification', 'model_repository', 'statistics', 'system_shared_memory', 'binary_tensor_data']) {
      assert.ok(server.extensions.includes(extension), extension);
    }
    const model = await c.modelMetadata('add_sub');
    assert.equal(model.name, 'add_sub');
    assert.deepEqual(model.versions, ['1']);
    assert.deepEqual(model.inputs.map((t) => [t.name, t.datatype, [...t.shape]]), [['INPUT0', 'FP32', [-1, 16]], ['INPUT1', 'FP32', [-1, 16]]]);
    assert.deepEqual(model.outputs.map((t) => t.name), ['OUTPUT0', 'OUTPUT1']);
    const config = await c.modelConfig('add_sub');
    assert.equal(config.name, 'add_sub');
    assert.equal(Number(config.max_batch_size), 8);
  });

  it('infers with typed tensors in and views out, by version, with an id and only the outputs asked for', async () => {
    const c = client();
    const result = await c.infer('add_sub', ADD_SUB, { id: 'request-7', version: 1 });
    assert.equal(result.modelName, 'add_sub');
    assert.equal(result.modelVersion, '1');
    assert.equal(result.id, 'request-7');
    assert.deepEqual(result.output('OUTPUT0').shape, [1, 16]);
    assert.deepEqual(result.output('OUTPUT0').data(), Float32Array.from(ramp, (x) => x + 1));
    assert.deepEqual(result.output('OUTPUT1').data(), Float32Array.from(ramp, (x) => x - 1));
    const one = await c.infer('add_sub', ADD_SUB, { outputs: ['OUTPUT1'] });
    assert.deepEqual(one.outputs.map((o) => o.name), ['OUTPUT1']);
    assert.throws(() => one.output('OUTPUT0'), /has no output 'OUTPUT0'/);
  });

  if (options.transport === 'http') {
    it('infers in JSON mode and with gzip and deflate bodies alike', async () => {
      const c = client();
      const variants: InferOptions[] = [
        { binary: false },
        { outputs: [{ name: 'OUTPUT0', binary: false }, 'OUTPUT1'] },
        { compression: { request: 'gzip', response: 'gzip' } },
        { compression: { request: 'deflate', response: 'deflate' }, binary: false },
      ];
      for (const variant of variants) {
        const result = await c.infer('add_sub', ADD_SUB, variant);
        assert.deepEqual(result.output('OUTPUT0').data(), Float32Array.from(ramp, (x) => x + 1), JSON.stringify(variant));
      }
    });
  }

  it('round-trips every datatype exactly: 64-bit integers past 2^53, FP16 patterns, BOOL, BYTES with any bytes', async () => {
    const c = client();
    const cases: { datatype: InferInput['datatype']; data: NonNullable<InferInput['data']>; check: (out: ReturnType<Awaited<ReturnType<InferenceClient['infer']>>['output']>) => void }[] = [
      { datatype: 'BOOL', data: [true, false, true], check: (o) => assert.deepEqual(o.data(), Uint8Array.from([1, 0, 1])) },
      { datatype: 'UINT8', data: Uint8Array.from([0, 7, 255]), check: (o) => assert.deepEqual(o.data(), Uint8Array.from([0, 7, 255])) },
      { datatype: 'INT32', data: Int32Array.from([-2147483648, 0, 2147483647]), check: (o) => assert.deepEqual(o.data(), Int32Array.from([-2147483648, 0, 2147483647])) },
      {
        datatype: 'INT64',
        data: BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n]),
        check: (o) => assert.deepEqual(o.data(), BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n])),
      },
      { datatype: 'UINT64', data: BigUint64Array.from([0n, 2n ** 64n - 1n, 3n]), check: (o) => assert.deepEqual(o.data(), BigUint64Array.from([0n, 2n ** 64n - 1n, 3n])) },
      { datatype: 'FP16', data: toFloat16([1.5, -2, 65504]), check: (o) => assert.deepEqual(o.asFloat32(), Float32Array.from([1.5, -2, 65504])) },
      { datatype: 'FP64', data: Float64Array.from([Math.PI, -0.1, 1e300]), check: (o) => assert.deepEqual(o.data(), Float64Array.from([Math.PI, -0.1, 1e300])) },
      {
        datatype: 'BYTES',
        // Byte elements that are UTF-8 without NUL: nereid hands BYTES to ONNX Runtime as strings (README: What differs).
        data: ['héllo', new Uint8Array([0x41, 0x0a, 0x7f]), ''],
        check: (o) => {
          assert.deepEqual(o.text()[0], 'héllo');
          assert.deepEqual(o.bytes().map((b) => [...b]), [[...new TextEncoder().encode('héllo')], [0x41, 0x0a, 0x7f], []]);
        },
      },
    ];
    for (const { datatype, data, check } of cases) {
      const result = await c.infer(`identity_${datatype.toLowerCase()}`, [{ name: 'INPUT0', datatype, shape: [1, 3], data }]);
      const output = result.output('OUTPUT0');
      assert.equal(output.datatype, datatype);
      assert.deepEqual(output.shape, [1, 3]);
      check(output);
    }
    assert.deepEqual([...fromFloat16(toFloat16([0.1]))], [0.0999755859375], 'FP16 helpers round to nearest');
  });

  it('returns classifications as "value:index:label" strings', async () => {
    const result = await client().infer('classify', [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: Float32Array.from([0.1, 0.7, 0.05, 0.15]) }], {
      outputs: [{ name: 'OUTPUT0', classCount: 2 }],
    });
    assert.deepEqual(result.output('OUTPUT0').text(), ['0.700000:1:one', '0.150000:3:three']);
  });

  it("refuses bad requests with one error class carrying the status and the server's message", async () => {
    const c = client();
    const expectation = (code: { http: number; grpc: number }, message: RegExp) => (error: unknown): boolean => {
      assert.ok(error instanceof InferenceServerError, String(error));
      assert.match(error.message, message);
      if (options.transport === 'http') assert.equal(error.status, code.http);
      else assert.equal(error.grpcCode, code.grpc);
      return true;
    };
    await assert.rejects(c.infer('no_such_model', ADD_SUB), expectation({ http: 404, grpc: 5 }, /Request for unknown model: 'no_such_model'/));
    await assert.rejects(c.modelMetadata('no_such_model'), expectation({ http: 404, grpc: 5 }, /Request for unknown model: 'no_such_model'/));
    await assert.rejects(
      c.infer('add_sub', [ADD_SUB[0]!, { name: 'INPUT1', datatype: 'FP32', shape: [1, 15], data: new Float32Array(15) }]),
      expectation({ http: 400, grpc: 3 }, /unexpected shape for input 'INPUT1'/),
    );
    // A mistake the client can see is its own TypeError, before anything is sent.
    await assert.rejects(c.infer('add_sub', [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 16], data: new Int32Array(16) }]), /give its data as a Float32Array/);
  });

  it('runs a sequence with a correlation ID and its START and END flags, numeric or string', async () => {
    const c = client();
    for (const id of [7, 'user-7'] as const) {
      const steps = [{ id, start: true }, { id }, { id, end: true }];
      for (const sequence of steps) assert.deepEqual((await c.infer('sequence', ADD_SUB, { sequence })).output('OUTPUT0').data(), Float32Array.from(ramp, (x) => x + 1));
    }
    await assert.rejects(c.infer('sequence', ADD_SUB), /must specify a non-zero or non-empty correlation ID/);
  });

  it('cancels with an AbortSignal: an aborted call rejects with the signal\'s reason', async () => {
    const controller = new AbortController();
    const reason = new Error('the user left');
    controller.abort(reason);
    await assert.rejects(client().infer('add_sub', ADD_SUB, { signal: controller.signal }), (error) => error === reason);
  });

  it('lists, loads and unloads models, and reads their statistics', async () => {
    const c = client();
    const index = await c.repositoryIndex();
    assert.deepEqual(index.find((e) => e.name === 'spare'), { name: 'spare', version: '1', state: 'READY' });
    await c.unloadModel('spare');
    assert.equal(await c.isModelReady('spare'), false);
    assert.deepEqual((await c.repositoryIndex({ ready: true })).find((e) => e.name === 'spare'), undefined);
    await c.loadModel('spare');
    assert.equal(await c.isModelReady('spare'), true);
    for (let i = 0; i < 3; i++) await c.infer('spare', ADD_SUB);
    const [stats] = await c.modelStatistics('spare', 1);
    assert.equal(stats!.name, 'spare');
    assert.equal(stats!.version, '1');
    assert.equal(stats!.inference_count, 3);
    assert.equal(stats!.execution_count, 3);
    assert.equal(stats!.inference_stats.success.count, 3);
    assert.equal(stats!.inference_stats.fail.count, 0);
    assert.ok(stats!.inference_stats.compute_infer.ns > 0);
    assert.ok((await c.modelStatistics()).some((s) => s.name === 'add_sub'));
    await assert.rejects(c.loadModel('no_such_model'), InferenceServerError);
  });

  it('reads and changes trace and log settings', async () => {
    const c = client();
    const before = await c.traceSettings();
    assert.deepEqual(before.trace_level, ['OFF']);
    const changed = await c.updateTraceSettings({ trace_rate: '50' }, 'add_sub');
    assert.deepEqual(changed.trace_rate, ['50']);
    assert.deepEqual((await c.updateTraceSettings({ trace_rate: null }, 'add_sub')).trace_rate, before.trace_rate);
    const log = await c.logSettings();
    assert.equal(typeof log.log_info, 'boolean');
    const updated = await c.updateLogSettings({ log_verbose_level: 0 });
    assert.equal(updated.log_verbose_level, 0);
  });

  it('reads inputs from and writes outputs to system shared memory', async () => {
    const c = client();
    const key = `/${options.tag}_client_suite`;
    const region = SharedMemoryRegion.create(key, 256);
    try {
      region.write(ramp, 0);
      region.write(ones, 64);
      await c.registerSystemSharedMemory(`${options.tag}_data`, key, 256);
      const status = await c.systemSharedMemoryStatus(`${options.tag}_data`);
      assert.deepEqual(status.map((s) => [s.name, s.key, Number(s.offset), Number(s.byte_size)]), [[`${options.tag}_data`, key, 0, 256]]);
      const result = await c.infer('add_sub', [
        { name: 'INPUT0', datatype: 'FP32', shape: [1, 16], sharedMemory: { region: `${options.tag}_data`, byteSize: 64 } },
        { name: 'INPUT1', datatype: 'FP32', shape: [1, 16], sharedMemory: { region: `${options.tag}_data`, byteSize: 64, offset: 64 } },
      ], { outputs: [{ name: 'OUTPUT0', sharedMemory: { region: `${options.tag}_data`, byteSize: 64, offset: 128 } }] });
      assert.equal(result.output('OUTPUT0').raw.byteLength, 0, 'the output went to shared memory');
      assert.deepEqual(region.readTensor('FP32', 16, 128), Float32Array.from(ramp, (x) => x + 1));
      await c.unregisterSystemSharedMemory(`${options.tag}_data`);
      assert.deepEqual(await c.systemSharedMemoryStatus(), []);
    } finally {
      region.destroy();
    }
  });
}
