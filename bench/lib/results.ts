/**
 * The shape of bench/run.ts's results (written as bench/results/latest.json) and the analysis of them: the ratios
 * c/a (nereid ÷ the ONNX Runtime limit), c/b (÷ the bare transport ceiling) and c/d (÷ MLServer), the server-overhead
 * figures and the verdicts on the targets. Pure functions of the measurements.
 */
import type { OrtLimitResult } from './ort-limit.ts';
import type { BenchModelName } from './payloads.ts';

export type Protocol = 'http-binary' | 'http-json' | 'grpc';
export type ServerKind = 'bare' | 'nereid' | 'mlserver';

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
  /** nereid only, from its statistics: mean compute_infer per request, µs. */
  readonly computeUs?: number;
  /** nereid only: mean request duration inside nereid (statistics' success), µs. */
  readonly serverUs?: number;
  /** nereid only: batch elements per execution. */
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
}

/** add_sub at the lowest concurrency: where the time of a request goes (µs). */
export interface OverheadRow {
  readonly protocol: Protocol;
  readonly concurrency: number;
  readonly p50Us: number;
  readonly computeUs: number;
  /** p50 − compute: the "latency minus compute". */
  readonly latencyMinusComputeUs: number;
  /** p50 of the bare server of the same protocol (client, kernel and a server that does nothing). */
  readonly bareP50Us: number;
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
    };
  });
}

export function overheadRows(points: readonly ServerPoint[]): OverheadRow[] {
  const nereid = points.filter((p) => p.server === 'nereid' && p.model === 'add_sub');
  if (nereid.length === 0) return [];
  const c = Math.min(...nereid.map((p) => p.concurrency));
  return nereid.filter((p) => p.concurrency === c).map((p) => {
    const computeUs = p.computeUs ?? NaN;
    const bare = findPoint(points, 'bare', 'add_sub', p.protocol, c);
    const bareP50Us = bare?.p50Us ?? NaN;
    return {
      protocol: p.protocol,
      concurrency: c,
      p50Us: p.p50Us,
      computeUs,
      latencyMinusComputeUs: p.p50Us - computeUs,
      bareP50Us,
      addedOverTransportUs: p.p50Us - bareP50Us - computeUs,
      insideServerUs: (p.serverUs ?? NaN) - computeUs,
    };
  });
}

const pct = (v: number): string => `${(v * 100).toFixed(v < 0.1 ? 2 : 0)}%`;
const judge = (value: number, ok: (v: number) => boolean): boolean | undefined => (Number.isFinite(value) ? ok(value) : undefined);

/** The four targets (reported, not asserted). */
export function targetVerdicts(points: readonly ServerPoint[], limit: readonly LimitPoint[], concurrencies: readonly number[]): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const low = Math.min(...concurrencies);
  const high = Math.max(...concurrencies);
  const mid = concurrencies.includes(16) ? 16 : concurrencies[Math.floor(concurrencies.length / 2)]!;
  const ratios = ratioRows(points, limit);
  const ratio = (model: BenchModelName, protocol: Protocol, c: number): RatioRow | undefined =>
    ratios.find((r) => r.model === model && r.protocol === protocol && r.concurrency === c);

  for (const row of overheadRows(points).filter((r) => r.protocol !== 'http-json')) {
    verdicts.push({
      target: `add_sub c=${low} ${row.protocol}: latency − compute`,
      value: row.latencyMinusComputeUs, unit: 'µs', threshold: '≤ 150 µs',
      met: judge(row.latencyMinusComputeUs, (v) => v <= 150),
      detail: `p50 ${row.p50Us.toFixed(0)} µs, compute ${row.computeUs.toFixed(1)} µs; the bare ${row.protocol} server's p50 ` +
        `is ${row.bareP50Us.toFixed(0)} µs, so nereid adds ${row.addedOverTransportUs.toFixed(0)} µs over the transport ` +
        `(${row.insideServerUs.toFixed(0)} µs of it inside nereid's core by its statistics: queue, worker round trip, copies)`,
    });
    verdicts.push({
      target: `add_sub c=${low} ${row.protocol}: latency − bare transport − compute`,
      value: row.addedOverTransportUs, unit: 'µs', threshold: '≤ 150 µs',
      met: judge(row.addedOverTransportUs, (v) => v <= 150),
      detail: 'the same with the bare server\'s latency (client, loopback, HTTP/2 or HTTP/1.1 framing) taken out',
    });
  }

  for (const model of ['add_sub', 'mlp_classifier'] as const) {
    for (const protocol of PROTOCOLS) {
      const r = ratio(model, protocol, high);
      if (r === undefined) continue;
      verdicts.push({
        target: `${model} c=${high} ${protocol}: share of the bare transport ceiling`,
        value: r.vsTransport * 100, unit: '%', threshold: '≥ 70%',
        met: judge(r.vsTransport, (v) => v >= 0.7),
        detail: `${(findPoint(points, 'nereid', model, protocol, high)?.rps ?? NaN).toFixed(0)} vs ` +
          `${(findPoint(points, 'bare', model, protocol, high)?.rps ?? NaN).toFixed(0)} req/s`,
      });
    }
  }

  for (const protocol of PROTOCOLS) {
    const r = ratio('mlp_classifier', protocol, high);
    const p = findPoint(points, 'nereid', 'mlp_classifier', protocol, high);
    const bare = findPoint(points, 'bare', 'mlp_classifier', protocol, high);
    if (r === undefined || p === undefined) continue;
    const best = limitAt(limit, 'mlp_classifier', r.limitBatch);
    const transportBound = bare !== undefined && best !== undefined ? bare.rps / best.rowsPerS : NaN;
    verdicts.push({
      target: `mlp_classifier c=${high} ${protocol} (dynamic batching): share of ORT rows/s`,
      value: r.vsLimit * 100, unit: '%', threshold: '≥ 80%',
      met: judge(r.vsLimit, (v) => v >= 0.8),
      detail: `${p.rps.toFixed(0)} rows/s at mean batch ${(p.meanBatch ?? NaN).toFixed(1)} vs ORT ` +
        `${(best?.rowsPerS ?? NaN).toFixed(0)} rows/s at batch ${r.limitBatch} (${pct(r.vsLimitMaxBatch)} of ORT at batch 64); ` +
        `one row per request caps any server at the bare ceiling, itself ${pct(transportBound)} of that ORT figure`,
    });
  }

  for (const model of ['add_sub', 'mlp_classifier'] as const) {
    for (const protocol of ['http-json', 'grpc'] as const) {
      const r = ratio(model, protocol, mid);
      if (r === undefined) continue;
      const peer = findPoint(points, 'mlserver', model, r.peerProtocol, mid);
      verdicts.push({
        target: `${model} c=${mid} ${protocol} vs MLServer ${r.peerProtocol === 'grpc' ? 'gRPC' : 'REST JSON'}`,
        value: r.vsPeer, unit: '×', threshold: '≥ 5×',
        met: judge(r.vsPeer, (v) => v >= 5),
        detail: peer === undefined ? 'MLServer not measured'
          : `${(findPoint(points, 'nereid', model, protocol, mid)?.rps ?? NaN).toFixed(0)} vs ${peer.rps.toFixed(0)} req/s`,
      });
    }
  }
  return verdicts;
}
