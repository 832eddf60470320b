import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelPlan } from '../../src/core/model-plan.ts';
import { Metrics } from '../../src/observe/metrics.ts';
import {
  parseExposition,
  planOf,
  publishExecution,
  publishFailure,
  publishLoad,
  publishSuccess,
  sampleValue,
  type Family,
} from './support.ts';

const TRITON_COUNTERS = [
  'nv_inference_request_success',
  'nv_inference_request_failure',
  'nv_inference_count',
  'nv_inference_exec_count',
  'nv_inference_request_duration_us',
  'nv_inference_queue_duration_us',
  'nv_inference_compute_input_duration_us',
  'nv_inference_compute_infer_duration_us',
  'nv_inference_compute_output_duration_us',
  'nv_cache_num_hits_per_model',
  'nv_cache_hit_duration_per_model',
  'nv_cache_num_misses_per_model',
  'nv_cache_miss_duration_per_model',
];
const HISTOGRAMS = [
  'nereid_inference_request_duration_us',
  'nereid_inference_queue_duration_us',
  'nereid_inference_compute_infer_duration_us',
  'nereid_batch_size',
];

/** A Metrics whose pending callback serves `pending`; closed at the end of the test. */
function metricsFor(t: { after: (fn: () => void) => void }, pending: { plan: ModelPlan; pending: number }[] = []): Metrics {
  const metrics = new Metrics({ pending: () => pending });
  t.after(() => metrics.close());
  return metrics;
}

async function scrape(metrics: Metrics): Promise<Map<string, Family>> {
  return parseExposition(await metrics.registry.metrics());
}

const v1 = (model: string): Record<string, string> => ({ model, version: '1' });

