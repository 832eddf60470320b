/**
 * The shape of bench/run.ts's results (written as bench/results/latest.json) and the analysis of them: the ratios
 * c/a (nereid ÷ the ONNX Runtime limit), c/b (÷ the bare transport ceiling), c/d (÷ MLServer) and c/e (÷ tritonserver
 * 2.51 on twins), and the server-overhead figures. Pure functions of the measurements; the verdicts on the issue's
 * targets are in targets.ts, the Triton and gRPC-ceiling tables in triton-comparison.ts and grpc-ceiling.ts.
 */
import type { GrpcCeilingRow } from './grpc-ceiling.ts';
import type { OrtLimitResult } from './ort-limit.ts';
import type { BenchModelName } from './payloads.ts';
import type { PerfAnalyzerRow } from './perf-analyzer.ts';
import type { TritonRow } from './triton-comparison.ts';

export type Protocol = 'http-binary' | 'http-json' | 'grpc';
/**
 * bare: node:http (HTTP) and grpc-js (gRPC) answering fixed payloads; bare-http2: gRPC framed by hand on node:http2;
 * triton: tritonserver 2.51 serving Python-backend twins of the same .onnx files.
 */
export type ServerKind = 'bare' | 'bare-http2' | 'nereid' | 'mlserver' | 'triton';

export const PROTOCOLS: readonly Protocol[] = ['http-binary', 'http-json', 'grpc'];

/** One server × protocol × model × concurrency measurement (latencies in µs). */
export interface ServerPoint {
  readonly server: ServerKind;
  readonly protocol: Protocol;
  readonly model: BenchModelName;
  readonly concurrency: number;
  readonly rps: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  readonly requests: number;
  readonly errors: number;
  readonly firstError?: string;
  /** Share of the machine's CPU time that other processes used during the point (0..1; NaN when unknown). */
  readonly foreignCpu?: number;
  /** CPU time of the server's processes (all threads, child processes included) per successful request, µs. */
  readonly serverCpuUs?: number;
  /** nereid and Triton, from their statistics: mean compute_infer per execution, µs. */
  readonly computeUs?: number;
  /** nereid and Triton: mean request duration inside the server (statistics' success), µs. */
  readonly serverUs?: number;
  /** nereid and Triton: batch elements per execution. */
  readonly meanBatch?: number;
}

/** One ONNX Runtime limit measurement of a model. */
export interface LimitPoint extends OrtLimitResult {
  readonly model: BenchModelName;
}

/** nereid's ratios at one point. NaN where the other side was not measured. */
export interface RatioRow {
  readonly model: BenchModelName;
  readonly protocol: Protocol;
  readonly concurrency: number;
  /** c/a: rows/s ÷ the best ORT rows/s at the batch size nereid formed (add_sub: 1). */
  readonly vsLimit: number;
  /** The batch size of that ORT figure. */
  readonly limitBatch: number;
  /** c/a against ORT at the largest measured batch (the MLP's max_batch_size, 64). */
  readonly vsLimitMaxBatch: number;
  /** c/b: ÷ the bare server of the same protocol. */
  readonly vsTransport: number;
  /** c/d: ÷ MLServer; HTTP (binary and JSON) is compared with MLServer's REST JSON. */
  readonly vsPeer: number;
  readonly peerProtocol: Protocol;
  /** c/e: ÷ tritonserver 2.51 (twins), same protocol. */
  readonly vsTriton: number;
}

/** add_sub at the lowest concurrency: where the time of a request goes in nereid or Triton (µs). */
export interface OverheadRow {
  readonly server: 'nereid' | 'triton';
  readonly protocol: Protocol;
  readonly concurrency: number;
  readonly p50Us: number;
  readonly computeUs: number;
  /** p50 − compute: the "latency minus compute". */
  readonly latencyMinusComputeUs: number;
  /** p50 of the bare server of the same protocol (node:http; grpc-js for gRPC): client, kernel, a server doing nothing. */
  readonly bareP50Us: number;
  /** p50 − bare p50: the server's overhead over the bare transport on the same payload (issue 14: ≤ 40 µs HTTP, ≤ 60 µs gRPC). */
  readonly serverOverheadUs: number;
  /** p50 − bare p50 − compute: what nereid adds to the bare transport besides the model's compute. */
  readonly addedOverTransportUs: number;
  /** Statistics' success duration − compute: the part inside nereid's core (queue, worker round trip, copies). */
  readonly insideServerUs: number;
}

export interface TargetVerdict {
  readonly target: string;
  readonly value: number;
  readonly unit: string;
  readonly threshold: string;
  /** undefined when a side of the comparison was not measured. */
  readonly met: boolean | undefined;
  readonly detail: string;
}

