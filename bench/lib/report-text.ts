/**
 * bench/run.ts's printed report: the ONNX Runtime limit, one table per model of every server and protocol at every
 * concurrency, nereid's ratios, the overhead breakdown, the comparison tables of report-comparisons.ts (server CPU
 * per request, nereid vs tritonserver, the two gRPC ceilings, perf_analyzer's breakdown) and the target verdicts.
 */
import { BENCH_MODELS } from './payloads.ts';
import { comparisonLines } from './report-comparisons.ts';
import { num, ratio, seriesLabel, SERVERS } from './report-format.ts';
import { PROTOCOLS, findPoint, type BenchResults } from './results.ts';

function limitLines(results: BenchResults): string[] {
  const lines = ['a. the limit: onnxruntime-node alone, worker threads of one process, same batches'];
  lines.push('   model            batch  workers×threads     runs/s       rows/s   p50 µs   p99 µs');
  for (const l of results.limit) {
    lines.push(`   ${l.model.padEnd(16)} ${num(l.batch, 5)}  ${`${l.workers}×${l.intraOpThreads}`.padStart(15)} ` +
      `${num(l.runsPerS, 10)} ${num(l.rowsPerS, 12)} ${num(l.p50Us, 8, 1)} ${num(l.p99Us, 8, 1)}`);
  }
  return lines;
}

function serverLines(results: BenchResults, concurrencies: readonly number[]): string[] {
  const lines: string[] = [];
  for (const model of BENCH_MODELS) {
    if (!results.points.some((p) => p.model === model.name)) continue;
    lines.push('');
    lines.push(`${model.name}: req/s, p50 and p99 latency (µs) per concurrency`);
    lines.push(`   ${'series'.padEnd(26)}` + concurrencies.map((c) => `c=${c}`.padStart(8) + ' req/s     p50     p99 ').join(''));
    for (const server of SERVERS) {
      for (const protocol of PROTOCOLS) {
        const row = concurrencies.map((c) => findPoint(results.points, server, model.name, protocol, c));
        if (row.every((p) => p === undefined)) continue;
        const cells = row.map((p) => p === undefined ? ' '.repeat(29)
          : `${num(p.rps, 14)} ${num(p.p50Us, 7)} ${num(p.p99Us, 7)} `);
        const errors = row.reduce((n, p) => n + (p?.errors ?? 0), 0);
        const batches = (server === 'nereid' || server === 'triton') && model.name === 'mlp_classifier'
          ? `  mean batch ${row.map((p) => (p?.meanBatch ?? NaN).toFixed(1)).join('/')}` : '';
        lines.push(`   ${seriesLabel(server, protocol).padEnd(26)}${cells.join('')}` +
          `${errors > 0 ? `  errors ${errors}` : ''}${batches}`);
      }
    }
  }
  return lines;
}

function ratioLines(results: BenchResults, concurrencies: readonly number[]): string[] {
  const lines = [''];
  lines.push('nereid ratios: c/a = rows/s ÷ best ORT rows/s at the batch nereid formed; c/b = ÷ bare server, same protocol;');
  lines.push('               c/d = ÷ MLServer (HTTP binary and JSON against its REST JSON, gRPC against its gRPC);');
  lines.push('               c/e = ÷ tritonserver 2.51 on twins, same protocol');
  lines.push(`   ${'model'.padEnd(15)} ${'protocol'.padEnd(12)}` + concurrencies.map((c) => `c=${c}: c/a    c/b    c/d    c/e `.padStart(33)).join(''));
  for (const model of BENCH_MODELS) {
    for (const protocol of PROTOCOLS) {
      const rows = concurrencies.map((c) =>
        results.ratios.find((x) => x.model === model.name && x.protocol === protocol && x.concurrency === c));
      if (rows.every((r) => r === undefined)) continue;
      const cells = rows.map((r) => r === undefined ? ' '.repeat(33)
        : `     ${ratio(r.vsLimit)} ${ratio(r.vsTransport)} ${ratio(r.vsPeer)} ${ratio(r.vsTriton)} `);
      lines.push(`   ${model.name.padEnd(15)} ${protocol.padEnd(12)}${cells.join('')}`);
    }
  }
  return lines;
}

function overheadLines(results: BenchResults): string[] {
  const lines = ['', `add_sub at c=${results.overhead[0]!.concurrency}, where a request's time goes (µs; p50s and mean compute). ` +
    'Server overhead = p50 − the bare server\'s p50'];
  lines.push('   (bare node:http for HTTP, bare grpc-js for gRPC, same payload, same run; issue 14 targets nereid ≤ 40 µs HTTP, ≤ 60 µs gRPC)');
  lines.push('   server  protocol        p50  compute  p50−compute  bare p50  server overhead  target  over transport−compute  inside core');
  for (const o of results.overhead) {
    const target = o.server === 'nereid' ? `≤ ${o.protocol === 'grpc' ? 60 : 40}` : '';
    lines.push(`   ${o.server.padEnd(7)} ${o.protocol.padEnd(12)} ${num(o.p50Us, 6)} ${num(o.computeUs, 8, 1)} ` +
      `${num(o.latencyMinusComputeUs, 12)} ${num(o.bareP50Us, 9)} ${num(o.serverOverheadUs, 16)} ${target.padStart(7)} ` +
      `${num(o.addedOverTransportUs, 23)} ${num(o.insideServerUs, 12)}`);
  }
  return lines;
}

function targetLines(results: BenchResults): string[] {
  const lines = ['', 'targets (reported, not asserted)'];
  for (const t of results.targets) {
    const verdict = t.met === undefined ? 'n/a    ' : t.met ? 'MET    ' : 'MISSED ';
    const value = !Number.isFinite(t.value) ? '—'
      : t.unit === '×' ? `${t.value.toFixed(1)}×`
      : `${t.value.toFixed(t.unit === '%' && t.value < 10 ? 2 : 0)} ${t.unit}`;
    lines.push(`   ${verdict} ${t.target}: ${value} (target ${t.threshold})`);
    lines.push(`           ${t.detail}`);
  }
  return lines;
}

/** The report as lines of text. */
export function reportText(results: BenchResults, concurrencies: readonly number[]): string[] {
  const lines: string[] = [];
  if (results.limit.length > 0) lines.push(...limitLines(results));
  lines.push(...serverLines(results, concurrencies));
  if (results.ratios.length > 0) lines.push(...ratioLines(results, concurrencies));
  if (results.overhead.length > 0) lines.push(...overheadLines(results));
  lines.push(...comparisonLines(results, concurrencies));
  if (results.targets.length > 0) lines.push(...targetLines(results));
  for (const [part, why] of Object.entries(results.missing)) {
    lines.push('', `${part} was not measured: ${why}`);
  }
  return lines;
}
