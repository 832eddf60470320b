/**
 * The repository extension over HTTP (index, load, unload) against real endpoints over a real ModelRepository, in
 * explicit mode (models load only through the API) and in none mode (the API is refused). Expected codes and texts
 * are Triton's (server http_server.cc HandleRepositoryIndex / HandleRepositoryControl, core model_repository_manager).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { addModel } from '../../scripts/onnx/test-models.ts';
import { controlTestRepository, startControlServers, type ControlServers } from '../support/control-servers.ts';

let repo: string;
let explicit: ControlServers;

before(async () => {
  repo = controlTestRepository();
  explicit = await startControlServers({ repositories: [repo], controlMode: 'explicit' });
});

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly type: string | null;
}

async function post(path: string, body?: string | object, servers = explicit, method = 'POST'): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(servers.httpUrl + path, init);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

async function get(path: string): Promise<Reply> {
  return post(path, undefined, explicit, 'GET');
}

/** Load and unload answer an empty body, as application/json (Triton's repository handler sets it first). */
function expectOk(reply: Reply, what: string): void {
  assert.deepEqual([reply.status, reply.body, reply.type], [200, '', 'application/json'], what);
}

/** `type`: text/plain for unknown paths, where Triton's handler sets no Content-Type (responses.ts). */
function expectError(reply: Reply, status: number, error: string | RegExp, type = 'application/json'): void {
  assert.equal(reply.status, status, reply.body);
  assert.equal(reply.type, type);
  const message = (JSON.parse(reply.body) as { error: string }).error;
  if (typeof error === 'string') assert.equal(message, error);
  else assert.match(message, error);
}

async function index(body?: string | object, prefix = '/v2/repository'): Promise<unknown> {
  const reply = await post(`${prefix}/index`, body);
  assert.equal(reply.status, 200, reply.body);
  assert.equal(reply.type, 'application/json');
  return JSON.parse(reply.body);
}

async function rowsOf(name: string): Promise<unknown[]> {
  return ((await index()) as { name: string }[]).filter((row) => row.name === name);
}

async function readyStatus(name: string): Promise<number> {
  return (await get(`/v2/models/${name}/ready`)).status;
}

async function maxBatchSize(name: string): Promise<number> {
  const reply = await get(`/v2/models/${name}/config`);
  assert.equal(reply.status, 200, reply.body);
  return (JSON.parse(reply.body) as { max_batch_size: number }).max_batch_size;
}

/** A full config for the add model (the I/O auto-complete would produce) with the given max_batch_size. */
function addConfig(name: string, maxBatch: number): string {
  const tensor = (n: string) => ({ name: n, data_type: 'TYPE_FP32', dims: [4] });
  return JSON.stringify({
    name,
    backend: 'onnxruntime',
    max_batch_size: maxBatch,
    input: [tensor('INPUT0'), tensor('INPUT1')],
    output: [tensor('OUTPUT0')],
  });
}

async function inferAdd(name: string): Promise<number[]> {
  const input = (n: string, data: number[]) => ({ name: n, datatype: 'FP32', shape: [1, 4], data });
  const reply = await post(`/v2/models/${name}/infer`, { inputs: [input('INPUT0', [1, 2, 3, 4]), input('INPUT1', [10, 20, 30, 40])] });
  assert.equal(reply.status, 200, reply.body);
  return (JSON.parse(reply.body) as { outputs: { data: number[] }[] }).outputs[0]!.data;
}

describe('POST /v2/repository/index', () => {
  it('lists every model directory sorted by name, a never-loaded model with its name only, as a bare array', async () => {
    // Explicit mode with no --load-model: nothing was loaded at start-up.
    const fresh = await startControlServers({ repositories: [controlTestRepository()], controlMode: 'explicit' });
    const reply = await post('/v2/repository/index', undefined, fresh);
    assert.equal(reply.status, 200);
    assert.equal(reply.type, 'application/json');
    assert.equal(reply.body, '[{"name":"alpha"},{"name":"beta"},{"name":"broken"}]');
    assert.equal((await post('/v2/repository/index', {}, fresh)).body, reply.body);
    assert.equal((await post('/v2/repository/index', { ready: false }, fresh)).body, reply.body);
    assert.equal((await post('/v2/repository/index', { ready: true }, fresh)).body, '[]');
  });

  it('a repository segment is ignored; a root other than an object means the defaults', async () => {
    const all = await index();
    assert.deepEqual(await index(undefined, '/v2/repository/elsewhere'), all);
    assert.deepEqual(await index('[1]'), all);
    assert.deepEqual(await index('"ready"'), all);
  });

  it("errors: a non-bool ready is 400 (Triton's newer check), malformed JSON a TritonJson error (500)", async () => {
    for (const ready of ['true', 1, null, {}]) {
      expectError(await post('/v2/repository/index', { ready }), 400, "Invalid value for 'ready': expected a boolean");
    }
    expectError(await post('/v2/repository/index', '{"ready":'), 500, 'failed to parse the request JSON buffer: Invalid value. at 9');
    expectError(await post('/v2/repository/index', ' '), 500, 'failed to parse the request JSON buffer: The document is empty. at 1');
  });
});

