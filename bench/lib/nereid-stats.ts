/**
 * What nereid's statistics extension (`GET /v2/models/<model>/stats`) says about a measured point: counters are read
 * before and after, and the difference gives the mean compute time per execution and the mean batch size.
 */
import { getJson } from './http-client.ts';

/** The counters of one model version that the bench uses. */
export interface StatsSnapshot {
  readonly inferenceCount: number;
  readonly executionCount: number;
  readonly successCount: number;
  readonly successNs: number;
  readonly computeInferCount: number;
  readonly computeInferNs: number;
}

interface Duration { count: number; ns: number }
interface StatsJson {
  model_stats: {
    inference_count: number;
    execution_count: number;
    inference_stats: { success: Duration; compute_infer: Duration };
  }[];
}

/** The model's counters now (its first listed version). */
export async function statsSnapshot(httpPort: number, model: string): Promise<StatsSnapshot> {
  const json = (await getJson(httpPort, `/v2/models/${model}/stats`)) as StatsJson;
  const s = json.model_stats[0];
  if (s === undefined) throw new Error(`no statistics for model '${model}'`);
  return {
    inferenceCount: s.inference_count,
    executionCount: s.execution_count,
    successCount: s.inference_stats.success.count,
    successNs: s.inference_stats.success.ns,
    computeInferCount: s.inference_stats.compute_infer.count,
    computeInferNs: s.inference_stats.compute_infer.ns,
  };
}

/** Means over the interval between two snapshots (NaN where nothing happened). */
export interface StatsDelta {
  /** Mean ONNX Runtime run() time per execution, µs. */
  readonly computeUs: number;
  /** Mean time inside the server per successful request (Triton's request success duration), µs. */
  readonly serverUs: number;
  /** Batch elements per execution. */
  readonly meanBatch: number;
}

export function statsDelta(before: StatsSnapshot, after: StatsSnapshot): StatsDelta {
  const per = (ns: number, count: number): number => (count > 0 ? ns / count / 1000 : NaN);
  const executions = after.executionCount - before.executionCount;
  return {
    computeUs: per(after.computeInferNs - before.computeInferNs, after.computeInferCount - before.computeInferCount),
    serverUs: per(after.successNs - before.successNs, after.successCount - before.successCount),
    meanBatch: executions > 0 ? (after.inferenceCount - before.inferenceCount) / executions : NaN,
  };
}
