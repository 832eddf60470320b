/**
 * The Prometheus metrics: Triton's per-model counters and gauges (labels `model`, [`reason`,] `version`, printed in
 * that alphabetical order), Triton's host gauges, and nereid's own histograms (latencies and batch sizes, so a scrape
 * shows whether batching happens). Fed by the data path's events; every series of a model version is created on
 * first sight of that version (its load, or its first event) and cached per plan, so handling an event is a few
 * field updates.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import {
  executionChannel,
  modelLoadChannel,
  rateLimitChannel,
  type RateLimitEvent,
  requestChannel,
  type ExecutionEvent,
  type FailureReason,
  type ModelLoadEvent,
  type RequestEvent,
} from '../core/inference-events.ts';
import type { ModelPlan } from '../core/model-plan.ts';
import type { ResponseCacheCounts } from '../core/response-cache.ts';
import { HistogramFamily, ValueFamily, type HistogramCell, type ValueCell } from './metric-cells.ts';
import { registerSystemGauges } from './system-gauges.ts';
import { ReleaseMetrics } from './release-metrics.ts';

export interface MetricsOptions {
  /** Requests waiting in each loaded version's queue, read at scrape time (nv_inference_pending_request_count). */
  pending: () => Iterable<{ plan: ModelPlan; pending: number }>;
  /** The response cache (--cache-config), read at scrape time for the nv_cache_* gauges; absent without one. */
  responseCache?: { counts(): ResponseCacheCounts };
}

/** The per-model response cache series, for versions with response_cache enabled (as Triton exports them). */
interface CacheSeries {
  readonly hits: ValueCell;
  readonly hitUs: ValueCell;
  readonly misses: ValueCell;
  readonly missUs: ValueCell;
}

/** Upper bounds of the latency histograms, in µs: 10 µs to 10 s. */
export const LATENCY_BUCKETS_US: readonly number[] = [
  10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
  2_500_000, 5_000_000, 10_000_000,
];

/** Upper bounds of the batch-size histogram: powers of two to 1024. */
export const BATCH_SIZE_BUCKETS: readonly number[] = Array.from({ length: 11 }, (_, i) => 2 ** i);

const FAILURE_REASONS: readonly FailureReason[] = ['REJECTED', 'CANCELED', 'BACKEND', 'OTHER'];

/** Every series of one model version, created together. */
export interface ModelSeries {
  readonly success: ValueCell;
  readonly failure: Readonly<Record<FailureReason, ValueCell>>;
  readonly inferenceCount: ValueCell;
  readonly executionCount: ValueCell;
  readonly requestUs: ValueCell;
  readonly queueUs: ValueCell;
  readonly computeInputUs: ValueCell;
  readonly computeInferUs: ValueCell;
  readonly computeOutputUs: ValueCell;
  readonly loadSeconds: ValueCell;
  readonly requestHistogram: HistogramCell;
  readonly queueHistogram: HistogramCell;
  readonly computeInferHistogram: HistogramCell;
  readonly batchSizeHistogram: HistogramCell;
}

type Families = {
  readonly [K in keyof ModelSeries]: ModelSeries[K] extends HistogramCell ? HistogramFamily : ValueFamily;
};

type CacheFamilies = { readonly [K in keyof CacheSeries]: ValueFamily };

/** The response cache's gauges, as Triton names them, read from the cache at scrape time. */
function registerCacheGauges(r: Registry, cache: { counts(): ResponseCacheCounts }): void {
  const gauge = (name: string, help: string, value: (c: ResponseCacheCounts) => number): void => {
    new Gauge({ name, help, registers: [r], collect() { this.set(value(cache.counts())); } });
  };
  gauge('nv_cache_util', 'Cache utilization [0.0 - 1.0]', (c) => (c.capacityBytes === 0 ? 0 : c.usedBytes / c.capacityBytes));
  gauge('nv_cache_num_entries', 'Number of responses stored in response cache', (c) => c.entries);
  gauge('nv_cache_num_hits', 'Number of cache hits in response cache', (c) => c.hits);
  gauge('nv_cache_num_misses', 'Number of cache misses in response cache', (c) => c.misses);
  gauge('nv_cache_num_lookups', 'Number of cache lookups in response cache', (c) => c.lookups);
  gauge('nv_cache_num_evictions', 'Number of cache evictions in response cache', (c) => c.evictions);
  gauge('nv_cache_lookup_duration', 'Total cache lookup duration (hit and miss), in microseconds', (c) => Math.floor(c.lookupNs / 1000));
  gauge('nv_cache_insertion_duration', 'Total cache insertion duration, in microseconds', (c) => Math.floor(c.insertionNs / 1000));
}

