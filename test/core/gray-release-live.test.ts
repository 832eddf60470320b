/**
 * Gray release as live state, through real endpoints and real ONNX Runtime sessions: shadow traffic compared with the
 * primary (known perturbed weights give known histograms; a full shadow queue drops copies), the rollback guard on a
 * candidate whose failures depend on the request's data, a version named by the policy but not loaded, and run-time
 * changes through the repository API that reload nothing (read back over HTTP and gRPC).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { offsetModel, tableLookupModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { shadowChannel, type ShadowEvent } from '../../src/core/inference-events.ts';
import { Metrics } from '../../src/observe/metrics.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import type { ReleaseStatus } from '../../src/core/model-release.ts';
import { routeCategory } from '../../src/transport/http/restricted-routes.ts';
import { credentials } from '@grpc/grpc-js';
import { loadGrpcDefinitions } from '../../src/transport/grpc/grpc-protos.ts';
import { startControlServers, type ControlServers } from '../support/control-servers.ts';
import { tempDir } from '../support/temp-dir.ts';

const param = (key: string, value: string): string => `parameters { key: "${key}" value { string_value: "${value}" } }`;

const OFFSET_CONFIG = (name: string, parameters: string[]): string => `name: "${name}"
backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] label_filename: "labels.txt" } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
version_policy { all { } }
${parameters.join('\n')}`;

const TABLE_CONFIG = (parameters: string[]): string => `name: "lookup"
backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INDEX" data_type: TYPE_INT64 dims: [ 1 ] } ]
output [ { name: "VALUE" data_type: TYPE_FP32 dims: [ 1 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
version_policy { all { } }
${parameters.join('\n')}`;

const SHADOWED = [param('nereid.routing.weights', '1:100'), param('nereid.shadow.version', '2')];
const GUARDED = [
  param('nereid.routing.weights', '1:90,2:10'),
  param('nereid.guard.max_error_ratio_increase', '0.05'),
  param('nereid.guard.window', '50'),
  param('nereid.guard.min_requests', '10'),
];

let servers: ControlServers;
const metrics = new Metrics({ pending: () => [] });

function writeOffsetModel(repo: string, name: string, parameters: string[]): void {
  writeModelDir(repo, name, offsetModel([0, 0, 0, 0]), { config: OFFSET_CONFIG(name, parameters), version: 1 });
  const dir = writeModelDir(repo, name, offsetModel([0, 0, 0, 0.5]), { version: 2 });
  writeFileSync(path.join(dir, 'labels.txt'), 'a\nb\nc\nd\n');
}

before(async () => {
  const repo = tempDir();
  writeOffsetModel(repo, 'shadowed', SHADOWED);
  writeOffsetModel(repo, 'crowded', [...SHADOWED, param('nereid.shadow.max_inflight', '1')]);
  writeOffsetModel(repo, 'disagreeing', [...SHADOWED, param('nereid.guard.max_shadow_disagreement', '0.1'), param('nereid.guard.min_requests', '5'), param('nereid.guard.shadow_tolerance', '0.001')]);
  writeOffsetModel(repo, 'missing', [param('nereid.routing.weights', '1:50,3:50')]);
  writeModelDir(repo, 'lookup', tableLookupModel(10), { config: TABLE_CONFIG(GUARDED), version: 1 });
  writeModelDir(repo, 'lookup', tableLookupModel(9), { version: 2 });
  servers = await startControlServers({ repositories: [repo], controlMode: 'explicit', startupModels: ['*'] });
});

after(() => metrics.close());

const offsetBody = (values: number[]) => JSON.stringify({ inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: values }] });

async function infer(model: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; version?: string; data?: number[]; error?: string }> {
  const response = await fetch(`${servers.httpUrl}/v2/models/${model}/infer`, { method: 'POST', body, headers });
  const json = (await response.json()) as { model_version?: string; outputs?: { data: number[] }[]; error?: string };
  return { status: response.status, ...(json.model_version === undefined ? {} : { version: json.model_version, data: json.outputs![0]!.data }), ...(json.error === undefined ? {} : { error: json.error }) };
}

/** Resolves once `count` shadow copies of `model` have ended (compared, failed or dropped). */
function shadowEvents(model: string, count: number): Promise<ShadowEvent[]> {
  const events: ShadowEvent[] = [];
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      const event = message as ShadowEvent;
      if (event.model !== model) return;
      events.push(event);
      if (events.length === count) {
        shadowChannel.unsubscribe(listener);
        resolve(events);
      }
    };
    shadowChannel.subscribe(listener);
  });
}

