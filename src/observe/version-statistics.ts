/**
 * The running statistics of one loaded model version, updated in place from data-path events (no allocation per
 * request; one small record per batch size ever seen) and rendered as Triton's ModelStatistics JSON on demand.
 * Times are kept as integral ns in plain numbers: 2^53 ns is more than 100 days of summed compute.
 */
import type { ExecutionEvent, RequestEvent } from '../core/inference-events.ts';
import type { InferBatchStatisticsJson, ModelStatisticsJson, StatDurationJson } from './statistics-json.ts';

class Duration {
  count = 0;
  ns = 0;

  add(ns: number): void {
    this.count++;
    this.ns += ns;
  }

  json(): StatDurationJson {
    return { count: this.count, ns: this.ns };
  }
}

class BatchStatistics {
  readonly computeInput = new Duration();
  readonly computeInfer = new Duration();
  readonly computeOutput = new Duration();

  constructor(readonly batchSize: number) {}

  json(): InferBatchStatisticsJson {
    return {
      batch_size: this.batchSize,
      compute_input: this.computeInput.json(),
      compute_infer: this.computeInfer.json(),
      compute_output: this.computeOutput.json(),
    };
  }
}

/** Event times may come from a fractional clock; the JSON holds integers. */
const ns = (value: number): number => Math.round(value);

export class VersionStatistics {
  private readonly success = new Duration();
  private readonly fail = new Duration();
  private readonly queue = new Duration();
  private readonly computeInput = new Duration();
  private readonly computeInfer = new Duration();
  private readonly computeOutput = new Duration();
  private readonly cacheHit = new Duration();
  private readonly cacheMiss = new Duration();
  private readonly batches = new Map<number, BatchStatistics>();
  private inferenceCount = 0;
  private executionCount = 0;
  private lastInferenceMs = 0;

  /** A request ended. Reads the (reused) event; keeps nothing of it. */
  onRequest(event: RequestEvent): void {
    if (!event.ok) {
      this.fail.add(ns(event.durationNs));
      return;
    }
    this.success.add(ns(event.durationNs));
    this.queue.add(ns(event.queueNs));
    if (event.cache === 'hit') {
      // Answered from the response cache: counted as a success with its queue and hit times, never computed.
      this.cacheHit.add(ns(event.cacheNs));
      if (event.endedAtMs > this.lastInferenceMs) this.lastInferenceMs = Math.floor(event.endedAtMs);
      return;
    }
    if (event.cache === 'miss') this.cacheMiss.add(ns(event.cacheNs));
    this.computeInput.add(ns(event.computeInputNs));
    this.computeInfer.add(ns(event.computeInferNs));
    this.computeOutput.add(ns(event.computeOutputNs));
    // Triton stamps last_inference when an execution completes; a successful request's end is the nearest clock
    // reading an event carries. Failures (mostly refused before running) leave it alone.
    if (event.endedAtMs > this.lastInferenceMs) this.lastInferenceMs = Math.floor(event.endedAtMs);
  }

  /** An execution (batch) ran. Reads the (reused) event; keeps nothing of it. */
  onExecution(event: ExecutionEvent): void {
    this.inferenceCount += event.batchSize;
    this.executionCount++;
    // Triton's batch_stats count the execution's whole batch, not-ready sequence slots included.
    const size = event.batchSize + event.paddingRows;
    let batch = this.batches.get(size);
    if (batch === undefined) {
      batch = new BatchStatistics(size);
      this.batches.set(size, batch);
    }
    batch.computeInput.add(ns(event.computeInputNs));
    batch.computeInfer.add(ns(event.computeInferNs));
    batch.computeOutput.add(ns(event.computeOutputNs));
  }

  json(name: string, version: number): ModelStatisticsJson {
    return VersionStatistics.render(name, version, this);
  }

  /** The entry of a version that has seen no event yet. */
  static empty(name: string, version: number): ModelStatisticsJson {
    return VersionStatistics.render(name, version, new VersionStatistics());
  }

  private static render(name: string, version: number, s: VersionStatistics): ModelStatisticsJson {
    return {
      name,
      version: String(version),
      last_inference: s.lastInferenceMs,
      inference_count: s.inferenceCount,
      execution_count: s.executionCount,
      inference_stats: {
        success: s.success.json(),
        fail: s.fail.json(),
        queue: s.queue.json(),
        compute_input: s.computeInput.json(),
        compute_infer: s.computeInfer.json(),
        compute_output: s.computeOutput.json(),
        cache_hit: s.cacheHit.json(),
        cache_miss: s.cacheMiss.json(),
      },
      // Per-response statistics exist for decoupled models only.
      response_stats: {},
      batch_stats: [...s.batches.values()].sort((a, b) => a.batchSize - b.batchSize).map((b) => b.json()),
      memory_usage: [],
    };
  }
}
