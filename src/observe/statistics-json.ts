/**
 * The statistics extension's JSON (`GET /v2/models/stats`, and the same content as gRPC ModelStatistics), keys in
 * Triton's order. Counters are integers; `version` is a decimal string.
 */

/** Triton's StatisticDuration: how many, and their total time in ns. */
export interface StatDurationJson {
  count: number;
  ns: number;
}

/** Triton's InferStatistics. */
export interface InferStatisticsJson {
  success: StatDurationJson;
  fail: StatDurationJson;
  queue: StatDurationJson;
  compute_input: StatDurationJson;
  compute_infer: StatDurationJson;
  compute_output: StatDurationJson;
  cache_hit: StatDurationJson;
  cache_miss: StatDurationJson;
}

/** Triton's InferResponseStatistics (per response index of decoupled models; none here). */
export interface InferResponseStatisticsJson {
  compute_infer: StatDurationJson;
  compute_output: StatDurationJson;
  success: StatDurationJson;
  fail: StatDurationJson;
  empty_response: StatDurationJson;
  cancel: StatDurationJson;
}

/** Triton's InferBatchStatistics: executions of one batch size (the count lives in each duration). */
export interface InferBatchStatisticsJson {
  batch_size: number;
  compute_input: StatDurationJson;
  compute_infer: StatDurationJson;
  compute_output: StatDurationJson;
}

/** Triton's MemoryUsage. */
export interface MemoryUsageJson {
  type: string;
  id: number;
  byte_size: number;
}

/** Triton's ModelStatistics: one model version. */
export interface ModelStatisticsJson {
  name: string;
  version: string;
  /** ms since the epoch of the last inference, 0 if none. */
  last_inference: number;
  /** Batch elements inferred. */
  inference_count: number;
  /** Model executions. */
  execution_count: number;
  inference_stats: InferStatisticsJson;
  response_stats: Record<string, InferResponseStatisticsJson>;
  /** Sorted by batch size. */
  batch_stats: InferBatchStatisticsJson[];
  memory_usage: MemoryUsageJson[];
}
