/**
 * The verdicts on the issues' targets, reported and never asserted: issue 9's (latency overhead, share of the bare
 * ceiling at the highest concurrency, share of ONNX Runtime's rows/s, against MLServer) and issue 14's (server
 * overhead over the bare transport ≤ 40 µs HTTP and ≤ 60 µs gRPC at c=1, ≥ 1.5× tritonserver 2.51 at c=1 and c=16,
 * ≥ 75% of the bare ceiling at c=16 on add_sub, perf_analyzer's server-side overhead ≤ 40 µs). A verdict whose
 * other side was not measured reads `met: undefined`.
 */
import type { BenchModelName } from './payloads.ts';
import type { PerfAnalyzerRow } from './perf-analyzer.ts';
import {
  PROTOCOLS, findPoint, limitAt, overheadRows, ratioRows,
  type LimitPoint, type Protocol, type RatioRow, type ServerPoint, type TargetVerdict,
} from './results.ts';

const pct = (v: number): string => `${(v * 100).toFixed(v < 0.1 ? 2 : 0)}%`;
const judge = (value: number, ok: (v: number) => boolean): boolean | undefined => (Number.isFinite(value) ? ok(value) : undefined);

/** Issue 9's four targets: overhead ≤ 150 µs, ≥ 70% of the ceiling at c=64, ≥ 80% of ORT rows/s, ≥ 5× MLServer. */
function earlierTargets(points: readonly ServerPoint[], limit: readonly LimitPoint[], concurrencies: readonly number[]): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const low = Math.min(...concurrencies);
  const high = Math.max(...concurrencies);
  const mid = concurrencies.includes(16) ? 16 : concurrencies[Math.floor(concurrencies.length / 2)]!;
  const ratios = ratioRows(points, limit);
  const ratio = (model: BenchModelName, protocol: Protocol, c: number): RatioRow | undefined =>
    ratios.find((r) => r.model === model && r.protocol === protocol && r.concurrency === c);

  for (const row of overheadRows(points).filter((r) => r.server === 'nereid' && r.protocol !== 'http-json')) {
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

const BARE_NAME: Record<Protocol, string> = { 'http-binary': 'node:http', 'http-json': 'node:http', grpc: 'grpc-js' };
const OVERHEAD_LIMIT_US: Record<Protocol, number> = { 'http-binary': 40, 'http-json': 40, grpc: 60 };
const fixed = (v: number | undefined, digits = 0): string => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '—');

/** Issue 14: nereid's p50 over the bare transport's p50 on the same payload at the lowest concurrency. */
function overheadTargets(points: readonly ServerPoint[]): TargetVerdict[] {
  const rows = overheadRows(points);
  return rows.filter((r) => r.server === 'nereid').map((row) => {
    const limitUs = OVERHEAD_LIMIT_US[row.protocol];
    const triton = rows.find((r) => r.server === 'triton' && r.protocol === row.protocol);
    return {
      target: `add_sub c=${row.concurrency} ${row.protocol}: server overhead (p50 − bare ${BARE_NAME[row.protocol]} p50)`,
      value: row.serverOverheadUs, unit: 'µs', threshold: `≤ ${limitUs} µs`,
      met: judge(row.serverOverheadUs, (v) => v <= limitUs),
      detail: `nereid p50 ${fixed(row.p50Us)} µs, bare p50 ${fixed(row.bareP50Us)} µs, compute ${fixed(row.computeUs, 1)} µs` +
        (triton === undefined ? '' : `; tritonserver's overhead on the same: ${fixed(triton.serverOverheadUs)} µs`),
    };
  });
}