describe('POST /v2/repository/models/{m}/load and unload', () => {
  it('load (empty body) makes the model READY; the index shows version "1"; unload makes it UNAVAILABLE "unloaded"', async () => {
    assert.deepEqual(await rowsOf('alpha'), [{ name: 'alpha' }]);
    assert.equal(await readyStatus('alpha'), 400);
    const loaded = await post('/v2/repository/models/alpha/load');
    expectOk(loaded, 'load');
    assert.equal(await readyStatus('alpha'), 200);
    assert.deepEqual(await rowsOf('alpha'), [{ name: 'alpha', version: '1', state: 'READY' }]);
    assert.deepEqual(await index({ ready: true }), [{ name: 'alpha', version: '1', state: 'READY' }]);
    assert.deepEqual(await inferAdd('alpha'), [11, 22, 33, 44]);

    expectOk(await post('/v2/repository/models/alpha/unload', { parameters: { unload_dependents: false } }), 'unload');
    assert.notEqual(await readyStatus('alpha'), 200);
    assert.deepEqual(await rowsOf('alpha'), [{ name: 'alpha', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }]);
    assert.deepEqual(await index({ ready: true }), []);
  });

  it('load bodies `{}` and `{"parameters":{}}` are plain loads; unload with an empty body and unload_dependents true', async () => {
    expectOk(await post('/v2/repository/models/beta/load', {}), 'load {}');
    assert.equal(await readyStatus('beta'), 200);
    expectOk(await post('/v2/repository/models/beta/unload'), 'unload, empty body');
    assert.notEqual(await readyStatus('beta'), 200);
    expectOk(await post('/v2/repository/models/beta/load', { parameters: {} }), 'load {"parameters":{}}');
    assert.equal(await readyStatus('beta'), 200);
    expectOk(await post('/v2/repository/models/beta/unload', { parameters: { unload_dependents: true } }), 'unload dependents');
    assert.notEqual(await readyStatus('beta'), 200);
  });

  it('a config override replaces the repository config; a later plain load reverts to it', async () => {
    expectOk(await post('/v2/repository/models/alpha/load', { parameters: { config: addConfig('alpha', 2) } }), 'override');
    assert.equal(await maxBatchSize('alpha'), 2);
    assert.deepEqual(await inferAdd('alpha'), [11, 22, 33, 44]);
    expectOk(await post('/v2/repository/models/alpha/load'), 'plain reload');
    assert.equal(await maxBatchSize('alpha'), 4); // auto-complete's default for the config-less repository model
    expectOk(await post('/v2/repository/models/alpha/unload'), 'unload');
  });

  it('file overrides (base64) plus config load a model that is not in the repository', async () => {
    const model = Buffer.from(addModel()).toString('base64');
    const body = { parameters: { config: addConfig('uploaded', 3), 'file:1/model.onnx': model } };
    expectOk(await post('/v2/repository/models/uploaded/load', body), 'file override');
    assert.equal(await readyStatus('uploaded'), 200);
    // Triton's index lists the repositories' directories only.
    assert.deepEqual(await rowsOf('uploaded'), []);
    assert.equal(await maxBatchSize('uploaded'), 3);
    assert.deepEqual(await inferAdd('uploaded'), [11, 22, 33, 44]);
    expectOk(await post('/v2/repository/models/uploaded/unload'), 'unload');
    assert.notEqual(await readyStatus('uploaded'), 200);
  });

  it('load failures: a missing model dir is INTERNAL (500), a model that fails to load INVALID_ARG (400)', async () => {
    expectError(await post('/v2/repository/models/nope/load'), 500, "failed to load 'nope', failed to poll from model repository");
    // The failed attempt leaves no trace: not in the index, still an unknown model.
    assert.deepEqual(await rowsOf('nope'), []);
    expectError(await get('/v2/models/nope'), 404, "Request for unknown model: 'nope' is not found");
    expectError(
      await post('/v2/repository/models/broken/load'),
      400,
      // Triton ends the text with a newline (one line per failed model).
      /^load failed for model 'broken': version 1 is at UNAVAILABLE state: Internal: .+;\n?$/,
    );
    const [row] = (await rowsOf('broken')) as { version: string; state: string; reason: string }[];
    assert.deepEqual([row!.version, row!.state], ['1', 'UNAVAILABLE']);
    assert.match(row!.reason, /^Internal: /);
  });

  it('load parameter errors: file without config (400); non-string value, unknown name, non-object parameters (500)', async () => {
    const model = Buffer.from(addModel()).toString('base64');
    expectError(
      await post('/v2/repository/models/uploaded2/load', { parameters: { 'file:1/model.onnx': model } }),
      400,
      "Load parameter 'config' must be specified for model file override",
    );
    expectError(await post('/v2/repository/models/alpha/load', { parameters: { config: {} } }), 500, 'attempt to access JSON non-string as string');
    expectError(await post('/v2/repository/models/alpha/load', { parameters: { priority: 1 } }), 500, 'attempt to access JSON non-string as string');
    expectError(await post('/v2/repository/models/alpha/load', { parameters: { priority: '1' } }), 500, 'unexpected error on creating Triton parameter');
    expectError(await post('/v2/repository/models/alpha/load', { parameters: [] }), 500, 'attempt to get members for non-object');
    expectError(await post('/v2/repository/models/alpha/load', '{"parameters"'), 500, /^failed to parse the request JSON buffer: /);
  });

  it('an invalid config override fails the poll (500) and leaves the serving model as it was', async () => {
    expectOk(await post('/v2/repository/models/beta/load'), 'load');
    // Triton: InitializeModelInfo's `Invalid config override: ...` makes the poll fail; the old info is kept.
    // nereid keeps Triton's text and status and adds why after a colon.
    const refusal = /^failed to load 'beta', failed to poll from model repository: /;
    expectError(await post('/v2/repository/models/beta/load', { parameters: { config: '{not json' } }), 500, refusal);
    expectError(await post('/v2/repository/models/beta/load', { parameters: { config: addConfig('other', 2) } }), 500, refusal);
    assert.equal(await readyStatus('beta'), 200);
    assert.equal(await maxBatchSize('beta'), 4);
    expectOk(await post('/v2/repository/models/beta/unload'), 'unload');
  });

  it('unload of an unknown model succeeds; a malformed unload body is ignored as Triton ignores it', async () => {
    expectOk(await post('/v2/repository/models/nope/unload'), 'unknown');
    expectOk(await post('/v2/repository/models/beta/load'), 'load');
    expectOk(await post('/v2/repository/models/beta/unload', '{"parameters":'), 'malformed body');
    assert.notEqual(await readyStatus('beta'), 200);
    expectOk(await post('/v2/repository/models/beta/unload', { parameters: { unload_dependents: 'yes' } }), 'non-bool');
  });

  it('a repository segment is refused with 501 for load and unload; wrong methods are 405', async () => {
    const refusal = "'repository_name' specification is not supported";
    expectError(await post('/v2/repository/elsewhere/models/alpha/load'), 501, refusal);
    expectError(await post('/v2/repository/elsewhere/models/alpha/unload'), 501, refusal);
    // Triton's pattern reads /v2/repository/models/models/x/load as repository "models", model "x".
    expectError(await post('/v2/repository/models/models/alpha/load'), 501, refusal);
    for (const path of ['/v2/repository/index', '/v2/repository/models/alpha/load', '/v2/repository/models/alpha/unload']) {
      expectError(await get(path), 405, 'Method Not Allowed');
      expectError(await post(path, undefined, explicit, 'PUT'), 405, 'Method Not Allowed');
    }
    expectError(await post('/v2/repository/models/alpha/load/'), 404, 'Not Found', 'text/plain');
    expectError(await post('/v2/repository/models/alpha'), 404, 'Not Found', 'text/plain');
  });

  it('a body over --http-max-input-size is refused (400) before anything loads', async () => {
    const small = await startControlServers({ repositories: [repo], controlMode: 'explicit', maxInputSize: 64 });
    const reply = await post('/v2/repository/models/alpha/load', { parameters: { config: addConfig('alpha', 2) } }, small);
    expectError(reply, 400, /exceeds the maximum allowed input size of 64 bytes/);
    assert.deepEqual(JSON.parse((await post('/v2/repository/index', { ready: true }, small)).body), []);
  });
});

describe('none mode', () => {
  it('load and unload are refused with 503 and Triton\'s text; the index still answers', async () => {
    const none = await startControlServers({ repositories: [controlTestRepository()], controlMode: 'none' });
    const text = 'explicit model load / unload is not allowed if polling is enabled';
    expectError(await post('/v2/repository/models/alpha/load', undefined, none), 503, text);
    expectError(await post('/v2/repository/models/alpha/unload', undefined, none), 503, text);
    const rows = JSON.parse((await post('/v2/repository/index', { ready: true }, none)).body) as { name: string }[];
    assert.deepEqual(rows.map((r) => r.name), ['alpha', 'beta']);
  });
});
