/**
 * Gray release through both endpoints on a model with two loaded versions and a routing policy in its parameters:
 * the weighted split, a rule on an HTTP header, on gRPC metadata and on a request parameter, sticky keys, and a
 * request that names its version never rerouted; per-client and per-model rate limits (429 with Retry-After over HTTP,
 * RESOURCE_EXHAUSTED over gRPC, other clients unaffected, counted in metrics).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { closeGrpcClients, grpcCall } from '../differential/grpc-probe.ts';
import { startControlServers, type ControlServers } from '../support/control-servers.ts';
import { tempDir } from '../support/temp-dir.ts';
import { Metrics } from '../../src/observe/metrics.ts';
import { after } from 'node:test';

const CONFIG = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
version_policy { all { } }
parameters { key: "nereid.routing.weights" value { string_value: "1:90,2:10" } }
parameters { key: "nereid.routing.rules" value { string_value: "header:x-canary=yes->2;parameter:cohort=beta->2" } }
parameters { key: "nereid.routing.sticky" value { string_value: "header:x-user-id" } }`;

const LIMITED = (limits: string) => `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
${limits}`;

let servers: ControlServers;
const metrics = new Metrics({ pending: () => [] });

before(async () => {
  const repo = tempDir();
  writeModelDir(repo, 'gray', addModel(), { config: CONFIG, version: 1 });
  writeModelDir(repo, 'gray', addModel(), { config: CONFIG, version: 2 });
  // Two requests a minute per client: a test never outlasts a refill.
  writeModelDir(repo, 'per_client', addModel(), {
    config: LIMITED('parameters { key: "nereid.rate_limit.client" value { string_value: "2/m" } }\n' +
      'parameters { key: "nereid.rate_limit.client_key" value { string_value: "header:x-api-key" } }'),
  });
  writeModelDir(repo, 'per_model', addModel(), { config: LIMITED('parameters { key: "nereid.rate_limit.model" value { string_value: "3/m" } }') });
  servers = await startControlServers({ repositories: [repo], controlMode: 'none' });
});

after(() => {
  closeGrpcClients();
  metrics.close();
});

const BODY = (parameters = '{}') => `{"parameters":${parameters},"inputs":[{"name":"INPUT0","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"INPUT1","datatype":"FP32","shape":[1,4],"data":[1,1,1,1]}]}`;

async function servedBy(path = '/v2/models/gray/infer', headers: Record<string, string> = {}, parameters?: string): Promise<string> {
  const response = await fetch(`${servers.httpUrl}${path}`, { method: 'POST', body: BODY(parameters), headers });
  const body = (await response.json()) as { model_version: string };
  assert.equal(response.status, 200);
  return body.model_version;
}

describe('gray release', () => {
  it('splits requests that name no version 90/10, exactly', async () => {
    const versions: string[] = [];
    for (let i = 0; i < 200; i++) versions.push(await servedBy());
    assert.deepEqual([versions.filter((v) => v === '1').length, versions.filter((v) => v === '2').length], [180, 20]);
  });

  it('routes by rule (HTTP header, request parameter, gRPC metadata) before the weights', async () => {
    for (let i = 0; i < 5; i++) assert.equal(await servedBy(undefined, { 'x-canary': 'yes' }), '2');
    assert.equal(await servedBy(undefined, {}, '{"cohort":"beta"}'), '2');
    const answer = await grpcCall(servers.grpcHostPort, 'ModelInfer', {
      model_name: 'gray',
      inputs: [0, 1].map((k) => ({ name: `INPUT${k}`, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } })),
    }, { 'x-canary': 'yes' });
    assert.equal((answer.message as { model_version: string }).model_version, '2');
  });

  it('keeps a sticky key on one version, and never reroutes a request that names its version', async () => {
    for (const user of ['alice', 'bob', 'carol']) {
      const first = await servedBy(undefined, { 'x-user-id': user });
      for (let i = 0; i < 5; i++) assert.equal(await servedBy(undefined, { 'x-user-id': user }), first);
    }
    assert.equal(await servedBy('/v2/models/gray/versions/1/infer', { 'x-canary': 'yes' }), '1');
  });
});

describe('rate limits', () => {
  const infer = (model: string, headers: Record<string, string> = {}) =>
    fetch(`${servers.httpUrl}/v2/models/${model}/infer`, { method: 'POST', body: BODY(), headers });

  it('refuses a client over its bucket with 429 and Retry-After, and leaves other clients alone', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await infer('per_client', { 'x-api-key': 'a' })).status, 200);
    const refused = await infer('per_client', { 'x-api-key': 'a' });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    assert.match(((await refused.json()) as { error: string }).error, /^rate limit exceeded for client 'a'; retry after \d+ s$/);
    for (let i = 0; i < 2; i++) assert.equal((await infer('per_client', { 'x-api-key': 'b' })).status, 200, 'another client');
    assert.equal((await infer('per_client')).status, 200, 'a request without a client key is not client-limited');
  });

  it("refuses the model's requests beyond its bucket, over gRPC with RESOURCE_EXHAUSTED, and counts the refusals", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await infer('per_model')).status, 200);
    const answer = await grpcCall(servers.grpcHostPort, 'ModelInfer', {
      model_name: 'per_model',
      inputs: [0, 1].map((k) => ({ name: `INPUT${k}`, datatype: 'FP32', shape: [1, 4], contents: { fp32_contents: [1, 2, 3, 4] } })),
    });
    assert.equal(answer.code, 8, 'RESOURCE_EXHAUSTED');
    const text = await metrics.registry.metrics();
    assert.match(text, /^nereid_rate_limited_total\{model="per_model",version="1",scope="model"\} 1$/m);
    assert.match(text, /^nereid_rate_limited_total\{model="per_client",version="1",scope="client"\} 1$/m);
  });
});
