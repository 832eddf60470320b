/**
 * Model management on real sessions: poll-mode drops (new version, config edit, removed version) swap with zero failed
 * requests; broken and half-copied drops leave the old version serving; editor files are ignored; explicit and none
 * modes; version_policy edits apply in place.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { addModel, corruptModelBytes, slowMatmulModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import { setLogSink } from '../../src/observe/log.ts';
import { ModelRepository } from '../../src/repository/model-repository.ts';
import type { LoadedVersion } from '../../src/repository/version-loader.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, range, readFp32 } from '../support/tensors.ts';
import { until } from '../support/wait.ts';

const CONFIG = (extra = '') => `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]
${extra}`;

const repositories: ModelRepository[] = [];
async function open(repo: string, controlMode: 'none' | 'poll' | 'explicit', startupModels: string[] = []): Promise<ModelRepository> {
  const repository = new ModelRepository({ repositories: [repo], pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } }, controlMode, startupModels });
  repositories.push(repository);
  await repository.loadAll();
  return repository;
}
after(async () => {
  await Promise.all(repositories.map((r) => r.unloadAll()));
});

function request() {
  return { inputs: [fp32Input('INPUT0', [1, 4], range(4)), fp32Input('INPUT1', [1, 4], range(4))] };
}

/** Sends requests back to back until stopped; counts failures and records the versions that answered. */
function loadGenerator(service: InferenceService, model: string) {
  let running = true;
  let served = 0;
  const versions: string[] = [];
  const failures: string[] = [];
  const done = (async () => {
    while (running) {
      try {
        const r = await service.infer(model, undefined, request());
        assert.deepEqual(readFp32(r.outputs[0]!), [0, 2, 4, 6]);
        if (versions.at(-1) !== r.modelVersion) versions.push(r.modelVersion);
        served++;
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return { versions, failures, get served() { return served; }, stop: async () => { running = false; await done; } };
}

/** Two polls: the first sees a change, the second (seeing the same files) acts on it. */
async function pollTwice(repository: ModelRepository): Promise<void> {
  await repository.poll();
  await repository.poll();
}

const state = (repository: ModelRepository, name: string) =>
  repository.statuses().filter((r) => r.name === name).map((r) => [r.version, r.state, r.reason]);

describe('poll mode: zero-downtime drops', () => {
  it('a new version, a config edit and a removed version swap in with zero failed requests, old copies drained', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'poll');
    const service = new InferenceService(repository);
    const load = loadGenerator(service, 'm');
    await until(() => load.versions.at(-1) === '1'); // traffic is flowing before the first swap

    writeModelDir(repo, 'm', addModel(), { version: 2 });
    await pollTwice(repository);
    assert.deepEqual(state(repository, 'm'), [[1, 'UNAVAILABLE', 'unloaded'], [2, 'READY', '']]);
    await until(() => load.versions.at(-1) === '2'); // the new version answered

    const before = repository.resolve('m');
    writeFileSync(path.join(dir, 'config.pbtxt'), CONFIG('parameters { key: "note" value { string_value: "edited" } }'));
    await pollTwice(repository);
    assert.notEqual(repository.resolve('m'), before, 'the edited config reloaded the version');
    const servedBefore = load.served;
    await until(() => load.versions.at(-1) === '2' && load.served > servedBefore); // traffic goes on after the reload

    rmSync(path.join(dir, '2'), { recursive: true });
    await pollTwice(repository);
    assert.deepEqual(state(repository, 'm'), [[1, 'READY', ''], [2, 'UNAVAILABLE', 'unloaded']]);
    await until(() => load.versions.at(-1) === '1'); // back to version 1

    await load.stop();
    assert.deepEqual(load.failures, [], 'no request failed during the swaps');
    assert.deepEqual(load.versions, ['1', '2', '1'], 'responses switched to the new version, then back');
  });

  it('a broken drop (corrupt model, invalid config) leaves the old version serving, with the reason in the index', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'poll');
    const service = new InferenceService(repository);

    writeModelDir(repo, 'm', corruptModelBytes(), { version: 2 });
    await pollTwice(repository);
    const rows = state(repository, 'm');
    assert.deepEqual(rows[0], [1, 'READY', 'still serving: version 2 failed to load']);
    assert.equal(rows[1]![1], 'UNAVAILABLE');
    assert.match(String(rows[1]![2]), /onnx runtime error/);
    assert.equal((await service.infer('m', undefined, request())).modelVersion, '1');

    writeFileSync(path.join(dir, 'config.pbtxt'), 'max_batch_size: [');
    await pollTwice(repository);
    assert.match(String(state(repository, 'm')[0]![2]), /reload failed, still serving the previous copy: Internal: failed to read text proto/);
    assert.equal((await service.infer('m', undefined, request())).modelVersion, '1');
    assert.ok(repository.index(false).some((e) => e.name === 'm' && e.version === '1' && e.state === 'READY' && /reload failed/.test(e.reason ?? '')));

    // Fixing the drop is picked up on the next change: the failed load is retried.
    writeFileSync(path.join(dir, 'config.pbtxt'), CONFIG());
    writeModelDir(repo, 'm', addModel(), { version: 2 });
    await pollTwice(repository);
    assert.deepEqual(state(repository, 'm'), [[1, 'UNAVAILABLE', 'unloaded'], [2, 'READY', '']]);
  });

  it('a half-copied folder waits until its files stop changing; editor and temp files are ignored', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'poll');
    const lines: string[] = [];
    const restore = setLogSink((line) => lines.push(line));
    try {
      const bytes = addModel();
      mkdirSync(path.join(dir, '2'));
      writeFileSync(path.join(dir, '2', 'model.onnx'), bytes.subarray(0, 10));
      await repository.poll();
      writeFileSync(path.join(dir, '2', 'model.onnx'), bytes.subarray(0, 40));
      await repository.poll();
      assert.deepEqual(state(repository, 'm').map((r) => r[0]), [1], 'nothing loads while the copy is still growing');
      writeFileSync(path.join(dir, '2', 'model.onnx'), bytes);
      await pollTwice(repository);
      assert.deepEqual(state(repository, 'm').map((r) => [r[0], r[1]]), [[1, 'UNAVAILABLE'], [2, 'READY']]);

      lines.length = 0;
      writeFileSync(path.join(dir, '.config.pbtxt.swp'), 'vim swap');
      writeFileSync(path.join(dir, 'config.pbtxt~'), 'backup');
      writeFileSync(path.join(dir, '2', 'model.onnx.part'), 'partial download');
      await pollTwice(repository);
      assert.equal(lines.filter((l) => l.includes('loading: m:')).length, 0, 'editor and temp files trigger nothing');
    } finally {
      setLogSink(restore);
    }
  });

  it('a removed model folder unloads; a new one loads', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'gone', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'poll');
    rmSync(dir, { recursive: true });
    writeModelDir(repo, 'fresh', addModel(), { config: CONFIG() });
    await pollTwice(repository);
    assert.deepEqual(repository.statuses().map((r) => [r.name, r.state]), [['fresh', 'READY']]);
  });

  it('a version_policy edit applies in place: kept versions are not reloaded', async () => {
    const repo = tempDir();
    const dir = writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    writeModelDir(repo, 'm', addModel(), { version: 2 });
    const repository = await open(repo, 'poll');
    const v2 = repository.resolve('m', '2');
    writeFileSync(path.join(dir, 'config.pbtxt'), CONFIG('version_policy { all { } }'));
    await pollTwice(repository);
    assert.deepEqual(state(repository, 'm').map((r) => [r[0], r[1]]), [[1, 'READY'], [2, 'READY']]);
    assert.equal(repository.resolve('m', '2'), v2, 'version 2 kept serving the same copy');
  });
});