/** Issue 14: ≥ 1.5× tritonserver 2.51's throughput at c=1 and c=16, HTTP binary and gRPC, both models. */
function tritonTargets(points: readonly ServerPoint[], ratios: readonly RatioRow[], concurrencies: readonly number[]): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const at = [...new Set([Math.min(...concurrencies), ...(concurrencies.includes(16) ? [16] : [])])];
  for (const model of ['add_sub', 'mlp_classifier'] as const) {
    for (const protocol of ['http-binary', 'grpc'] as const) {
      for (const c of at) {
        const r = ratios.find((x) => x.model === model && x.protocol === protocol && x.concurrency === c);
        if (r === undefined) continue;
        const n = findPoint(points, 'nereid', model, protocol, c);
        const t = findPoint(points, 'triton', model, protocol, c);
        verdicts.push({
          target: `${model} c=${c} ${protocol} vs tritonserver 2.51 (twin)`,
          value: r.vsTriton, unit: '×', threshold: '≥ 1.5×',
          met: judge(r.vsTriton, (v) => v >= 1.5),
          detail: t === undefined ? 'tritonserver not measured'
            : `${fixed(n?.rps)} vs ${fixed(t.rps)} req/s; p50 ${fixed(n?.p50Us)} vs ${fixed(t.p50Us)} µs; ` +
              `server CPU per request ${fixed(n?.serverCpuUs)} vs ${fixed(t.serverCpuUs)} µs`,
        });
      }
    }
  }
  return verdicts;
}

/** Issue 14: on the tiny model at c=16, ≥ 75% of the bare ceiling of the same protocol. */
function tinyCeilingTargets(points: readonly ServerPoint[], ratios: readonly RatioRow[]): TargetVerdict[] {
  return (['http-binary', 'grpc'] as const).flatMap((protocol) => {
    const r = ratios.find((x) => x.model === 'add_sub' && x.protocol === protocol && x.concurrency === 16);
    if (r === undefined) return [];
    const h2 = protocol === 'grpc' ? findPoint(points, 'bare-http2', 'add_sub', 'grpc', 16) : undefined;
    return [{
      target: `add_sub c=16 ${protocol}: share of the bare ${BARE_NAME[protocol]} ceiling`,
      value: r.vsTransport * 100, unit: '%', threshold: '≥ 75%',
      met: judge(r.vsTransport, (v) => v >= 0.75),
      detail: `${fixed(findPoint(points, 'nereid', 'add_sub', protocol, 16)?.rps)} vs ` +
        `${fixed(findPoint(points, 'bare', 'add_sub', protocol, 16)?.rps)} req/s` +
        (h2 === undefined ? '' : `; the hand-framed node:http2 ceiling did ${fixed(h2.rps)} req/s`),
    }];
  });
}

/** Issue 14: perf_analyzer's "overhead" (request duration − queue − compute, from statistics) for nereid at c=1. */
function perfAnalyzerTargets(rows: readonly PerfAnalyzerRow[]): TargetVerdict[] {
  return rows.filter((r) => r.server === 'nereid').map((r) => {
    const triton = rows.find((t) => t.server === 'triton' && t.protocol === r.protocol && t.model === r.model);
    return {
      target: `perf_analyzer ${r.model} c=1 ${r.protocol}: nereid's server-side overhead`,
      value: r.overheadUs, unit: 'µs', threshold: '≤ 40 µs',
      met: judge(r.overheadUs, (v) => v <= 40),
      detail: r.error ?? `request ${fixed(r.serverRequestUs)} µs = overhead ${fixed(r.overheadUs)} + queue ${fixed(r.queueUs)} + ` +
        `compute ${fixed(r.computeInputUs)}/${fixed(r.computeInferUs)}/${fixed(r.computeOutputUs)} µs` +
        (triton === undefined ? '' : `; tritonserver's overhead ${fixed(triton.overheadUs)} µs`),
    };
  });
}

/** Every target's verdict (reported, not asserted). */
export function targetVerdicts(points: readonly ServerPoint[], limit: readonly LimitPoint[], concurrencies: readonly number[],
  perfAnalyzer: readonly PerfAnalyzerRow[] = []): TargetVerdict[] {
  const ratios = ratioRows(points, limit);
  return [
    ...earlierTargets(points, limit, concurrencies),
    ...overheadTargets(points),
    ...tritonTargets(points, ratios, concurrencies),
    ...tinyCeilingTargets(points, ratios),
    ...perfAnalyzerTargets(perfAnalyzer),
  ];
}
