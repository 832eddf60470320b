/**
 * The two gRPC transport ceilings of part b side by side: ModelInfer answered by a bare grpc-js server and by gRPC
 * framed by hand on node:http2 (bare-http2-grpc-server.ts), driven by the same grpc-js client. The ratios say what
 * grpc-js's server costs on top of HTTP/2: throughput and p50 (http2 ÷ grpc-js) and server CPU per request.
 */
import type { BenchModelName } from './payloads.ts';
import { findPoint, type ServerPoint } from './results.ts';

export interface GrpcCeilingRow {
  readonly model: BenchModelName;
  readonly concurrency: number;
  readonly grpcJsRps: number;
  readonly grpcJsP50Us: number;
  readonly grpcJsCpuUs: number;
  readonly http2Rps: number;
  readonly http2P50Us: number;
  readonly http2CpuUs: number;
  /** http2 req/s ÷ grpc-js req/s. */
  readonly rpsRatio: number;
  /** http2 p50 ÷ grpc-js p50. */
  readonly p50Ratio: number;
  /** http2 CPU per request ÷ grpc-js CPU per request. */
  readonly cpuRatio: number;
}

/** One row per model × concurrency where the node:http2 ceiling was measured. */
export function grpcCeilingRows(points: readonly ServerPoint[]): GrpcCeilingRow[] {
  return points.filter((p) => p.server === 'bare-http2' && p.protocol === 'grpc').map((h2) => {
    const js = findPoint(points, 'bare', h2.model, 'grpc', h2.concurrency);
    const grpcJsCpuUs = js?.serverCpuUs ?? NaN;
    const http2CpuUs = h2.serverCpuUs ?? NaN;
    return {
      model: h2.model,
      concurrency: h2.concurrency,
      grpcJsRps: js?.rps ?? NaN,
      grpcJsP50Us: js?.p50Us ?? NaN,
      grpcJsCpuUs,
      http2Rps: h2.rps,
      http2P50Us: h2.p50Us,
      http2CpuUs,
      rpsRatio: h2.rps / (js?.rps ?? NaN),
      p50Ratio: h2.p50Us / (js?.p50Us ?? NaN),
      cpuRatio: http2CpuUs / grpcJsCpuUs,
    };
  });
}
