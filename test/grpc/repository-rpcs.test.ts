/**
 * RepositoryIndex, RepositoryModelLoad and RepositoryModelUnload against a real gRPC endpoint over a real
 * ModelRepository, in explicit mode (models load only through the API) and in none mode (the API is refused).
 * Expected codes and texts are Triton's (server grpc/grpc_server.cc, core model_repository_manager.cc).
 */
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { after, before, describe, it } from 'node:test';
import { addModel } from '../../scripts/onnx/test-models.ts';
import { inferenceServiceDefinition } from '../../src/transport/grpc/grpc-protos.ts';
import { controlTestRepository, startControlServers, type ControlServers } from '../support/control-servers.ts';

type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
type Parameter = { bool_param: boolean } | { int64_param: number } | { string_param: string } | { bytes_param: Buffer };

const InferenceClient = grpc.makeClientConstructor(inferenceServiceDefinition, 'GRPCInferenceService');
const clients: AnyClient[] = [];
after(() => clients.forEach((c) => c.close()));

let explicit: ControlServers;
let client: AnyClient;

function connect(servers: ControlServers): AnyClient {
  const c = new InferenceClient(servers.grpcHostPort, grpc.credentials.createInsecure()) as unknown as AnyClient;
  clients.push(c);
  return c;
}

before(async () => {
  explicit = await startControlServers({ repositories: [controlTestRepository()], controlMode: 'explicit' });
  client = connect(explicit);
});

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

type Row = [string, string, string, string];

async function indexRows(ready = false, target = client): Promise<Row[]> {
  const response = await call<{ models: { name: string; version: string; state: string; reason: string }[] }>('RepositoryIndex', { ready }, target);
  return response.models.map((m) => [m.name, m.version, m.state, m.reason]);
}

async function rowsOf(name: string): Promise<Row[]> {
  return (await indexRows()).filter(([n]) => n === name);
}

function load(model_name: string, parameters: Record<string, Parameter> = {}, target = client) {
  return call('RepositoryModelLoad', { model_name, parameters }, target);
}

function unload(model_name: string, parameters: Record<string, Parameter> = { unload_dependents: { bool_param: false } }, target = client) {
  return call('RepositoryModelUnload', { model_name, parameters }, target);
}

async function isReady(name: string): Promise<boolean> {
  return (await call<{ ready: boolean }>('ModelReady', { name })).ready;
}

async function maxBatchSize(name: string): Promise<number> {
  return Number((await call<{ config: { max_batch_size: number } }>('ModelConfig', { name })).config.max_batch_size);
}

function addConfig(name: string, maxBatch: number): string {
  const tensor = (n: string) => ({ name: n, data_type: 'TYPE_FP32', dims: [4] });
  return JSON.stringify({ name, backend: 'onnxruntime', max_batch_size: maxBatch, input: [tensor('INPUT0'), tensor('INPUT1')], output: [tensor('OUTPUT0')] });
}

async function inferAdd(model_name: string): Promise<number[]> {
  const f32 = (values: number[]) => Buffer.from(Float32Array.from(values).buffer);
  const response = await call<{ raw_output_contents: Buffer[] }>('ModelInfer', {
    model_name,
    inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [1, 4] })),
    raw_input_contents: [f32([1, 2, 3, 4]), f32([10, 20, 30, 40])],
  });
  const out = response.raw_output_contents[0]!;
  return Array.from(new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.length)));
}

describe('RepositoryIndex', () => {
  it('lists every model directory; never-loaded models have only a name (empty version, state, reason)', async () => {
    assert.deepEqual(await indexRows(), [
      ['alpha', '', '', ''], ['beta', '', '', ''], ['broken', '', '', ''],
    ]);
    assert.deepEqual(await indexRows(true), []);
  });

  it('a non-empty repository_name is UNIMPLEMENTED (unlike HTTP, where the index ignores it)', async () => {
    await expectStatus(call('RepositoryIndex', { repository_name: 'x' }), grpc.status.UNIMPLEMENTED, "'repository_name' specification is not supported");
  });
});

