import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { corruptModelBytes, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { healthServiceDefinition, inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { logSettings, updateLogSettings } from '../../src/observe/log.ts';
import { startGrpcTestServer, type GrpcTestServer } from '../support/grpc-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { range } from '../support/tensors.ts';

type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const InferenceClient = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
const HealthClient = grpc.makeClientConstructor(healthServiceDefinition, 'Health');

let server: GrpcTestServer;
let client: AnyClient;

before(async () => {
  server = await startGrpcTestServer();
  client = new InferenceClient(server.hostPort, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1,
  }) as unknown as AnyClient;
});
after(() => client.close());

/** Calls a unary RPC; resolves with the response or rejects with the ServiceError. */
function call<T = Record<string, any>>(rpc: string, request: object, target: AnyClient = client): Promise<T> {
  return new Promise((resolve, reject) => {
    (target[rpc] as Function).call(target, request, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
  });
}

async function expectStatus(promise: Promise<unknown>, code: grpc.status, details: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: grpc.ServiceError) => {
    assert.equal(error.code, code, `${grpc.status[error.code]}: ${error.details}`);
    if (typeof details === 'string') assert.equal(error.details, details);
    else assert.match(error.details, details);
    return true;
  });
}

function f32(values: number[]): Buffer {
  return Buffer.from(Float32Array.from(values).buffer);
}

function addSubRequest(id = '', rows = 1) {
  return {
    model_name: 'add_sub', id,
    inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [rows, 16] })),
    raw_input_contents: [f32(range(16 * rows)), f32(range(16 * rows, () => 1))],
  };
}

function floats(buffer: Buffer): number[] {
  return Array.from(new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length)));
}

describe('health RPCs', () => {
  it('ServerLive and ServerReady answer true', async () => {
    assert.equal((await call('ServerLive', {})).live, true);
    assert.equal((await call('ServerReady', {})).ready, true);
  });

  it('ModelReady: true for a READY model; false (not an error, as in Triton\'s core) for unknown models and versions', async () => {
    assert.equal((await call('ModelReady', { name: 'add_sub' })).ready, true);
    assert.equal((await call('ModelReady', { name: 'add_sub', version: '1' })).ready, true);
    assert.equal((await call('ModelReady', { name: 'nope' })).ready, false);
    assert.equal((await call('ModelReady', { name: 'add_sub', version: '5' })).ready, false);
    await expectStatus(call('ModelReady', { name: 'add_sub', version: 'x' }), grpc.status.INVALID_ARGUMENT, /version 'x'/);
  });

  it('ServerReady is false and Health/Check NOT_SERVING while a model is UNAVAILABLE; SERVING otherwise', async () => {
    const health = new HealthClient(server.hostPort, grpc.credentials.createInsecure()) as unknown as AnyClient;
    assert.equal((await call('Check', { service: '' }, health)).status, 'SERVING');
    health.close();
    const repo = tempDir();
    writeModelDir(repo, 'broken', corruptModelBytes());
    const failing = await startGrpcTestServer({ repositories: [repo] });
    const other = new InferenceClient(failing.hostPort, grpc.credentials.createInsecure()) as unknown as AnyClient;
    const otherHealth = new HealthClient(failing.hostPort, grpc.credentials.createInsecure()) as unknown as AnyClient;
    assert.equal((await call('ServerReady', {}, other)).ready, false);
    assert.equal((await call('Check', { service: '' }, otherHealth)).status, 'NOT_SERVING');
    assert.equal((await call('ModelReady', { name: 'broken', version: '1' }, other)).ready, false);
    other.close();
    otherHealth.close();
  });
});

