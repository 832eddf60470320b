/**
 * What the data plane needs from the statistics extension's store (observe/statistics.ts implements it), so that the
 * core never imports observe/.
 */
import type { ModelLookup } from './model-lookup.ts';

/** One entry of Triton's `model_stats` array, in Triton's JSON shape (the gRPC message takes the same fields). */
export type ModelStatisticsEntry = object;

export interface StatisticsSource {
  /**
   * The entries for every READY version of every model (no name), of one model, or of one version. Throws Triton's
   * INVALID_ARG errors for a model or version that is not available.
   */
  modelStatistics(lookup: ModelLookup, name?: string, version?: string): readonly ModelStatisticsEntry[];
}