export interface BenchResults {
  readonly meta: Record<string, unknown>;
  readonly limit: readonly LimitPoint[];
  readonly points: readonly ServerPoint[];
  readonly ratios: readonly RatioRow[];
  readonly overhead: readonly OverheadRow[];
  /** nereid against tritonserver 2.51 per model, protocol and concurrency. */
  readonly triton: readonly TritonRow[];
  /** The hand-framed node:http2 gRPC ceiling against bare grpc-js. */
  readonly grpcCeiling: readonly GrpcCeilingRow[];
  /** perf_analyzer's server-side breakdown at c=1 (part f). */
  readonly perfAnalyzer: readonly PerfAnalyzerRow[];
  readonly targets: readonly TargetVerdict[];
  /** Parts that could not be measured, with why. */
  readonly missing: Readonly<Record<string, string>>;
}

/** HTTP binary and JSON are both compared with MLServer's REST JSON (it has no binary tensor extension). */
export function peerProtocol(protocol: Protocol): Protocol {
  return protocol === 'grpc' ? 'grpc' : 'http-json';
}

export function findPoint(points: readonly ServerPoint[], server: ServerKind, model: BenchModelName, protocol: Protocol,
  concurrency: number): ServerPoint | undefined {
  return points.find((p) => p.server === server && p.model === model && p.protocol === protocol && p.concurrency === concurrency);
}

/** The best rows/s over worker layouts at the measured batch size nearest (in log scale) to `batch`. */
export function limitAt(limit: readonly LimitPoint[], model: BenchModelName, batch: number): LimitPoint | undefined {
  const ofModel = limit.filter((l) => l.model === model);
  if (ofModel.length === 0) return undefined;
  const target = Math.log(Math.max(1, batch));
  const nearest = ofModel.reduce((a, b) => (Math.abs(Math.log(b.batch) - target) < Math.abs(Math.log(a.batch) - target) ? b : a));
  return ofModel.filter((l) => l.batch === nearest.batch).reduce((a, b) => (b.rowsPerS > a.rowsPerS ? b : a));
}

/** The batch size nereid formed at a point, as the ORT limit measures it: rounded, at least 1. */
export function formedBatch(point: ServerPoint): number {
  return point.meanBatch !== undefined && Number.isFinite(point.meanBatch) ? Math.max(1, Math.round(point.meanBatch)) : 1;
}

export function ratioRows(points: readonly ServerPoint[], limit: readonly LimitPoint[]): RatioRow[] {
  return points.filter((p) => p.server === 'nereid').map((p) => {
    const atBatch = limitAt(limit, p.model, formedBatch(p));
    const maxBatch = Math.max(...limit.filter((l) => l.model === p.model).map((l) => l.batch), 1);
    const atMax = limitAt(limit, p.model, maxBatch);
    const bare = findPoint(points, 'bare', p.model, p.protocol, p.concurrency);
    const peer = findPoint(points, 'mlserver', p.model, peerProtocol(p.protocol), p.concurrency);
    const triton = findPoint(points, 'triton', p.model, p.protocol, p.concurrency);
    return {
      model: p.model,
      protocol: p.protocol,
      concurrency: p.concurrency,
      vsLimit: atBatch === undefined ? NaN : p.rps / atBatch.rowsPerS,
      limitBatch: atBatch?.batch ?? NaN,
      vsLimitMaxBatch: atMax === undefined ? NaN : p.rps / atMax.rowsPerS,
      vsTransport: bare === undefined ? NaN : p.rps / bare.rps,
      vsPeer: peer === undefined ? NaN : p.rps / peer.rps,
      peerProtocol: peerProtocol(p.protocol),
      vsTriton: triton === undefined ? NaN : p.rps / triton.rps,
    };
  });
}

/** nereid's rows, then Triton's, at the lowest concurrency each was measured at on add_sub. */
export function overheadRows(points: readonly ServerPoint[]): OverheadRow[] {
  return (['nereid', 'triton'] as const).flatMap((server) => {
    const measured = points.filter((p) => p.server === server && p.model === 'add_sub');
    if (measured.length === 0) return [];
    const c = Math.min(...measured.map((p) => p.concurrency));
    return measured.filter((p) => p.concurrency === c).map((p) => {
      const computeUs = p.computeUs ?? NaN;
      const bareP50Us = findPoint(points, 'bare', 'add_sub', p.protocol, c)?.p50Us ?? NaN;
      return {
        server,
        protocol: p.protocol,
        concurrency: c,
        p50Us: p.p50Us,
        computeUs,
        latencyMinusComputeUs: p.p50Us - computeUs,
        bareP50Us,
        serverOverheadUs: p.p50Us - bareP50Us,
        addedOverTransportUs: p.p50Us - bareP50Us - computeUs,
        insideServerUs: (p.serverUs ?? NaN) - computeUs,
      };
    });
  });
}
