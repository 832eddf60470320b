/**
 * The response cache: least-recently-used eviction within its size, and, on real models, what tritonserver 2.51 was
 * seen doing: a repeated request is answered without executing (counted as a success with a queue count and a
 * cache hit, no compute, no execution), the key ignores the outputs asked for (a hit answers the stored ones asked
 * for), models without response_cache are never cached (a sequence model with it is refused), and the per-model and global nv_cache_*
 * metrics count it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { InferenceService } from '../../src/core/inference-service.ts';
import { buildModelPlan } from '../../src/core/model-plan.ts';
import { ResponseCache } from '../../src/core/response-cache.ts';
import { plainMessage } from '../../src/config/model-config-schema.ts';
import type { ModelConfig } from '../../src/config/model-config.ts';
import { Metrics } from '../../src/observe/metrics.ts';
import { StatisticsStore } from '../../src/observe/statistics.ts';
import type { InferResponse, Parameters, RequestedOutput } from '../../src/protocol/inference.ts';
import type { OutputTensor } from '../../src/protocol/inference.ts';
import type { ModelRepository } from '../../src/repository/model-repository.ts';
import { loadRepository, statusesOf } from '../support/repository.ts';
import { tempDir } from '../support/temp-dir.ts';
import { fp32Input, readFp32 } from '../support/tensors.ts';

const tensor = (bytes: number): OutputTensor => ({ name: 'OUT', datatype: 'UINT8', shape: [bytes], data: new Uint8Array(bytes) });

describe('response cache: the store', () => {
  const plan = buildModelPlan(plainMessage<ModelConfig>('ModelConfig', { name: 'm', max_batch_size: 0 }), 1);
  const key = (cache: ResponseCache, n: number): string =>
    cache.key(plan, [{ name: 'X', datatype: 'INT32', shape: [1], data: new Uint8Array(Int32Array.of(n).buffer) }]);

  it('evicts the least recently used entries to stay within its size, and stores nothing larger than itself', () => {
    const cache = new ResponseCache(100);
    cache.insert(key(cache, 1), [tensor(40)]);
    cache.insert(key(cache, 2), [tensor(40)]);
    assert.ok(cache.lookup(key(cache, 1)) !== undefined, 'entry 1 is now the most recently used');
    cache.insert(key(cache, 3), [tensor(40)]);
    assert.equal(cache.lookup(key(cache, 2)), undefined, 'entry 2 was evicted');
    assert.ok(cache.lookup(key(cache, 1)) !== undefined);
    assert.ok(cache.lookup(key(cache, 3)) !== undefined);
    cache.insert(key(cache, 4), [tensor(101)]);
    assert.equal(cache.lookup(key(cache, 4)), undefined);
    const counts = cache.counts();
    assert.deepEqual([counts.entries, counts.usedBytes, counts.evictions, counts.hits, counts.misses, counts.lookups], [2, 80, 1, 3, 2, 5]);
  });

  it('keys on the inputs, in any order, and on the loaded version', () => {
    const cache = new ResponseCache(100);
    const a = { name: 'A', datatype: 'INT32' as const, shape: [1], data: new Uint8Array(4) };
    const b = { name: 'B', datatype: 'INT32' as const, shape: [1], data: new Uint8Array(4) };
    assert.equal(cache.key(plan, [a, b]), cache.key(plan, [b, a]));
    assert.notEqual(cache.key(plan, [a, b]), cache.key(plan, [a, { ...b, shape: [1, 1] }]));
    const reloaded = buildModelPlan(plainMessage<ModelConfig>('ModelConfig', { name: 'm', max_batch_size: 0 }), 1);
    assert.notEqual(cache.key(plan, [a]), cache.key(reloaded, [a]), 'a reloaded version never hits its predecessor');
  });
});

const IO = `max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "OUTPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
instance_group [ { count: 1 kind: KIND_CPU } ]`;

let repository: ModelRepository;
let service: InferenceService;
let statistics: StatisticsStore;
let metrics: Metrics;
const cache = new ResponseCache(1 << 20);

before(async () => {
  const repo = tempDir();
  const model = addModel({ outputs: [{ name: 'OUTPUT0', type: 'float', shape: ['batch', 4] }, { name: 'OUTPUT1', type: 'float', shape: ['batch', 4] }] });
  statistics = new StatisticsStore();
  metrics = new Metrics({ pending: () => [], responseCache: cache });
  writeModelDir(repo, 'cached', model, { config: `backend: "onnxruntime"\n${IO}\nresponse_cache { enable: true }` });
  writeModelDir(repo, 'uncached', model, { config: `backend: "onnxruntime"\n${IO}` });
  writeModelDir(repo, 'cached_sequence', model, { config: `backend: "onnxruntime"\n${IO}\nresponse_cache { enable: true }\nsequence_batching { }` });
  repository = await loadRepository([repo]);
  service = new InferenceService(repository, cache);
});

after(() => {
  statistics.close();
  metrics.close();
});

function add(model: string, value: number, outputs?: RequestedOutput[], parameters?: Parameters): Promise<InferResponse> {
  return service.infer(model, undefined, {
    inputs: [fp32Input('INPUT0', [1, 4], [value, value, value, value]), fp32Input('INPUT1', [1, 4], [1, 2, 3, 4])],
    ...(outputs === undefined ? {} : { outputs }),
    ...(parameters === undefined ? {} : { parameters }),
  });
}

function stats(model: string) {
  const [s] = statistics.modelStatistics(repository, model);
  const i = s!.inference_stats;
  return { executions: s!.execution_count, inferences: s!.inference_count, success: i.success.count, queue: i.queue.count, computeInfer: i.compute_infer.count, hits: i.cache_hit.count, misses: i.cache_miss.count };
}

describe('response cache: served models', () => {
  it('answers a repeated request without executing, counted as Triton counts it', async () => {
    const first = await add('cached', 10);
    const second = await add('cached', 10);
    assert.deepEqual(second.outputs.map((o) => [o.name, Array.from(readFp32(o))]), first.outputs.map((o) => [o.name, Array.from(readFp32(o))]));
    assert.deepEqual(stats('cached'), { executions: 1, inferences: 1, success: 2, queue: 2, computeInfer: 1, hits: 1, misses: 1 });
    await add('cached', 11);
    assert.deepEqual(stats('cached'), { executions: 2, inferences: 2, success: 3, queue: 3, computeInfer: 2, hits: 1, misses: 2 });
  });

  it('keys on the inputs only: a hit answers just the stored outputs the request asks for', async () => {
    const only1 = await add('cached', 10, [{ name: 'OUTPUT1' }]);
    assert.deepEqual(only1.outputs.map((o) => o.name), ['OUTPUT1']);
    assert.deepEqual(Array.from(readFp32(only1.outputs[0]!)), [9, 8, 7, 6]);
    assert.equal(stats('cached').hits, 2);
  });

  it('runs a request whose stored response lacks an output it asks for, and stores the fuller one', async () => {
    await add('cached', 20, [{ name: 'OUTPUT1' }]);
    const all = await add('cached', 20);
    assert.deepEqual(all.outputs.map((o) => o.name), ['OUTPUT0', 'OUTPUT1']);
    assert.deepEqual(Array.from(readFp32(all.outputs[0]!)), [21, 22, 23, 24]);
    const only0 = await add('cached', 20, [{ name: 'OUTPUT0' }]);
    assert.deepEqual(Array.from(readFp32(only0.outputs[0]!)), [21, 22, 23, 24]);
    const s = stats('cached');
    assert.deepEqual([s.executions, s.hits, s.misses], [4, 3, 4]);
  });

  it("never caches a model without response_cache, and refuses it for a sequence model with Triton's text", async () => {
    await add('uncached', 10);
    await add('uncached', 10);
    assert.deepEqual(stats('uncached'), { executions: 2, inferences: 2, success: 2, queue: 2, computeInfer: 2, hits: 0, misses: 0 });
    const [status] = statusesOf(repository, 'cached_sequence');
    assert.equal(status?.reason, 'Invalid argument: Response Cache does not currently support model cached_sequence with sequence batching scheduler. Please disable the response cache.');
  });

  it('exports the per-model and global nv_cache_* metrics', async () => {
    const text = await metrics.registry.metrics();
    const value = (series: string): number => Number(new RegExp(`^${series.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(value('nv_cache_num_hits_per_model{model="cached",version="1"}'), 3);
    assert.equal(value('nv_cache_num_misses_per_model{model="cached",version="1"}'), 4);
    assert.ok(!text.includes('nv_cache_num_hits_per_model{model="uncached"'), 'only versions with response_cache have cache series');
    assert.equal(value('nv_cache_num_entries'), 3);
    assert.equal(value('nv_cache_util'), 96 / (1 << 20));
    assert.equal(value('nv_cache_num_hits'), 3);
  });
});
