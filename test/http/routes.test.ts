import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { addModel, corruptModelBytes, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { startTestServer, type TestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; body: string; type: string | null }> {
  const response = await fetch(server.url + path, init);
  return { status: response.status, body: await response.text(), type: response.headers.get('content-type') };
}

/** `type`: Triton's Content-Type for the error (text/plain where its handler sets none, see responses.ts). */
async function expectError(path: string, status: number, error: string, init: RequestInit = {}, type = 'application/json'): Promise<void> {
  const r = await call(path, init);
  assert.equal(r.status, status, `${init.method ?? 'GET'} ${path}: ${r.body}`);
  assert.equal(r.type, type, `${init.method ?? 'GET'} ${path}`);
  assert.deepEqual(JSON.parse(r.body), { error });
}

describe('health', () => {
  it('GET /v2/health/live and /v2/health/ready: 200 with an empty text/plain body', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready']) {
      const r = await call(path);
      assert.deepEqual([r.status, r.body, r.type], [200, '', 'text/plain'], path);
    }
  });

  it('strict readiness: not ready (400, empty body) while a model is UNAVAILABLE; live stays 200', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'good', addModel());
    writeModelDir(repo, 'broken', corruptModelBytes());
    const strict = await startTestServer({ repositories: [repo] });
    assert.deepEqual([(await fetch(strict.url + '/v2/health/ready')).status, (await fetch(strict.url + '/v2/health/live')).status], [400, 200]);
    const ready = await fetch(strict.url + '/v2/health/ready');
    assert.equal(await ready.text(), '');
    assert.equal(ready.headers.get('content-type'), 'text/plain');
    const lenient = await startTestServer({ repositories: [repo], strictReadiness: false });
    assert.equal((await fetch(lenient.url + '/v2/health/ready')).status, 200);
  });
});

describe('server metadata', () => {
  it('GET /v2 names the server "triton", a version and the implemented extensions', async () => {
    const r = await call('/v2');
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/json');
    const body = JSON.parse(r.body);
    assert.equal(body.name, 'triton');
    assert.match(body.version, /^\d+\.\d+\.\d+$/);
    assert.deepEqual(body.extensions, ['classification', 'sequence', 'model_repository', 'model_repository(unload_dependents)', 'schedule_policy', 'model_configuration', 'system_shared_memory', 'cuda_shared_memory', 'binary_tensor_data', 'parameters', 'statistics', 'trace', 'logging']);
  });
});

describe('model metadata', () => {
  const expected = {
    name: 'add_sub',
    versions: ['1'],
    platform: 'onnxruntime_onnx',
    inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape: [-1, 16] },
      { name: 'INPUT1', datatype: 'FP32', shape: [-1, 16] },
    ],
    outputs: [
      { name: 'OUTPUT0', datatype: 'FP32', shape: [-1, 16] },
      { name: 'OUTPUT1', datatype: 'FP32', shape: [-1, 16] },
    ],
  };

  it('GET /v2/models/{m} and /v2/models/{m}/versions/{v}', async () => {
    for (const path of ['/v2/models/add_sub', '/v2/models/add_sub/versions/1']) {
      const r = await call(path);
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), expected);
    }
  });

  it('platform falls back to the backend, BYTES for TYPE_STRING, -1 for variable dims', async () => {
    const body = JSON.parse((await call('/v2/models/identity_bytes')).body);
    assert.equal(body.platform, 'onnxruntime_onnx');
    assert.deepEqual(body.inputs, [{ name: 'INPUT0', datatype: 'BYTES', shape: [-1, -1] }]);
  });

  it('lists every READY version without a version in the URL, only the one asked for with it', async () => {
    const repo = tempDir();
    const config = 'backend: "onnxruntime"\nversion_policy { all { } }\n';
    for (const v of [1, 2, 3]) writeModelDir(repo, 'multi', addModel(), { version: v, config });
    const multi = await startTestServer({ repositories: [repo] });
    assert.deepEqual((await (await fetch(multi.url + '/v2/models/multi')).json()).versions, ['1', '2', '3']);
    assert.deepEqual((await (await fetch(multi.url + '/v2/models/multi/versions/2')).json()).versions, ['2']);
  });

  it('unknown model → 404, unknown version → 404, with Triton\'s texts', async () => {
    await expectError('/v2/models/nope', 404, "Request for unknown model: 'nope' is not found");
    await expectError('/v2/models/add_sub/versions/7', 404, "Request for unknown model: 'add_sub' version 7 is not found");
  });
});