describe('explicit and none modes', () => {
  it('explicit: only --load-model names load at start-up; load and unload work; reloading an unchanged model is a no-op', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'a', addModel(), { config: CONFIG() });
    writeModelDir(repo, 'b', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'explicit', ['a']);
    assert.deepEqual(repository.index(false).map((e) => [e.name, e.state]), [['a', 'READY'], ['b', undefined]]);
    await assert.rejects(repository.load('missing'), /failed to load 'missing', failed to poll from model repository/);
    assert.deepEqual(repository.index(false).map((e) => e.name), ['a', 'b'], 'a failed load of an unknown model leaves nothing behind');
    assert.throws(() => repository.resolve('missing'), /Request for unknown model: 'missing' is not found/);
    await repository.load('b');
    const b = repository.resolve('b');
    await repository.load('b');
    assert.equal(repository.resolve('b'), b, 'an unchanged model is not reloaded');
    await repository.unload('b');
    assert.deepEqual(state(repository, 'b'), [[1, 'UNAVAILABLE', 'unloaded']]);
    await repository.unload('never-heard-of');
    await assert.rejects(repository.load('missing'), /failed to load 'missing', failed to poll from model repository/);
  });

  it('explicit: an unreadable config override fails the load (INTERNAL) while the serving copy keeps serving', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'explicit', ['m']);
    await assert.rejects(repository.load('m', { config: '{"max_batch_size": ' }), (e: Error & { code?: string }) =>
      e.code === 'INTERNAL' && /^failed to load 'm', failed to poll from model repository: /.test(e.message));
    assert.equal(state(repository, 'm')[0]![1], 'READY');
  });

  it('explicit: a config override replaces config.pbtxt, and a later load without it reverts', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'explicit', ['*']);
    await repository.load('m', { config: JSON.stringify({ max_batch_size: 2, instance_group: [{ count: 1, kind: 'KIND_CPU' }] }) });
    assert.equal(repository.resolve('m').config.max_batch_size, 2);
    await repository.load('m');
    assert.equal(repository.resolve('m').config.max_batch_size, 8);
  });

  it('explicit: file overrides load from the given bytes and must stay inside the model folder', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'explicit', []);
    const files = new Map([['1/model.onnx', addModel()]]);
    await assert.rejects(repository.load('m', { files }), /Load parameter 'config' must be specified for model file override/);
    for (const bad of ['../1/model.onnx', '/etc/passwd', '1/../../x']) {
      await assert.rejects(repository.load('m', { config: '{}', files: new Map([[bad, addModel()]]) }), /must be relative and stay inside the model directory/);
    }
    await repository.load('m', { config: '{}', files });
    assert.equal(state(repository, 'm')[0]![1], 'READY');
  });

  it('a load failure reports the version and its reason', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'bad', corruptModelBytes(), { config: CONFIG() });
    const repository = await open(repo, 'explicit', []);
    await assert.rejects(repository.load('bad'), (e: Error & { code?: string }) =>
      e.code === 'INVALID_ARG' && /^load failed for model 'bad': version 1 is at UNAVAILABLE state: Internal: onnx runtime error/.test(e.message));
  });

  it('none and poll modes refuse the load and unload API with Triton\'s text', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'm', addModel(), { config: CONFIG() });
    for (const mode of ['none', 'poll'] as const) {
      const repository = await open(repo, mode);
      await assert.rejects(repository.load('m'), (e: Error & { code?: string }) => e.code === 'UNAVAILABLE' && e.message === 'explicit model load / unload is not allowed if polling is enabled');
      await assert.rejects(repository.unload('m'), /explicit model load \/ unload is not allowed/);
    }
  });
});