describe('metadata and config RPCs', () => {
  it('ServerMetadata', async () => {
    const r = await call('ServerMetadata', {});
    assert.equal(r.name, 'triton');
    assert.deepEqual(r.extensions, ['classification', 'sequence', 'model_repository', 'model_repository(unload_dependents)', 'schedule_policy', 'model_configuration', 'system_shared_memory', 'cuda_shared_memory', 'binary_tensor_data', 'parameters', 'statistics', 'trace', 'logging']);
  });

  it('ModelMetadata with and without a version; NOT_FOUND for unknown models', async () => {
    for (const version of ['', '1']) {
      const r = await call('ModelMetadata', { name: 'add_sub', version });
      assert.deepEqual(r.versions, ['1']);
      assert.equal(r.platform, 'onnxruntime_onnx');
      assert.deepEqual(r.inputs.map((t: any) => [t.name, t.datatype, t.shape.map(Number)]), [['INPUT0', 'FP32', [-1, 16]], ['INPUT1', 'FP32', [-1, 16]]]);
    }
    await expectStatus(call('ModelMetadata', { name: 'nope' }), grpc.status.NOT_FOUND, "Request for unknown model: 'nope' is not found");
  });

  it('ModelConfig returns the normalized config as inference.ModelConfig', async () => {
    const { config } = await call('ModelConfig', { name: 'autocomplete_add' });
    assert.equal(config.name, 'autocomplete_add');
    assert.equal(config.max_batch_size, 4);
    assert.equal(config.instance_group[0].kind, 'KIND_CPU');
    assert.equal(config.instance_group[0].count, 2);
    assert.deepEqual(config.dynamic_batching.preferred_batch_size, [4]);
    assert.deepEqual(config.input.map((i: any) => i.data_type), ['TYPE_FP32', 'TYPE_FP32']);
    await expectStatus(call('ModelConfig', { name: 'nope' }), grpc.status.NOT_FOUND, "Request for unknown model: 'nope' is not found");
  });
});