describe('Metrics', () => {
  it('registers Triton\'s families with Triton\'s help texts and types, then nereid\'s histograms', async (t) => {
    const families = await scrape(metricsFor(t));
    assert.deepEqual(
      [...families.keys()],
      [
        ...TRITON_COUNTERS,
        'nv_inference_pending_request_count',
        'nv_model_load_duration_secs',
        'nv_cpu_utilization',
        'nv_cpu_memory_total_bytes',
        'nv_cpu_memory_used_bytes',
        'nv_pinned_memory_pool_total_bytes',
        'nv_pinned_memory_pool_used_bytes',
        ...HISTOGRAMS,
        'nereid_rate_limited_total',
        // Gray release (release-metrics.ts).
        'nereid_release_routed_total',
        'nereid_release_rollbacks_total',
        'nereid_release_rolled_back',
        'nereid_shadow_requests_total',
        'nereid_shadow_max_abs_diff',
        'nereid_shadow_mean_abs_diff',
        'nereid_shadow_argmax_agreement',
        'nereid_shadow_incomparable_total',
      ],
    );
    for (const name of TRITON_COUNTERS) assert.equal(families.get(name)!.type, 'counter', name);
    for (const name of HISTOGRAMS) assert.equal(families.get(name)!.type, 'histogram', name);
    assert.equal(families.get('nv_model_load_duration_secs')!.type, 'gauge');
    // Triton's HELP texts; nereid has no pinned pool, so both read 0.
    assert.equal(families.get('nv_pinned_memory_pool_total_bytes')!.help, 'Pinned memory pool total memory size, in bytes');
    assert.equal(families.get('nv_pinned_memory_pool_used_bytes')!.help, 'Pinned memory pool used memory size, in bytes');
    for (const name of ['nv_pinned_memory_pool_total_bytes', 'nv_pinned_memory_pool_used_bytes']) {
      assert.equal(families.get(name)!.samples[0]!.value, 0, name);
    }
    assert.equal(families.get('nv_inference_pending_request_count')!.type, 'gauge');
    assert.equal(families.get('nv_inference_request_success')!.help, 'Number of successful inference requests, all batch sizes');
    assert.equal(
      families.get('nv_inference_compute_output_duration_us')!.help,
      'Cumulative inference compute output duration in microseconds (does not include cached requests)',
    );
    assert.equal(
      families.get('nv_inference_pending_request_count')!.help,
      'Instantaneous number of pending requests awaiting execution per-model.',
    );
    assert.equal(families.get('nv_model_load_duration_secs')!.help, 'Model load time in seconds');
  });

  it('counts requests and executions per model and version, with labels in alphabetical order', async (t) => {
    const metrics = metricsFor(t);
    const m1 = planOf('m_counts', 1);
    const m2 = planOf('m_counts', 2);
    publishSuccess(m1, { durationNs: 1500, queueNs: 999, inputNs: 2000, inferNs: 10_999, outputNs: 0, endedAtMs: 1 });
    publishSuccess(m1, { durationNs: 2999, queueNs: 1001, inputNs: 2000, inferNs: 5_000, outputNs: 1000, endedAtMs: 2 });
    publishFailure(m1, 'REJECTED', 100, 3);
    publishFailure(m1, 'REJECTED', 100, 4);
    publishFailure(m1, 'CANCELED', 100, 5);
    publishExecution(m1, 2);
    publishExecution(m1, 3);
    publishSuccess(m2, { durationNs: 4000, queueNs: 0, inputNs: 0, inferNs: 0, outputNs: 0, endedAtMs: 6 });

    const f = await scrape(metrics);
    const at = (family: string, labels = v1('m_counts')): number | undefined => sampleValue(f, family, labels);
    assert.equal(at('nv_inference_request_success'), 2);
    assert.equal(at('nv_inference_request_success', { model: 'm_counts', version: '2' }), 1);
    // Whole µs per request, truncated as Triton does: 1 + 2, 0 + 1, 2 + 2, 10 + 5, 0 + 1.
    assert.equal(at('nv_inference_request_duration_us'), 3);
    assert.equal(at('nv_inference_queue_duration_us'), 1);
    assert.equal(at('nv_inference_compute_input_duration_us'), 4);
    assert.equal(at('nv_inference_compute_infer_duration_us'), 15);
    assert.equal(at('nv_inference_compute_output_duration_us'), 1);
    assert.equal(at('nv_inference_count'), 5);
    assert.equal(at('nv_inference_exec_count'), 2);
    assert.equal(at('nv_inference_exec_count', { model: 'm_counts', version: '2' }), 0);

    const failures = f.get('nv_inference_request_failure')!.samples.filter((s) => s.labels.model === 'm_counts');
    assert.deepEqual(
      Object.fromEntries(failures.filter((s) => s.labels.version === '1').map((s) => [s.labels.reason, s.value])),
      { REJECTED: 2, CANCELED: 1, BACKEND: 0, OTHER: 0 },
    );
    assert.equal(failures.length, 8, 'all four reasons exist for both versions');
    for (const s of failures) assert.deepEqual(s.labelOrder, ['model', 'reason', 'version']);
    for (const s of f.get('nv_inference_request_success')!.samples) assert.deepEqual(s.labelOrder, ['model', 'version']);
  });

  it('fills the histograms: latencies of successes in µs, batch sizes per execution', async (t) => {
    const metrics = metricsFor(t);
    const m = planOf('m_hist', 1);
    for (const batch of [1, 3, 8, 8, 2000]) publishExecution(m, batch);
    publishSuccess(m, { durationNs: 40e6, queueNs: 5e6, inputNs: 0, inferNs: 30e6, outputNs: 0, endedAtMs: 1 });
    publishSuccess(m, { durationNs: 3e9, queueNs: 20e6, inputNs: 0, inferNs: 2e9, outputNs: 0, endedAtMs: 2 });
    publishFailure(m, 'OTHER', 99_000_000_000, 3);

    const f = await scrape(metrics);
    const bucket = (family: string, le: string): number | undefined =>
      sampleValue(f, family, { model: 'm_hist', version: '1', le }, `${family}_bucket`);
    assert.equal(bucket('nereid_batch_size', '1'), 1);
    assert.equal(bucket('nereid_batch_size', '2'), 1);
    assert.equal(bucket('nereid_batch_size', '4'), 2);
    assert.equal(bucket('nereid_batch_size', '8'), 4);
    assert.equal(bucket('nereid_batch_size', '1024'), 4);
    assert.equal(bucket('nereid_batch_size', '+Inf'), 5);
    assert.equal(sampleValue(f, 'nereid_batch_size', v1('m_hist'), 'nereid_batch_size_sum'), 2020);
    assert.equal(sampleValue(f, 'nereid_batch_size', v1('m_hist'), 'nereid_batch_size_count'), 5);

    assert.equal(bucket('nereid_inference_request_duration_us', '25000'), 0);
    assert.equal(bucket('nereid_inference_request_duration_us', '50000'), 1);
    assert.equal(bucket('nereid_inference_request_duration_us', '2500000'), 1);
    assert.equal(bucket('nereid_inference_request_duration_us', '5000000'), 2);
    assert.equal(bucket('nereid_inference_request_duration_us', '+Inf'), 2, 'failures are not observed');
    assert.equal(bucket('nereid_inference_queue_duration_us', '5000'), 1);
    assert.equal(bucket('nereid_inference_queue_duration_us', '25000'), 2);
    assert.equal(bucket('nereid_inference_compute_infer_duration_us', '50000'), 1);
    assert.equal(
      sampleValue(f, 'nereid_inference_compute_infer_duration_us', v1('m_hist'), 'nereid_inference_compute_infer_duration_us_sum'),
      2_030_000,
    );
    const buckets = f.get('nereid_batch_size')!.samples.filter((s) => s.name === 'nereid_batch_size_bucket');
    assert.deepEqual(buckets[0]!.labelOrder, ['model', 'version', 'le']);
  });

  it('creates every series of a version at its load, with the load time', async (t) => {
    const metrics = metricsFor(t);
    const m = planOf('m_load', 1);
    publishLoad(m, 1.25);
    const f = await scrape(metrics);
    assert.equal(sampleValue(f, 'nv_model_load_duration_secs', v1('m_load')), 1.25);
    for (const name of TRITON_COUNTERS.filter((n) => n !== 'nv_inference_request_failure' && !n.startsWith('nv_cache_'))) {
      assert.equal(sampleValue(f, name, v1('m_load')), 0, name);
    }
    // The cache series exist only for versions with response_cache enabled (see test/core/response-cache.test.ts).
    assert.equal(sampleValue(f, 'nv_cache_num_hits_per_model', v1('m_load')), undefined);
    for (const reason of ['REJECTED', 'CANCELED', 'BACKEND', 'OTHER']) {
      assert.equal(sampleValue(f, 'nv_inference_request_failure', { model: 'm_load', reason, version: '1' }), 0);
    }
    assert.equal(sampleValue(f, 'nereid_batch_size', v1('m_load'), 'nereid_batch_size_count'), 0);
  });

  it('reads the pending gauge from the callback at each scrape', async (t) => {
    const p1 = planOf('m_pending', 1);
    const p2 = planOf('m_pending', 2);
    const pending = [
      { plan: p1, pending: 3 },
      { plan: p2, pending: 0 },
    ];
    const metrics = metricsFor(t, pending);
    let f = await scrape(metrics);
    assert.equal(sampleValue(f, 'nv_inference_pending_request_count', v1('m_pending')), 3);
    assert.equal(sampleValue(f, 'nv_inference_pending_request_count', { model: 'm_pending', version: '2' }), 0);
    assert.deepEqual(f.get('nv_inference_pending_request_count')!.samples[0]!.labelOrder, ['model', 'version']);
    pending.splice(0, 2, { plan: p1, pending: 7 });
    f = await scrape(metrics);
    assert.equal(sampleValue(f, 'nv_inference_pending_request_count', v1('m_pending')), 7);
    assert.equal(sampleValue(f, 'nv_inference_pending_request_count', { model: 'm_pending', version: '2' }), undefined);
  });

  it('reports host CPU utilization in [0, 1] and memory in bytes', async (t) => {
    const metrics = metricsFor(t);
    for (let i = 0; i < 2; i++) {
      const f = await scrape(metrics);
      const util = sampleValue(f, 'nv_cpu_utilization', {})!;
      const total = sampleValue(f, 'nv_cpu_memory_total_bytes', {})!;
      const used = sampleValue(f, 'nv_cpu_memory_used_bytes', {})!;
      assert.ok(util >= 0 && util <= 1, `utilization ${util}`);
      assert.ok(total > 0 && Number.isInteger(total), `total ${total}`);
      assert.ok(used > 0 && used <= total, `used ${used}`);
    }
  });

  it('caches one set of series per version: the same cells serve every event, and a reload shares them', async (t) => {
    const metrics = metricsFor(t);
    const m = planOf('m_cache', 1);
    publishExecution(m, 1);
    const series = metrics.seriesOf(m);
    const { success, executionCount, batchSizeHistogram } = series;
    publishExecution(m, 1);
    publishSuccess(m, { durationNs: 1, queueNs: 1, inputNs: 1, inferNs: 1, outputNs: 1, endedAtMs: 1 });
    assert.equal(metrics.seriesOf(m), series);
    assert.equal(metrics.seriesOf(m).success, success);
    assert.equal(success.value, 1);
    assert.equal(executionCount.value, 2, 'the cell cached at the first event took the second');
    assert.equal(batchSizeHistogram.count, 2);

    const reloaded = planOf('m_cache', 1);
    assert.equal(metrics.seriesOf(reloaded), series, 'a new plan of the same version continues its series');
    publishExecution(reloaded, 1);
    assert.equal(executionCount.value, 3);

    const f = await scrape(metrics);
    for (const family of f.values()) {
      const mine = family.samples.filter((s) => s.labels.model === 'm_cache');
      const keys = mine.map((s) => s.name + JSON.stringify(s.labels));
      assert.equal(new Set(keys).size, keys.length, `one series per label set in ${family.name}`);
    }
    assert.equal(sampleValue(f, 'nv_inference_exec_count', v1('m_cache')), 3);
  });

  it('stops observing once closed', async (t) => {
    const metrics = metricsFor(t);
    const m = planOf('m_closed', 1);
    publishExecution(m, 1);
    metrics.close();
    publishExecution(m, 1);
    publishLoad(planOf('m_closed_late', 1), 2);
    const f = await scrape(metrics);
    assert.equal(sampleValue(f, 'nv_inference_exec_count', v1('m_closed')), 1);
    assert.equal(sampleValue(f, 'nv_model_load_duration_secs', v1('m_closed_late')), undefined);
  });
});