describe('warmup in the load path', () => {
  it('a model with model_warmup turns READY after warming up; a failing warmup fails the load with Triton\'s message', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'warm', addModel(), {
      config: CONFIG('model_warmup [ { name: "zeros" batch_size: 2 inputs { key: "INPUT0" value { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } inputs { key: "INPUT1" value { data_type: TYPE_FP32 dims: [ 4 ] random_data: true } } } ]'),
    });
    writeModelDir(repo, 'cold', addModel(), {
      config: CONFIG('model_warmup [ { name: "bad" batch_size: 1 inputs { key: "INPUT0" value { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } inputs { key: "INPUT1" value { data_type: TYPE_FP32 dims: [ 4 ] input_data_file: "missing.bin" } } } ]'),
    });
    const repository = await open(repo, 'none');
    assert.deepEqual(state(repository, 'warm'), [[1, 'READY', '']]);
    const [cold] = state(repository, 'cold');
    assert.equal(cold![1], 'UNAVAILABLE');
    assert.match(String(cold![2]), /missing\.bin/);
  });
});

describe('instance workers under the repository', () => {
  it('a first load shows its progress as the index reason while LOADING, then READY with none', async () => {
    const repo = tempDir();
    // One warmup run of 6 MatMuls at n = 1024 (~135 ms on one thread on the 2-core dev machine) keeps it LOADING.
    writeModelDir(repo, 'slow_warm', slowMatmulModel(), {
      config: 'backend: "onnxruntime"\nmax_batch_size: 0\ninput [ { name: "X" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]\n' +
        'output [ { name: "Y" data_type: TYPE_FP32 dims: [ -1, -1 ] } ]\ninstance_group [ { count: 1 kind: KIND_CPU } ]\n' +
        'model_warmup [ { name: "big" batch_size: 1 inputs { key: "X" value { data_type: TYPE_FP32 dims: [ 1024, 1024 ] zero_data: true } } } ]',
    });
    const repository = await open(repo, 'explicit');
    const loading = repository.load('slow_warm');
    await until(() => state(repository, 'slow_warm').some(([, s, reason]) => s === 'LOADING' && reason === 'warming up'));
    await loading;
    assert.deepEqual(state(repository, 'slow_warm'), [[1, 'READY', '']]);
  });

  it('a version whose only instance loses its worker is LOADING until the session is recreated, then serves', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'lone', addModel(), { config: CONFIG() });
    const repository = await open(repo, 'explicit', ['lone']);
    const service = new InferenceService(repository);
    const [instance] = (repository.resolve('lone') as LoadedVersion).instances;
    const killed = instance!.killWorker();
    // The worker's residents are told at once, before the old thread has even ended.
    assert.deepEqual(state(repository, 'lone'), [[1, 'LOADING', 'recreating its instances after their worker died']]);
    await assert.rejects(service.infer('lone', undefined, request()), /Request for unknown model: 'lone' has no available versions/);
    await killed;
    await until(() => state(repository, 'lone')[0]?.[1] === 'READY');
    assert.deepEqual(state(repository, 'lone'), [[1, 'READY', '']]);
    assert.equal(instance!.restarts, 1);
    const response = await service.infer('lone', undefined, request());
    assert.equal(response.outputs.length > 0, true);
  });
});