describe('ModelInfer', () => {
  it('raw inputs in, one raw_output_contents per output in order, id echoed, version used', async () => {
    const r = await call('ModelInfer', addSubRequest('x-1', 2));
    assert.equal(r.model_name, 'add_sub');
    assert.equal(r.model_version, '1');
    assert.equal(r.id, 'x-1');
    assert.deepEqual(r.outputs.map((o: any) => [o.name, o.datatype, o.shape.map(Number)]), [['OUTPUT0', 'FP32', [2, 16]], ['OUTPUT1', 'FP32', [2, 16]]]);
    assert.equal(r.raw_output_contents.length, 2);
    assert.deepEqual(floats(r.raw_output_contents[0]), range(32, (i) => i + 1));
    assert.deepEqual(floats(r.raw_output_contents[1]), range(32, (i) => i - 1));
  });

  it('typed contents work too (fp32_contents, int64_contents, bytes_contents)', async () => {
    const fp = await call('ModelInfer', {
      model_name: 'add_sub',
      inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 16], contents: { fp32_contents: range(16) } })),
    });
    assert.deepEqual(floats(fp.raw_output_contents[0]), range(16, (i) => 2 * i));
    const int = await call('ModelInfer', { model_name: 'identity_int64', inputs: [{ name: 'INPUT0', datatype: 'INT64', shape: [1, 2], contents: { int64_contents: ['9007199254740993', '-5'] } }] });
    const b = int.raw_output_contents[0] as Buffer;
    assert.deepEqual([b.readBigInt64LE(0), b.readBigInt64LE(8)], [9007199254740993n, -5n]);
    const bytes = await call('ModelInfer', { model_name: 'identity_bytes', inputs: [{ name: 'INPUT0', datatype: 'BYTES', shape: [1, 2], contents: { bytes_contents: [Buffer.from('ab'), Buffer.from('')] } }] });
    assert.deepEqual(bytes.raw_output_contents[0], Buffer.from([2, 0, 0, 0, 0x61, 0x62, 0, 0, 0, 0]));
  });

  it('requested outputs come back alone and in the order asked', async () => {
    const r = await call('ModelInfer', { ...addSubRequest(), outputs: [{ name: 'OUTPUT1' }] });
    assert.deepEqual(r.outputs.map((o: any) => o.name), ['OUTPUT1']);
    assert.equal(r.raw_output_contents.length, 1);
  });

  it('a message over 4 MiB goes through both ways', async () => {
    const n = 700_000;
    const data = Buffer.alloc(n * 8);
    data.writeBigInt64LE(123456789n, 8 * (n - 1));
    const r = await call('ModelInfer', { model_name: 'identity_int64', inputs: [{ name: 'INPUT0', datatype: 'INT64', shape: [1, n] }], raw_input_contents: [data] });
    assert.equal(r.raw_output_contents[0].length, n * 8);
    assert.equal((r.raw_output_contents[0] as Buffer).readBigInt64LE(8 * (n - 1)), 123456789n);
  });

  it('errors: unknown model NOT_FOUND; bad shape, datatype, output, batch size INVALID_ARGUMENT', async () => {
    await expectStatus(call('ModelInfer', { ...addSubRequest(), model_name: 'nope' }), grpc.status.NOT_FOUND, "Request for unknown model: 'nope' is not found");
    await expectStatus(call('ModelInfer', { ...addSubRequest(), model_version: '3' }), grpc.status.NOT_FOUND, "Request for unknown model: 'add_sub' version 3 is not found");
    const shape = addSubRequest();
    shape.inputs[0]!.shape = [1, 8];
    shape.raw_input_contents[0] = f32(range(8));
    await expectStatus(call('ModelInfer', shape), grpc.status.INVALID_ARGUMENT, /unexpected shape for input 'INPUT0' for model 'add_sub'/);
    const datatype = addSubRequest();
    datatype.inputs[0]!.datatype = 'INT32';
    await expectStatus(call('ModelInfer', datatype), grpc.status.INVALID_ARGUMENT, /data-type is 'INT32', but model 'add_sub' expects 'FP32'/);
    await expectStatus(call('ModelInfer', { ...addSubRequest(), outputs: [{ name: 'NOPE' }] }), grpc.status.INVALID_ARGUMENT, /unexpected inference output 'NOPE'/);
    await expectStatus(call('ModelInfer', addSubRequest('', 9)), grpc.status.INVALID_ARGUMENT, /batch-size must be <= 8/);
  });

  it('wrong parameter types are INVALID_ARGUMENT; triton_ keys are refused', async () => {
    await expectStatus(call('ModelInfer', { ...addSubRequest(), parameters: { sequence_id: { uint64_param: '5' } } }), grpc.status.INVALID_ARGUMENT, /sequence_id/);
    await expectStatus(call('ModelInfer', { ...addSubRequest(), parameters: { timeout: { string_param: '5' } } }), grpc.status.INVALID_ARGUMENT, /timeout/);
    await expectStatus(call('ModelInfer', { ...addSubRequest(), parameters: { triton_x: { bool_param: true } } }), grpc.status.INVALID_ARGUMENT,
      /parameter keys starting with 'triton_' are reserved for Triton usage/);
    const ok = await call('ModelInfer', { ...addSubRequest(), parameters: { priority: { uint64_param: '1' }, sequence_id: { string_param: 'abc' }, custom: { double_param: 1.5 } } });
    assert.equal(ok.raw_output_contents.length, 2);
  });

  it('a message that is not protobuf is refused and the server keeps serving', async () => {
    const raw = new grpc.Client(server.hostPort, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      raw.makeUnaryRequest('/inference.GRPCInferenceService/ModelInfer', (b: Buffer) => b, (b: Buffer) => b,
        Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), (e) => resolve(e as grpc.ServiceError));
    });
    raw.close();
    assert.ok(error !== null && error.code !== grpc.status.OK, 'a garbage message must fail');
    assert.equal((await call('ModelInfer', addSubRequest('after'))).id, 'after');
  });
});

describe('ModelStreamInfer', () => {
  it('answers many requests on one stream, each with triton_final_response, and keeps going after a failed one', async () => {
    const stream = client.ModelStreamInfer() as unknown as grpc.ClientDuplexStream<object, any>;
    const responses: any[] = [];
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (r: any) => responses.push(r));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    for (let i = 0; i < 20; i++) stream.write(i === 7 ? { ...addSubRequest('bad'), model_name: 'nope' } : addSubRequest(`r${i}`));
    stream.end();
    await done;
    assert.equal(responses.length, 20);
    const failed = responses.filter((r) => r.error_message !== '');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].error_message, "Request for unknown model: 'nope' is not found");
    assert.equal(failed[0].infer_response.id, 'bad');
    const ok = responses.filter((r) => r.error_message === '');
    assert.deepEqual(ok.map((r) => r.infer_response.id).sort(), range(20).filter((i) => i !== 7).map((i) => `r${i}`).sort());
    for (const r of ok) {
      assert.deepEqual(r.infer_response.parameters.triton_final_response, { bool_param: true, parameter_choice: 'bool_param' });
      assert.deepEqual(floats(r.infer_response.raw_output_contents[0]), range(16, (i) => i + 1));
    }
  });

  it('with triton_grpc_error: true a failure ends the stream with its gRPC status', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('triton_grpc_error', 'true');
    const stream = client.ModelStreamInfer(metadata) as unknown as grpc.ClientDuplexStream<object, any>;
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('data', () => {});
      stream.on('error', resolve);
      stream.write({ ...addSubRequest(), model_name: 'nope' });
    });
    assert.equal(error.code, grpc.status.NOT_FOUND);
    assert.equal(error.details, "Request for unknown model: 'nope' is not found");
  });
});