/** Registers every family in scrape order: Triton's per-model ones, its host gauges, then nereid's histograms. */
function registerFamilies(r: Registry, options: MetricsOptions): Families & { readonly cache: CacheFamilies } {
  const counter = (name: string, help: string): ValueFamily => new ValueFamily(r, name, help, 'counter');
  const histogram = (name: string, help: string, bounds: readonly number[]): HistogramFamily =>
    new HistogramFamily(r, name, help, bounds);
  const success = counter('nv_inference_request_success', 'Number of successful inference requests, all batch sizes');
  const failure = counter('nv_inference_request_failure', 'Number of failed inference requests, all batch sizes');
  const inferenceCount = counter(
    'nv_inference_count',
    'Number of inferences performed (does not include cached requests)',
  );
  const executionCount = counter(
    'nv_inference_exec_count',
    'Number of model executions performed (does not include cached requests)',
  );
  const requestUs = counter(
    'nv_inference_request_duration_us',
    'Cumulative inference request duration in microseconds (includes cached requests)',
  );
  const queueUs = counter(
    'nv_inference_queue_duration_us',
    'Cumulative inference queuing duration in microseconds (includes cached requests)',
  );
  const computeInputUs = counter(
    'nv_inference_compute_input_duration_us',
    'Cumulative compute input duration in microseconds (does not include cached requests)',
  );
  const computeInferUs = counter(
    'nv_inference_compute_infer_duration_us',
    'Cumulative compute inference duration in microseconds (does not include cached requests)',
  );
  const computeOutputUs = counter(
    'nv_inference_compute_output_duration_us',
    'Cumulative inference compute output duration in microseconds (does not include cached requests)',
  );
  const cache: CacheFamilies = {
    hits: counter('nv_cache_num_hits_per_model', 'Number of cache hits per model'),
    hitUs: counter('nv_cache_hit_duration_per_model', 'Total cache hit duration per model, in microseconds'),
    misses: counter('nv_cache_num_misses_per_model', 'Number of cache misses per model'),
    missUs: counter('nv_cache_miss_duration_per_model', 'Total cache miss (insert+lookup) duration per model, in microseconds'),
  };
  if (options.responseCache !== undefined) registerCacheGauges(r, options.responseCache);
  new Gauge({
    name: 'nv_inference_pending_request_count',
    help: 'Instantaneous number of pending requests awaiting execution per-model.',
    labelNames: ['model', 'version'] as const,
    registers: [r],
    collect() {
      this.reset();
      for (const { plan, pending } of options.pending()) {
        this.set({ model: plan.name, version: String(plan.version) }, pending);
      }
    },
  });
  const loadSeconds = new ValueFamily(r, 'nv_model_load_duration_secs', 'Model load time in seconds', 'gauge');
  registerSystemGauges(r);
  const requestHistogram = histogram(
    'nereid_inference_request_duration_us',
    'Histogram of successful inference request durations in microseconds',
    LATENCY_BUCKETS_US,
  );
  const queueHistogram = histogram(
    'nereid_inference_queue_duration_us',
    'Histogram of successful inference requests queuing durations in microseconds',
    LATENCY_BUCKETS_US,
  );
  const computeInferHistogram = histogram(
    'nereid_inference_compute_infer_duration_us',
    'Histogram of successful inference requests compute inference durations in microseconds',
    LATENCY_BUCKETS_US,
  );
  const batchSizeHistogram = histogram(
    'nereid_batch_size',
    'Histogram of model execution batch sizes (batch elements per execution)',
    BATCH_SIZE_BUCKETS,
  );
  return {
    cache,
    success,
    failure,
    inferenceCount,
    executionCount,
    requestUs,
    queueUs,
    computeInputUs,
    computeInferUs,
    computeOutputUs,
    loadSeconds,
    requestHistogram,
    queueHistogram,
    computeInferHistogram,
    batchSizeHistogram,
  };
}

/** Triton accumulates whole µs per request (ns / 1000, truncated). */
const us = (ns: number): number => Math.floor(ns / 1000);

export class Metrics {
  readonly registry = new Registry();
  private readonly families: Families & { readonly cache: CacheFamilies };
  private readonly cacheByPlan = new WeakMap<ModelPlan, CacheSeries>();
  private readonly cacheByLabels = new Map<string, CacheSeries>();
  private readonly byPlan = new WeakMap<ModelPlan, ModelSeries>();
  /** One set of series per model and version, shared by its successive plans (Triton likewise reuses the live
   *  reporter of the same labels), so a reload continues the counters. */
  private readonly byLabels = new Map<string, ModelSeries>();

  private readonly onRequest = (message: unknown): void => {
    const event = message as RequestEvent;
    const s = this.seriesOf(event.plan);
    if (!event.ok) {
      (s.failure[event.failureReason] ?? s.failure.OTHER).inc(1);
      return;
    }
    s.success.inc(1);
    if (event.cache !== 'none') {
      const c = this.cacheSeriesOf(event.plan);
      if (event.cache === 'hit') {
        c.hits.inc(1);
        c.hitUs.inc(us(event.cacheNs));
      } else {
        c.misses.inc(1);
        c.missUs.inc(us(event.cacheNs));
      }
    }
    s.requestUs.inc(us(event.durationNs));
    s.queueUs.inc(us(event.queueNs));
    s.computeInputUs.inc(us(event.computeInputNs));
    s.computeInferUs.inc(us(event.computeInferNs));
    s.computeOutputUs.inc(us(event.computeOutputNs));
    s.requestHistogram.observe(event.durationNs / 1000);
    s.queueHistogram.observe(event.queueNs / 1000);
    s.computeInferHistogram.observe(event.computeInferNs / 1000);
  };