describe('config fields nereid does not carry out, at load', () => {
  it('a model asking for one is UNAVAILABLE with a reason naming the field; an ensemble using it says so', async () => {
    const repo = tempDir();
    writeModelDir(repo, 'cached', addModel(), { config: CONFIG('metric_tags { key: "team" value: "a" }') });
    mkdirSync(path.join(repo, 'pipeline', '1'), { recursive: true });
    writeFileSync(path.join(repo, 'pipeline', 'config.pbtxt'), 'name: "pipeline"\nplatform: "ensemble"\nmax_batch_size: 8\n' +
      'input [ { name: "A" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "B" data_type: TYPE_FP32 dims: [ 4 ] } ]\n' +
      'output [ { name: "C" data_type: TYPE_FP32 dims: [ 4 ] } ]\n' +
      'ensemble_scheduling { step [ { model_name: "cached" model_version: -1 input_map { key: "INPUT0" value: "A" } ' +
      'input_map { key: "INPUT1" value: "B" } output_map { key: "OUTPUT0" value: "C" } } ] }\n');
    const repository = await open(repo, 'none');
    assert.deepEqual(state(repository, 'cached'), [[1, 'UNAVAILABLE', "Unsupported: model 'cached': metric_tags is not supported: metric tags are not implemented"]]);
    assert.deepEqual(state(repository, 'pipeline'), [[undefined, 'UNAVAILABLE', "Invalid argument: ensemble 'pipeline' depends on 'cached' which " +
      "has no loaded version. Model 'cached' loading failed with error: version 1 is at UNAVAILABLE state: Unsupported: model 'cached': " +
      'metric_tags is not supported: metric tags are not implemented;']]);
  });
});
