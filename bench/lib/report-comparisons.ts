/**
 * The report's comparison tables: server CPU per request of every series, nereid against tritonserver 2.51 (part e),
 * the hand-framed node:http2 gRPC ceiling against bare grpc-js (part b), and perf_analyzer's server-side breakdown at
 * c=1 (part f). Each table is left out when nothing it needs was measured.
 */
import { BENCH_MODELS } from './payloads.ts';
import { num, ratio, seriesLabel, SERVERS } from './report-format.ts';
import { PROTOCOLS, findPoint, type BenchResults } from './results.ts';

function cpuLines(results: BenchResults, concurrencies: readonly number[]): string[] {
  if (!results.points.some((p) => Number.isFinite(p.serverCpuUs ?? NaN))) return [];
  const lines = ['', 'server CPU per request (µs; user + system of the server\'s processes, /proc; the fairer comparison on a',
    'small machine where the load generator competes with the server for the cores)'];
  lines.push(`   ${'model'.padEnd(15)} ${'series'.padEnd(26)}` + concurrencies.map((c) => `c=${c}`.padStart(9)).join(''));
  for (const model of BENCH_MODELS) {
    for (const server of SERVERS) {
      for (const protocol of PROTOCOLS) {
        const row = concurrencies.map((c) => findPoint(results.points, server, model.name, protocol, c));
        if (row.every((p) => p === undefined)) continue;
        lines.push(`   ${model.name.padEnd(15)} ${seriesLabel(server, protocol).padEnd(26)}` +
          row.map((p) => num(p?.serverCpuUs ?? NaN, 9)).join(''));
      }
    }
  }
  return lines;
}

function tritonLines(results: BenchResults): string[] {
  if (results.triton.length === 0) return [];
  const lines = ['', 'nereid vs e. tritonserver 2.51 (Python-backend twins of the same .onnx): req/s and nereid ÷ Triton,',
    'p50 µs and nereid ÷ Triton (lower is better), server CPU µs per request, and each one\'s share of the bare ceiling'];
  lines.push('   model           protocol       c   nereid   Triton      ×  p50 n   p50 T  p50 ×  cpu n  cpu T    bare  n/bare  T/bare');
  for (const r of results.triton) {
    lines.push(`   ${r.model.padEnd(15)} ${r.protocol.padEnd(12)} ${num(r.concurrency, 3)} ${num(r.nereidRps, 8)} ` +
      `${num(r.tritonRps, 8)} ${ratio(r.rpsRatio)} ${num(r.nereidP50Us, 6)} ${num(r.tritonP50Us, 7)} ${ratio(r.p50Ratio)} ` +
      `${num(r.nereidCpuUs, 6)} ${num(r.tritonCpuUs, 6)} ${num(r.bareRps, 7)} ${ratio(r.nereidShareOfBare)}  ${ratio(r.tritonShareOfBare)}`);
  }
  return lines;
}

function grpcCeilingLines(results: BenchResults): string[] {
  if (results.grpcCeiling.length === 0) return [];
  const lines = ['', 'the two gRPC ceilings, same grpc-js client: bare grpc-js vs gRPC framed by hand on node:http2',
    '(req/s, p50 µs, server CPU µs per request; ratios node:http2 ÷ grpc-js)'];
  lines.push('   model             c  grpc-js req/s    p50    cpu   http2 req/s    p50    cpu  req/s ×  p50 ×  cpu ×');
  for (const r of results.grpcCeiling) {
    lines.push(`   ${r.model.padEnd(15)} ${num(r.concurrency, 3)} ${num(r.grpcJsRps, 14)} ${num(r.grpcJsP50Us, 6)} ` +
      `${num(r.grpcJsCpuUs, 6)} ${num(r.http2Rps, 13)} ${num(r.http2P50Us, 6)} ${num(r.http2CpuUs, 6)}  ` +
      `${ratio(r.rpsRatio)}  ${ratio(r.p50Ratio)} ${ratio(r.cpuRatio)}`);
  }
  return lines;
}

function perfAnalyzerLines(results: BenchResults): string[] {
  if (results.perfAnalyzer.length === 0) return [];
  const lines = ['', 'f. perf_analyzer at c=1: client throughput and latency, and the server-side breakdown it reads from the',
    'statistics extension (µs; overhead = request − queue − compute; issue 14 targets nereid\'s overhead ≤ 40 µs)'];
  lines.push('   server  model     protocol  infer/s  avg  p50  request  overhead  queue  c.input  c.infer  c.output');
  for (const r of results.perfAnalyzer) {
    lines.push(`   ${r.server.padEnd(7)} ${r.model.padEnd(9)} ${r.protocol.padEnd(8)} ${num(r.throughput, 8)} ` +
      `${num(r.clientAvgUs, 4)} ${num(r.clientP50Us, 4)} ${num(r.serverRequestUs, 8)} ${num(r.overheadUs, 9)} ` +
      `${num(r.queueUs, 6)} ${num(r.computeInputUs, 8)} ${num(r.computeInferUs, 8)} ${num(r.computeOutputUs, 9)}` +
      (r.error === undefined ? '' : `  FAILED: ${r.error}`));
  }
  return lines;
}

/** The comparison tables as lines of text. */
export function comparisonLines(results: BenchResults, concurrencies: readonly number[]): string[] {
  return [...cpuLines(results, concurrencies), ...tritonLines(results), ...grpcCeilingLines(results), ...perfAnalyzerLines(results)];
}