describe('RepositoryModelLoad and RepositoryModelUnload', () => {
  it('load makes a model READY and servable; unload makes it UNAVAILABLE "unloaded"', async () => {
    await load('alpha');
    assert.equal(await isReady('alpha'), true);
    assert.deepEqual(await rowsOf('alpha'), [['alpha', '1', 'READY', '']]);
    assert.deepEqual(await indexRows(true), [['alpha', '1', 'READY', '']]);
    assert.deepEqual(await inferAdd('alpha'), [11, 22, 33, 44]);
    await unload('alpha');
    assert.equal(await isReady('alpha'), false);
    assert.deepEqual(await rowsOf('alpha'), [['alpha', '1', 'UNAVAILABLE', 'unloaded']]);
    // Without parameters, and with unload_dependents true, unload works the same.
    await load('beta');
    await unload('beta', {});
    assert.equal(await isReady('beta'), false);
    await load('beta');
    await unload('beta', { unload_dependents: { bool_param: true } });
    assert.equal(await isReady('beta'), false);
  });

  it('config as string_param overrides the repository config; a plain load reverts it', async () => {
    await load('alpha', { config: { string_param: addConfig('alpha', 2) } });
    assert.equal(await maxBatchSize('alpha'), 2);
    await load('alpha');
    assert.equal(await maxBatchSize('alpha'), 4);
    await unload('alpha');
  });

  it('file:<v>/<name> as bytes_param plus config loads a model that is not in the repository', async () => {
    await load('uploaded', {
      config: { string_param: addConfig('uploaded', 3) },
      'file:1/model.onnx': { bytes_param: Buffer.from(addModel()) },
    });
    assert.equal(await isReady('uploaded'), true);
    assert.deepEqual(await rowsOf('uploaded'), []); // the index lists the repositories' directories only
    assert.equal(await maxBatchSize('uploaded'), 3);
    assert.deepEqual(await inferAdd('uploaded'), [11, 22, 33, 44]);
    await unload('uploaded');
    assert.equal(await isReady('uploaded'), false);
  });

  it('parameter type errors are INVALID_ARGUMENT with Triton\'s texts, checked before anything loads', async () => {
    await expectStatus(load('alpha', { config: { bytes_param: Buffer.from('{}') } }), grpc.status.INVALID_ARGUMENT,
      "invalid value type for load parameter 'config', expected string_param.");
    await expectStatus(load('alpha', { 'file:1/model.onnx': { string_param: 'x' } }), grpc.status.INVALID_ARGUMENT,
      "invalid value type for load parameter 'file:1/model.onnx', expected bytes_param.");
    await expectStatus(load('alpha', { priority: { int64_param: 1 } }), grpc.status.INVALID_ARGUMENT, "unrecognized load parameter 'priority'.");
    await expectStatus(unload('alpha', { unload_dependents: { string_param: 'no' } }), grpc.status.INVALID_ARGUMENT,
      "invalid value type for 'unload_dependents' parameter, expected bool_param.");
    await expectStatus(load('uploaded2', { 'file:1/model.onnx': { bytes_param: Buffer.from(addModel()) } }), grpc.status.INVALID_ARGUMENT,
      "Load parameter 'config' must be specified for model file override");
    assert.equal(await isReady('alpha'), false);
  });

  it('load failures: missing model dir INTERNAL, a model failing to load INVALID_ARGUMENT', async () => {
    await expectStatus(load('nope'), grpc.status.INTERNAL, "failed to load 'nope', failed to poll from model repository");
    assert.deepEqual(await rowsOf('nope'), []);
    await expectStatus(load('broken'), grpc.status.INVALID_ARGUMENT, /^load failed for model 'broken': version 1 is at UNAVAILABLE state: Internal: .+;\n?$/);
  });

  it('unload of an unknown model succeeds; a non-empty repository_name is UNIMPLEMENTED', async () => {
    await unload('nope');
    const refusal = "'repository_name' specification is not supported";
    await expectStatus(call('RepositoryModelLoad', { repository_name: 'x', model_name: 'alpha' }), grpc.status.UNIMPLEMENTED, refusal);
    await expectStatus(call('RepositoryModelUnload', { repository_name: 'x', model_name: 'alpha' }), grpc.status.UNIMPLEMENTED, refusal);
  });
});

describe('none mode', () => {
  it('load and unload are UNAVAILABLE with Triton\'s text; parameter checks come first; the index answers', async () => {
    const none = await startControlServers({ repositories: [controlTestRepository()], controlMode: 'none' });
    const target = connect(none);
    const text = 'explicit model load / unload is not allowed if polling is enabled';
    await expectStatus(load('alpha', {}, target), grpc.status.UNAVAILABLE, text);
    await expectStatus(unload('alpha', undefined, target), grpc.status.UNAVAILABLE, text);
    await expectStatus(unload('alpha', { unload_dependents: { string_param: 'no' } }, target), grpc.status.INVALID_ARGUMENT, /unload_dependents/);
    assert.deepEqual((await indexRows(true, target)).map(([name]) => name), ['alpha', 'beta']);
  });
});
