/**
 * Route parameters as tritonserver 2.51 reads them (issue 11, item 6): model names in URLs are the raw path
 * segments, never percent-decoded, so `%` is an unknown model (404, not express's 500 `Failed to decode param`),
 * `%25` is a model named `%25` and `%2E` never becomes `.`. Every expected status and body below was answered by
 * tritonserver 2.51 to the same request, except readiness (see there).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { before, describe, it } from 'node:test';
import { addModel } from '../../scripts/onnx/test-models.ts';
import { controlTestRepository, startControlServers, type ControlServers } from '../support/control-servers.ts';

let servers: ControlServers;

before(async () => {
  servers = await startControlServers({ repositories: [controlTestRepository()], controlMode: 'explicit' });
});

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** Sends the path byte for byte (fetch would resolve `%2E` segments and re-encode others). */
function request(method: 'GET' | 'POST', urlPath: string, body = ''): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: servers.http.port, method, path: urlPath, headers: { 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const error = (status: number, message: string): Reply => ({ status, body: JSON.stringify({ error: message }) });
const unknown = (name: string): Reply => error(404, `Request for unknown model: '${name}' is not found`);

describe('model names in URLs are read raw, as tritonserver 2.51 reads them', () => {
  it("GET /v2/models/%/config is 404 Request for unknown model: '%' is not found (not 500)", async () => {
    assert.deepEqual(await request('GET', '/v2/models/%/config'), unknown('%'));
    assert.deepEqual(await request('GET', '/v2/models/%/versions/1/config'), unknown('%'));
    assert.deepEqual(await request('GET', '/v2/models/%E0%A4%A/config'), unknown('%E0%A4%A'));
  });

  it('escapes stay in the name on metadata, config, ready and stats routes', async () => {
    for (const name of ['%', '%25', '%2E', '%2E%2E', 'a%2Fb', 'a%5Cb']) {
      assert.deepEqual(await request('GET', `/v2/models/${name}`), unknown(name), name);
      assert.deepEqual(await request('GET', `/v2/models/${name}/versions/1`), unknown(name), name);
      assert.deepEqual(await request('GET', `/v2/models/${name}/config`), unknown(name), name);
      // Readiness names no model (Triton's 400 `Model version not ready`); it must reach the route, not 404 Not Found.
      assert.deepEqual(await request('GET', `/v2/models/${name}/ready`), error(400, 'Model version not ready'), name);
      assert.deepEqual(await request('GET', `/v2/models/${name}/versions/1/ready`), error(400, 'Model version not ready'), name);
      assert.deepEqual(await request('GET', `/v2/models/${name}/stats`), error(400, `requested model '${name}' is not available`), name);
    }
  });

  it('escapes stay in the name on the infer route', async () => {
    for (const name of ['%', '%25', '%2E']) {
      assert.deepEqual(await request('POST', `/v2/models/${name}/infer`, '{"inputs":[]}'), unknown(name), name);
      assert.deepEqual(await request('POST', `/v2/models/${name}/versions/1/infer`, '{"inputs":[]}'), unknown(name), name);
    }
  });

  it('escapes stay in the name on the repository routes', async () => {
    for (const name of ['%', '%25', '%2E']) {
      assert.deepEqual(
        await request('POST', `/v2/repository/models/${name}/load`),
        error(500, `failed to load '${name}', failed to poll from model repository`),
        name,
      );
      assert.deepEqual(await request('POST', `/v2/repository/models/${name}/unload`), { status: 200, body: '' }, name);
    }
  });

  it('a model named %25 is reached as /v2/models/%25, never as /v2/models/%2525', async () => {
    const tensor = (n: string) => ({ name: n, data_type: 'TYPE_FP32', dims: [4] });
    const config = JSON.stringify({ name: '%25', backend: 'onnxruntime', max_batch_size: 4, input: [tensor('INPUT0'), tensor('INPUT1')], output: [tensor('OUTPUT0')] });
    const load = JSON.stringify({ parameters: { config, 'file:1/model.onnx': Buffer.from(addModel()).toString('base64') } });
    assert.deepEqual(await request('POST', '/v2/repository/models/%25/load', load), { status: 200, body: '' });
    const metadata = await request('GET', '/v2/models/%25');
    assert.equal(metadata.status, 200, metadata.body);
    assert.equal((JSON.parse(metadata.body) as { name: string }).name, '%25');
    assert.equal((await request('GET', '/v2/models/%25/versions/1/ready')).status, 200);
    const input = (name: string) => ({ name, shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] });
    const inferred = await request('POST', '/v2/models/%25/infer', JSON.stringify({ inputs: [input('INPUT0'), input('INPUT1')] }));
    assert.equal(inferred.status, 200, inferred.body);
    assert.deepEqual((JSON.parse(inferred.body) as { outputs: { data: number[] }[] }).outputs[0]!.data, [2, 4, 6, 8]);
    assert.deepEqual(await request('GET', '/v2/models/%2525/config'), unknown('%2525'));
    assert.deepEqual(await request('GET', '/v2/models/%/config'), unknown('%'));
    assert.deepEqual(await request('POST', '/v2/repository/models/%25/unload'), { status: 200, body: '' });
  });
});