describe('model ready', () => {
  it('200 with an empty text/plain body for a READY model and version', async () => {
    for (const path of ['/v2/models/add_sub/ready', '/v2/models/add_sub/versions/1/ready']) {
      const r = await call(path);
      assert.deepEqual([r.status, r.body, r.type], [200, '', 'text/plain'], path);
    }
  });

  it('400 "Model version not ready" (text/plain) for an unknown model or version, or one not READY', async () => {
    const notReady = async (path: string, on: TestServer = server): Promise<void> => {
      const r = await fetch(on.url + path);
      assert.deepEqual([r.status, await r.text(), r.headers.get('content-type')], [400, '{"error":"Model version not ready"}', 'text/plain'], path);
    };
    await notReady('/v2/models/nope/ready');
    await notReady('/v2/models/add_sub/versions/3/ready');
    const repo = tempDir();
    writeModelDir(repo, 'broken', corruptModelBytes());
    const failed = await startTestServer({ repositories: [repo] });
    await notReady('/v2/models/broken/ready', failed);
    await notReady('/v2/models/broken/versions/1/ready', failed);
  });
});

describe('model config', () => {
  it('GET .../config returns the normalized config in Triton\'s JSON form', async () => {
    const r = await call('/v2/models/autocomplete_add/config');
    assert.equal(r.status, 200);
    const config = JSON.parse(r.body);
    assert.equal(config.name, 'autocomplete_add');
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.equal(config.backend, 'onnxruntime');
    assert.equal(config.max_batch_size, 4);
    assert.deepEqual(config.version_policy, { latest: { num_versions: 1 } });
    assert.deepEqual(config.input.map((i: { name: string; data_type: string; dims: number[] }) => [i.name, i.data_type, i.dims]).sort(), [
      ['x', 'TYPE_FP32', [4]],
      ['y', 'TYPE_FP32', [4]],
    ]);
    assert.deepEqual(config.dynamic_batching.preferred_batch_size, [4]);
    assert.equal(config.dynamic_batching.max_queue_delay_microseconds, 0);
    assert.deepEqual(config.instance_group.map((g: { name: string; kind: string; count: number }) => [g.name, g.kind, g.count]), [
      ['autocomplete_add', 'KIND_CPU', 2],
    ]);
  });

  it('unknown model → 404; the versioned form works too', async () => {
    await expectError('/v2/models/nope/config', 404, "Request for unknown model: 'nope' is not found");
    assert.equal((await call('/v2/models/add_sub/versions/1/config')).status, 200);
  });
});

