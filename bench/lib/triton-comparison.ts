/**
 * nereid against tritonserver 2.51 (part e: Python-backend twins of the same .onnx files) at each model, protocol
 * and concurrency: the throughput ratio (nereid ÷ Triton, higher is better for nereid), the p50 ratio (nereid ÷
 * Triton, lower is better), both servers' CPU per request, and each one's share of the bare transport ceiling of
 * the same protocol measured in the same run.
 */
import type { BenchModelName } from './payloads.ts';
import { findPoint, type Protocol, type ServerPoint } from './results.ts';

export interface TritonRow {
  readonly model: BenchModelName;
  readonly protocol: Protocol;
  readonly concurrency: number;
  readonly nereidRps: number;
  readonly tritonRps: number;
  /** nereid req/s ÷ Triton req/s. */
  readonly rpsRatio: number;
  readonly nereidP50Us: number;
  readonly tritonP50Us: number;
  /** nereid p50 ÷ Triton p50. */
  readonly p50Ratio: number;
  readonly nereidCpuUs: number;
  readonly tritonCpuUs: number;
  /** The bare server of the same protocol (node:http, grpc-js). */
  readonly bareRps: number;
  readonly nereidShareOfBare: number;
  readonly tritonShareOfBare: number;
}

/** One row per model × protocol × concurrency where Triton was measured (NaN where nereid or bare was not). */
export function tritonRows(points: readonly ServerPoint[]): TritonRow[] {
  return points.filter((p) => p.server === 'triton').map((t) => {
    const n = findPoint(points, 'nereid', t.model, t.protocol, t.concurrency);
    const bare = findPoint(points, 'bare', t.model, t.protocol, t.concurrency);
    const nereidRps = n?.rps ?? NaN;
    const nereidP50Us = n?.p50Us ?? NaN;
    const bareRps = bare?.rps ?? NaN;
    return {
      model: t.model,
      protocol: t.protocol,
      concurrency: t.concurrency,
      nereidRps,
      tritonRps: t.rps,
      rpsRatio: nereidRps / t.rps,
      nereidP50Us,
      tritonP50Us: t.p50Us,
      p50Ratio: nereidP50Us / t.p50Us,
      nereidCpuUs: n?.serverCpuUs ?? NaN,
      tritonCpuUs: t.serverCpuUs ?? NaN,
      bareRps,
      nereidShareOfBare: nereidRps / bareRps,
      tritonShareOfBare: t.rps / bareRps,
    };
  });
}