  private readonly onExecution = (message: unknown): void => {
    const event = message as ExecutionEvent;
    const s = this.seriesOf(event.plan);
    s.inferenceCount.inc(event.batchSize);
    s.executionCount.inc(1);
    s.batchSizeHistogram.observe(event.batchSize);
  };

  /** Requests refused by a gray-release rate limit, per model, version and bucket (nereid's own). */
  private readonly rateLimited: Counter<'model' | 'version' | 'scope'>;

  private readonly onRateLimit = (message: unknown): void => {
    const event = message as RateLimitEvent;
    this.rateLimited.inc({ model: event.plan.name, version: String(event.plan.version), scope: event.scope });
  };

  private readonly onModelLoad = (message: unknown): void => {
    const event = message as ModelLoadEvent;
    this.seriesOf(event.plan).loadSeconds.set(event.seconds);
  };

  /** Registers every family and subscribes to the data path's channels. */
  constructor(options: MetricsOptions) {
    this.families = registerFamilies(this.registry, options);
    this.rateLimited = new Counter({
      name: 'nereid_rate_limited_total',
      help: 'Requests refused by a per-model or per-client rate limit (429 / RESOURCE_EXHAUSTED)',
      labelNames: ['model', 'version', 'scope'] as const,
      registers: [this.registry],
    });
    requestChannel.subscribe(this.onRequest);
    executionChannel.subscribe(this.onExecution);
    modelLoadChannel.subscribe(this.onModelLoad);
    rateLimitChannel.subscribe(this.onRateLimit);
    this.release = new ReleaseMetrics(this.registry);
  }

  /** The gray-release families (release-metrics.ts). */
  private readonly release: ReleaseMetrics;

  /** Unsubscribes from the channels; the registry keeps answering with what was gathered. */
  close(): void {
    requestChannel.unsubscribe(this.onRequest);
    executionChannel.unsubscribe(this.onExecution);
    modelLoadChannel.unsubscribe(this.onModelLoad);
    rateLimitChannel.unsubscribe(this.onRateLimit);
    this.release.close();
  }

  /** The response cache series of a version with response_cache enabled (created with its other series). */
  private cacheSeriesOf(plan: ModelPlan): CacheSeries {
    const cached = this.cacheByPlan.get(plan);
    if (cached !== undefined) return cached;
    const key = `${plan.name}\u0000${plan.version}`;
    let series = this.cacheByLabels.get(key);
    if (series === undefined) {
      const labels = Object.freeze({ model: plan.name, version: String(plan.version) });
      const f = this.families.cache;
      series = Object.freeze({ hits: f.hits.cell(labels), hitUs: f.hitUs.cell(labels), misses: f.misses.cell(labels), missUs: f.missUs.cell(labels) });
      this.cacheByLabels.set(key, series);
    }
    this.cacheByPlan.set(plan, series);
    return series;
  }

  /** The series of a model version, created (every family at once, all zero) on first sight and cached per plan. */
  seriesOf(plan: ModelPlan): ModelSeries {
    const cached = this.byPlan.get(plan);
    if (cached !== undefined) return cached;
    // A version with response_cache enabled shows its cache series from the start, as in Triton.
    if (plan.responseCache) this.cacheSeriesOf(plan);
    const key = `${plan.name}\u0000${plan.version}`;
    let series = this.byLabels.get(key);
    if (series === undefined) {
      series = this.createSeries(plan.name, String(plan.version));
      this.byLabels.set(key, series);
    }
    this.byPlan.set(plan, series);
    return series;
  }

  private createSeries(model: string, version: string): ModelSeries {
    const f = this.families;
    const labels = Object.freeze({ model, version });
    const failure = {} as Record<FailureReason, ValueCell>;
    for (const reason of FAILURE_REASONS) failure[reason] = f.failure.cell(Object.freeze({ model, reason, version }));
    return Object.freeze({
      success: f.success.cell(labels),
      failure: Object.freeze(failure),
      inferenceCount: f.inferenceCount.cell(labels),
      executionCount: f.executionCount.cell(labels),
      requestUs: f.requestUs.cell(labels),
      queueUs: f.queueUs.cell(labels),
      computeInputUs: f.computeInputUs.cell(labels),
      computeInferUs: f.computeInferUs.cell(labels),
      computeOutputUs: f.computeOutputUs.cell(labels),
      loadSeconds: f.loadSeconds.cell(labels),
      requestHistogram: f.requestHistogram.cell(labels),
      queueHistogram: f.queueHistogram.cell(labels),
      computeInferHistogram: f.computeInferHistogram.cell(labels),
      batchSizeHistogram: f.batchSizeHistogram.cell(labels),
    });
  }
}