describe('routing, methods and unknown paths', () => {
  it('wrong method on a known route → 405 {"error":"Method Not Allowed"}', async () => {
    // text/plain on health, readiness and infer, whose handlers set no Content-Type in Triton; JSON on the JSON routes
    await expectError('/v2/health/live', 405, 'Method Not Allowed', { method: 'POST' }, 'text/plain');
    await expectError('/v2/models/add_sub/ready', 405, 'Method Not Allowed', { method: 'POST' }, 'text/plain');
    await expectError('/v2/models/add_sub/infer', 405, 'Method Not Allowed', {}, 'text/plain');
    await expectError('/v2', 405, 'Method Not Allowed', { method: 'DELETE' });
    await expectError('/v2/models/add_sub/config', 405, 'Method Not Allowed', { method: 'PUT', body: '{}' });
  });

  it('unknown paths, trailing slashes and non-numeric versions → 404 {"error":"Not Found"} (text/plain)', async () => {
    for (const path of ['/', '/v1', '/v2/', '/v2/health', '/v2/health/live/', '/v2/models/add_sub/', '/v2/models/add_sub/versions/abc',
      '/v2/models/add_sub/versions/abc/infer', '/v2/models/add_sub/nonsense', '/V2/health/live']) {
      await expectError(path, 404, 'Not Found', {}, 'text/plain');
    }
    await expectError('/v2/models/add_sub/versions/x1/infer', 404, 'Not Found', { method: 'POST', body: '{}' }, 'text/plain');
    // Not a route at all in Triton, so 404 before the method is looked at
    await expectError('/v2/models/add_sub/versions/x1/ready', 404, 'Not Found', { method: 'PUT' }, 'text/plain');
    await expectError('/v2/models/add_sub/versions/x1/config', 404, 'Not Found', { method: 'PUT' }, 'text/plain');
  });

  it('ignores the query string', async () => {
    assert.equal((await call('/v2/health/ready?verbose=true')).status, 200);
    assert.equal(JSON.parse((await call('/v2/models/add_sub?x=1')).body).name, 'add_sub');
  });
});

describe('statistics', () => {
  it('GET /v2/models/{m}/stats counts a known sequence exactly (successes, a refused request, batch sizes)', async () => {
    const own = await startTestServer();
    const body = (rows: number, width = 16) => JSON.stringify({
      inputs: ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [rows, width], data: new Array(rows * width).fill(1) })),
    });
    for (const rows of [1, 2, 2]) assert.equal((await fetch(own.url + '/v2/models/add_sub/infer', { method: 'POST', body: body(rows) })).status, 200);
    assert.equal((await fetch(own.url + '/v2/models/add_sub/infer', { method: 'POST', body: body(1, 15) })).status, 400);
    const r = await fetch(own.url + '/v2/models/add_sub/stats');
    assert.equal(r.status, 200);
    const { model_stats: [stats] } = await r.json() as { model_stats: any[] };
    assert.deepEqual(Object.keys(stats), ['name', 'version', 'last_inference', 'inference_count', 'execution_count', 'inference_stats', 'response_stats', 'batch_stats', 'memory_usage']);
    assert.equal(stats.name, 'add_sub');
    assert.equal(stats.version, '1');
    assert.equal(stats.inference_count, 5);
    assert.equal(stats.execution_count, 3);
    assert.equal(stats.inference_stats.success.count, 3);
    assert.equal(stats.inference_stats.queue.count, 3);
    assert.equal(stats.inference_stats.compute_infer.count, 3);
    assert.ok(stats.inference_stats.success.ns > 0 && stats.inference_stats.compute_infer.ns > 0);
    assert.deepEqual(stats.inference_stats.cache_hit, { count: 0, ns: 0 });
    assert.deepEqual(stats.batch_stats.map((b: any) => [b.batch_size, b.compute_infer.count]), [[1, 1], [2, 2]]);
    assert.ok(stats.last_inference > 0);
    // The wrong-shape request was refused by validation: tritonserver 2.51 counts it nowhere, nor does nereid.
    assert.deepEqual(stats.inference_stats.fail, { count: 0, ns: 0 });
  });

  it('/v2/models/stats lists every READY model; the versioned form works; unknown models are 400', async () => {
    const all = await (await fetch(server.url + '/v2/models/stats')).json() as { model_stats: { name: string }[] };
    assert.deepEqual(all.model_stats.map((s) => s.name), ['accumulator', 'add_sub', 'autocomplete_add', 'identity_bytes', 'identity_int64', 'mlp_classifier', 'mlp_pipeline', 'postprocess', 'preprocess']);
    const one = await (await fetch(server.url + '/v2/models/add_sub/versions/1/stats')).json() as { model_stats: { version: string }[] };
    assert.deepEqual(one.model_stats.map((s) => s.version), ['1']);
    await expectError('/v2/models/nope/stats', 400, "requested model 'nope' is not available");
    await expectError('/v2/models/stats', 405, 'Method Not Allowed', { method: 'POST' });
  });
});