async function status(model: string): Promise<ReleaseStatus> {
  const response = await fetch(`${servers.httpUrl}/v2/repository/models/${model}/release`);
  assert.equal(response.status, 200);
  return (await response.json()) as ReleaseStatus;
}

async function metricLine(pattern: RegExp): Promise<string | undefined> {
  return (await metrics.registry.metrics()).split('\n').find((line) => pattern.test(line));
}

describe('shadow traffic', () => {
  it("answers with the primary's outputs only, and records the known differences of the perturbed candidate", async () => {
    const ended = shadowEvents('shadowed', 20);
    for (let i = 0; i < 10; i++) {
      const agreeing = await infer('shadowed', offsetBody([1, 2, 3, 4]));
      assert.deepEqual([agreeing.version, agreeing.data], ['1', [1, 2, 3, 4]]);
      // Version 2 adds 0.5 to the last class: 3.3 > 3, so the argmax moves from class 2 to class 3.
      const moving = await infer('shadowed', offsetBody([1, 2, 3, 2.8]));
      assert.equal(moving.version, '1');
    }
    const events = await ended;
    assert.ok(events.every((e) => e.outcome === 'compared' && e.primaryVersion === 1 && e.shadowVersion === 2));
    const labels = 'model="shadowed",primary_version="1",shadow_version="2",output="OUTPUT0"';
    assert.equal(await metricLine(new RegExp(`^nereid_shadow_max_abs_diff_bucket\\{le="0.1",${labels}\\}`)), `nereid_shadow_max_abs_diff_bucket{le="0.1",${labels}} 0`);
    assert.equal(await metricLine(new RegExp(`^nereid_shadow_max_abs_diff_bucket\\{le="1",${labels}\\}`)), `nereid_shadow_max_abs_diff_bucket{le="1",${labels}} 20`);
    assert.equal(await metricLine(new RegExp(`^nereid_shadow_max_abs_diff_sum\\{${labels}\\}`)), `nereid_shadow_max_abs_diff_sum{${labels}} 10`);
    assert.equal(await metricLine(new RegExp(`^nereid_shadow_mean_abs_diff_sum\\{${labels}\\}`)), `nereid_shadow_mean_abs_diff_sum{${labels}} 2.5`);
    assert.equal(await metricLine(new RegExp(`^nereid_shadow_argmax_agreement_bucket\\{le="0",${labels}\\}`)), `nereid_shadow_argmax_agreement_bucket{le="0",${labels}} 10`);
    assert.equal(await metricLine(new RegExp(`^nereid_shadow_argmax_agreement_sum\\{${labels}\\}`)), `nereid_shadow_argmax_agreement_sum{${labels}} 10`);
    const shadow = (await status('shadowed')).shadow!;
    assert.deepEqual([shadow.compared, shadow.failed, shadow.dropped, shadow.inflight], [20, 0, 0, 0]);
  });

  it('drops (and counts) a copy when max_inflight copies are already running', async () => {
    const ended = shadowEvents('crowded', 3);
    // Three requests started in one turn of the event loop (in process, so none can end in between): the first takes
    // the one place, the next two find it taken.
    const service = new InferenceService(servers.repository);
    const request = { inputs: [{ name: 'INPUT0', datatype: 'FP32' as const, shape: [1, 4], data: new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer) }] };
    const answers = await Promise.all([1, 2, 3].map(() => service.infer('crowded', undefined, request)));
    assert.ok(answers.every((a) => a.modelVersion === '1'));
    const outcomes = (await ended).map((e) => e.outcome).sort();
    assert.deepEqual(outcomes, ['compared', 'dropped', 'dropped']);
    assert.match((await metricLine(/^nereid_shadow_requests_total\{model="crowded",primary_version="1",shadow_version="2",outcome="dropped"\}/))!, / 2$/);
  });

  it('rolls back a shadow candidate whose outputs disagree beyond the threshold, and copies nothing to it after', async () => {
    const ended = shadowEvents('disagreeing', 5);
    for (let i = 0; i < 5; i++) assert.equal((await infer('disagreeing', offsetBody([1, 2, 3, 4]))).version, '1');
    await ended;
    const release = await status('disagreeing');
    const v2 = release.versions.find((v) => v.version === '2')!;
    assert.equal(v2.rolled_back?.trigger, 'shadow_disagreement');
    assert.match(v2.rolled_back!.reason, /^shadow disagreement 1\.000 over its last 5 comparisons exceeds 0\.1$/);
    for (let i = 0; i < 5; i++) assert.equal((await infer('disagreeing', offsetBody([1, 2, 3, 4]))).version, '1');
    assert.equal((await status('disagreeing')).shadow!.compared, 5, 'no copy after the rollback');
    assert.equal(await metricLine(/^nereid_release_rolled_back\{model="disagreeing",version="2"\}/), 'nereid_release_rolled_back{model="disagreeing",version="2"} 1');
  });
});