describe('repository, statistics, shared memory, trace and log RPCs', () => {
  it('RepositoryIndex lists every model with its state; ready filters', async () => {
    const all = await call('RepositoryIndex', {});
    assert.deepEqual(all.models.map((m: any) => [m.name, m.version, m.state, m.reason]), [
      ['accumulator', '1', 'READY', ''], ['add_sub', '1', 'READY', ''], ['autocomplete_add', '1', 'READY', ''],
      ['identity_bytes', '1', 'READY', ''], ['identity_int64', '1', 'READY', ''], ['mlp_classifier', '1', 'READY', ''],
      ['mlp_pipeline', '1', 'READY', ''], ['postprocess', '1', 'READY', ''], ['preprocess', '1', 'READY', ''],
    ]);
    assert.equal((await call('RepositoryIndex', { ready: true })).models.length, 9);
    // Triton's gRPC refuses a repository name for every repository RPC (only HTTP ignores it for the index).
    await expectStatus(call('RepositoryIndex', { repository_name: 'x' }), grpc.status.UNIMPLEMENTED, /repository_name/);
    await expectStatus(call('RepositoryModelLoad', { repository_name: 'x', model_name: 'add_sub' }), grpc.status.UNIMPLEMENTED, /repository_name/);
  });

  it('load and unload are refused outside explicit mode, with Triton\'s text', async () => {
    const text = 'explicit model load / unload is not allowed if polling is enabled';
    await expectStatus(call('RepositoryModelLoad', { model_name: 'add_sub' }), grpc.status.UNAVAILABLE, text);
    await expectStatus(call('RepositoryModelUnload', { model_name: 'add_sub', parameters: { unload_dependents: { bool_param: false } } }), grpc.status.UNAVAILABLE, text);
    await expectStatus(call('RepositoryModelUnload', { model_name: 'add_sub', parameters: { unload_dependents: { string_param: 'no' } } }), grpc.status.INVALID_ARGUMENT, /unload_dependents/);
  });

  it('ModelStatistics: counts this file\'s add_sub requests; INVALID_ARGUMENT for unknown models', async () => {
    await expectStatus(call('ModelStatistics', { name: 'nope' }), grpc.status.INVALID_ARGUMENT, "requested model 'nope' is not available");
    const before = (await call('ModelStatistics', { name: 'add_sub' })).model_stats[0];
    await call('ModelInfer', addSubRequest('', 3));
    const [after] = (await call('ModelStatistics', { name: 'add_sub', version: '1' })).model_stats;
    assert.equal(after.name, 'add_sub');
    assert.equal(after.version, '1');
    assert.equal(Number(after.inference_stats.success.count), Number(before.inference_stats.success.count) + 1);
    assert.equal(Number(after.inference_count), Number(before.inference_count) + 3);
    assert.equal(Number(after.execution_count), Number(before.execution_count) + 1);
    assert.ok(after.batch_stats.some((b: any) => Number(b.batch_size) === 3));
    assert.equal((await call('ModelStatistics', {})).model_stats.length, 9);
  });

  it("shared memory: no regions, named region NOT_FOUND, registering a missing key or a CUDA handle refused with Triton's texts, unregister OK", async () => {
    for (const kind of ['System', 'Cuda']) {
      assert.deepEqual((await call(`${kind}SharedMemoryStatus`, {})).regions, {});
      await expectStatus(call(`${kind}SharedMemoryStatus`, { name: 'r' }), grpc.status.NOT_FOUND, new RegExp(`Unable to find ${kind.toLowerCase()} shared memory region: 'r'`));
      assert.deepEqual(await call(`${kind}SharedMemoryUnregister`, {}), {});
    }
    await expectStatus(call('SystemSharedMemoryRegister', { name: 'r', key: '/nereid_no_such_key', byte_size: 16 }), grpc.status.INTERNAL, "Unable to open shared memory region: '/nereid_no_such_key'");
    await expectStatus(call('CudaSharedMemoryRegister', { name: 'r', raw_handle: Buffer.alloc(64), byte_size: 16 }), grpc.status.INVALID_ARGUMENT, 'failed to register shared memory region: invalid args');
  });

  it('TraceSetting answers the settings (tracing OFF by default), and refuses a level without a trace file', async () => {
    const settings = (await call('TraceSetting', {})).settings as Record<string, { value: string[] }>;
    assert.deepEqual(settings.trace_level?.value, ['OFF']);
    assert.deepEqual(settings.trace_rate?.value, ['1000']);
    await expectStatus(call('TraceSetting', { settings: { trace_level: { value: ['TIMESTAMPS'] } } }), grpc.status.INVALID_ARGUMENT,
      'Attempting to set invalid trace setting :trace file name is not given');
  });

  it('LogSettings reads and changes the log settings with the texts of Triton 2.51 (ordered, partial, unknown names ignored)', async () => {
    const before = logSettings();
    try {
      const current = await call('LogSettings', {});
      assert.deepEqual(current.settings.log_verbose_level.uint32_param, before.log_verbose_level);
      assert.equal(current.settings.log_info.bool_param, true);
      const changed = await call('LogSettings', { settings: { log_verbose_level: { uint32_param: 2 }, log_info: { bool_param: false }, log_format: { string_param: 'ISO8601' } } });
      assert.equal(changed.settings.log_verbose_level.uint32_param, 2);
      assert.equal(logSettings().log_info, false);
      assert.equal(logSettings().log_format, 'ISO8601');
      await expectStatus(call('LogSettings', { settings: { log_info: { string_param: 'yes' } } }), grpc.status.INVALID_ARGUMENT, "expect boolean for 'log_info'");
      await expectStatus(call('LogSettings', { settings: { log_verbose_level: { bool_param: true } } }), grpc.status.INVALID_ARGUMENT, "expect int32 for 'log_verbose_level'");
      await expectStatus(call('LogSettings', { settings: { log_format: { uint32_param: 3 } } }), grpc.status.INVALID_ARGUMENT, "expect string for 'log_format'");
      await expectStatus(call('LogSettings', { settings: { log_format: { string_param: 'json' } } }), grpc.status.INVALID_ARGUMENT, 'invalid argument for log_format, got: json');
      for (const value of [{ string_param: '/tmp/x.log' }, { string_param: '' }, { bool_param: true }]) {
        await expectStatus(call('LogSettings', { settings: { log_file: value } }), grpc.status.UNIMPLEMENTED, 'log file location can not be updated through network protocol');
      }
      // Triton's order: log_file, log_info, log_warning, log_error, log_verbose_level, log_format; those before a
      // failing one stay applied.
      await expectStatus(call('LogSettings', { settings: { log_format: { string_param: 'bad' }, log_warning: { bool_param: false } } }), grpc.status.INVALID_ARGUMENT, 'invalid argument for log_format, got: bad');
      assert.equal(logSettings().log_warning, false);
      await expectStatus(call('LogSettings', { settings: { log_verbose_level: { uint32_param: 3 }, log_error: { string_param: 'x' } } }), grpc.status.INVALID_ARGUMENT, "expect boolean for 'log_error'");
      assert.equal(logSettings().log_verbose_level, 2);
      // Unknown names change nothing; a verbose level above INT32_MAX is cast to int32 and reads as 0.
      const ignored = await call('LogSettings', { settings: { foo: { bool_param: true }, log_verbose_level: { uint32_param: 4294967295 } } });
      assert.equal(ignored.settings.log_verbose_level.uint32_param, 0);
    } finally {
      updateLogSettings(before);
    }
  });
});