describe('the rollback guard', () => {
  const lookup = (index: number) => JSON.stringify({ inputs: [{ name: 'INDEX', datatype: 'INT64', shape: [1, 1], data: [index] }] });

  it('rolls back a candidate that fails one request in ten, with no failure outside its share before and none after', async () => {
    const failures: string[] = [];
    let rolledBackAfter = -1;
    for (let i = 0; i < 300; i++) {
      // The candidate (a table of 9) takes every tenth request; the index walks so that one in ten of those is 9.
      const answer = await infer('lookup', lookup(Math.floor(i / 10) % 10));
      if (answer.status !== 200) failures.push(`${i}: ${answer.error}`);
      if (rolledBackAfter < 0 && (await status('lookup')).versions.find((v) => v.version === '2')!.rolled_back !== null) rolledBackAfter = i;
    }
    assert.ok(rolledBackAfter > 0 && rolledBackAfter < 200, `rolled back after request ${rolledBackAfter}`);
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(failures[0]!, /indices element out of data bounds/);
    const release = await status('lookup');
    const [v1, v2] = release.versions;
    assert.equal(v2!.rolled_back!.trigger, 'error_ratio');
    assert.match(v2!.rolled_back!.reason, /^error ratio 0\.100 over its last 10 requests exceeds the primary's 0\.000 by more than 0\.05$/);
    assert.equal(v2!.served.total, 10, 'nothing reached the candidate after the rollback');
    assert.equal(v1!.served.total, 290);
    assert.equal(v2!.effective_share, 0);
    assert.equal(await metricLine(/^nereid_release_rollbacks_total\{model="lookup",version="2",trigger="error_ratio"\}/), 'nereid_release_rollbacks_total{model="lookup",version="2",trigger="error_ratio"} 1');
    const index = (await (await fetch(`${servers.httpUrl}/v2/repository/index`, { method: 'POST', body: '{}' })).json()) as { name: string; version: string; reason?: string }[];
    const row = index.find((r) => r.name === 'lookup' && r.version === '2')!;
    assert.match(row.reason!, /^gray release: rolled back by the guard: error ratio 0\.100/);
  });

  it('keeps the rollback until the policy changes; a parameters-only change reloads nothing and clears it', async () => {
    const before = [servers.repository.resolve('lookup', '1'), servers.repository.resolve('lookup', '2')];
    const config = JSON.stringify({ parameters: { 'nereid.routing.weights': { string_value: '1:50,2:50' } } });
    // The override replaces config.pbtxt for this load: keep the rest of it.
    const full = { name: 'lookup', backend: 'onnxruntime', max_batch_size: 8, input: [{ name: 'INDEX', data_type: 'TYPE_INT64', dims: [1] }], output: [{ name: 'VALUE', data_type: 'TYPE_FP32', dims: [1] }], instance_group: [{ count: 1, kind: 'KIND_CPU' }], version_policy: { all: {} }, ...JSON.parse(config) as object };
    const load = await fetch(`${servers.httpUrl}/v2/repository/models/lookup/load`, { method: 'POST', body: JSON.stringify({ parameters: { config: JSON.stringify(full) } }) });
    assert.equal(load.status, 200, await load.text());
    assert.equal(servers.repository.resolve('lookup', '1'), before[0], 'version 1 was not reloaded');
    assert.equal(servers.repository.resolve('lookup', '2'), before[1], 'version 2 was not reloaded');
    const release = await status('lookup');
    assert.deepEqual(release.parameters, { 'nereid.routing.weights': '1:50,2:50' });
    assert.ok(release.versions.every((v) => v.rolled_back === null));
    const served = [];
    for (let i = 0; i < 10; i++) served.push((await infer('lookup', lookup(1))).version);
    assert.deepEqual(served.sort(), ['1', '1', '1', '1', '1', '2', '2', '2', '2', '2']);
    assert.equal(await metricLine(/^nereid_release_rolled_back\{model="lookup",version="2"\}/), 'nereid_release_rolled_back{model="lookup",version="2"} 0');
    const config1 = (await (await fetch(`${servers.httpUrl}/v2/models/lookup/versions/1/config`)).json()) as { parameters: Record<string, { string_value: string }> };
    assert.deepEqual(config1.parameters, { 'nereid.routing.weights': { string_value: '1:50,2:50' } }, 'the config endpoint shows the new parameters');
  });

  it('refuses a malformed parameter on load and keeps serving the policy it had', async () => {
    const full = { name: 'lookup', backend: 'onnxruntime', max_batch_size: 8, input: [{ name: 'INDEX', data_type: 'TYPE_INT64', dims: [1] }], output: [{ name: 'VALUE', data_type: 'TYPE_FP32', dims: [1] }], version_policy: { all: {} }, parameters: { 'nereid.guard.window': { string_value: '0' } } };
    const load = await fetch(`${servers.httpUrl}/v2/repository/models/lookup/load`, { method: 'POST', body: JSON.stringify({ parameters: { config: JSON.stringify(full) } }) });
    // As for any config that cannot be read: Triton's poll failure (500), the cause after it.
    assert.equal(load.status, 500);
    assert.match(((await load.json()) as { error: string }).error, /^failed to load 'lookup', failed to poll from model repository: .*parameter 'nereid.guard.window' needs a guard threshold/);
    assert.deepEqual((await status('lookup')).parameters, { 'nereid.routing.weights': '1:50,2:50' });
  });
});

describe('release status and missing versions', () => {
  it('serves a missing version\'s share on the latest loaded version and says so in the index and the status', async () => {
    for (let i = 0; i < 4; i++) {
      const answer = await infer('missing', offsetBody([1, 2, 3, 4]));
      assert.equal(answer.status, 200);
    }
    const release = await status('missing');
    assert.deepEqual(release.missing_versions, ['3']);
    assert.deepEqual(release.versions.map((v) => [v.version, v.loaded, v.served.total]), [['1', true, 2], ['2', true, 2], ['3', false, 0]]);
    const index = (await (await fetch(`${servers.httpUrl}/v2/repository/index`, { method: 'POST', body: '{"ready":true}' })).json()) as { name: string; version: string; reason?: string }[];
    assert.equal(index.find((r) => r.name === 'missing' && r.version === '2')!.reason,
      'gray release: the routing policy names version 3, which is not loaded; its share is served by version 2 (the latest loaded)');
    assert.equal(index.find((r) => r.name === 'missing' && r.version === '1')!.reason, undefined);
  });

  it('answers the same status over gRPC, NOT_FOUND for a model without a policy, and belongs to the restricted repository API', async () => {
    const client = new (loadGrpcDefinitions().nereid.GrayRelease)(servers.grpcHostPort, credentials.createInsecure());
    const answer = await new Promise<{ status_json: string }>((resolve, reject) => {
      client.ModelRelease!({ name: 'missing' }, (error: Error | null, reply: { status_json: string }) => (error === null ? resolve(reply) : reject(error)));
    });
    client.close();
    const viaGrpc = JSON.parse(answer.status_json) as ReleaseStatus;
    assert.deepEqual(viaGrpc.missing_versions, ['3']);
    const unknown = await fetch(`${servers.httpUrl}/v2/repository/models/nope/release`);
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "Request for unknown model: 'nope' is not found" });
    assert.equal(routeCategory('/v2/repository/models/missing/release'), 'model-repository');
  });
});
