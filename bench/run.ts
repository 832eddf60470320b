/**
 * One command that measures nereid against the machine's limit, the transport ceiling and a peer, in one run on the
 * same models (the shipped add_sub and mlp_classifier) and the same closed-loop load generator:
 *   a. the limit: onnxruntime-node alone in worker threads of this process running the same batches (add_sub batch 1;
 *      the MLP at batch 1, at the batch sizes nereid's dynamic batcher formed, and at 64), with one worker using every
 *      core and with one single-threaded worker per core;
 *   b. the transport ceiling: a bare node:http server and a bare grpc-js server that answer the same payloads;
 *   c. nereid over HTTP binary, HTTP JSON and gRPC;
 *   d. Seldon MLServer (PyPI, .bench-venv via bench/mlserver/setup.sh) serving the same .onnx files through
 *      bench/mlserver/onnx_runtime.py over its v2 REST (JSON: it has no binary tensor extension) and gRPC endpoints,
 *      in the configuration that served these small models fastest here: inference in the server process
 *      (parallel_workers 0; MLServer's default of one worker process measured 2–2.5× slower) and no adaptive batching
 *      (with max_batch_size 64 it was no faster, often slower). --mlserver-workers N sets parallel_workers.
 * b, c and d run at every concurrency (default 1, 16, 64). Prints throughput, p50/p99 and the ratios c/a, c/b, c/d and
 * the issue's targets (reported, not asserted); writes <out>/latest.json and <out>/throughput.svg.
 *
 * Usage: node --import tsx bench/run.ts [--seconds 3] [--quick] [--concurrency 1,16,64] [--mlserver-workers 0]
 *                                       [--no-mlserver] [--parts a,b,c,d] [--out bench/results]
 * --quick: 1 s per point and shorter warm-ups. --parts: measure only those parts (the others show as missing).
 * The machine should be otherwise idle: the run says how busy it was before it began (meta.busyBefore).
 */
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flagValue, hasFlag, listFlag, numberFlag } from './lib/cli.ts';
import { grpcTarget } from './lib/grpc-client.ts';
import { httpTarget } from './lib/http-client.ts';
import { closedLoop, type SendOne } from './lib/load-generator.ts';
import { ensureBenchVenv, startMlserver } from './lib/mlserver.ts';
import { statsDelta, statsSnapshot, type StatsDelta } from './lib/nereid-stats.ts';
import { measureOrtLimit } from './lib/ort-limit.ts';
import { BENCH_MODELS, grpcRequest, httpBinaryRequest, httpJsonRequest, type BenchModel } from './lib/payloads.ts';
import { reportText } from './lib/report-text.ts';
import {
  PROTOCOLS, formedBatch, limitAt, overheadRows, ratioRows, targetVerdicts,
  type BenchResults, type LimitPoint, type Protocol, type ServerKind, type ServerPoint,
} from './lib/results.ts';
import { ROOT, runningGroups, startBareGrpc, startBareHttp, startNereid } from './lib/servers.ts';
import { cpuSnapshot, foreignShare } from './lib/foreign-load.ts';
import { throughputChart, type ChartSeries } from './lib/svg-chart.ts';

const QUICK = hasFlag('quick');
const SECONDS = numberFlag('seconds', QUICK ? 1 : 3);
const CONCURRENCY = listFlag('concurrency', [1, 16, 64]);
const MLSERVER_WORKERS = numberFlag('mlserver-workers', 0);
const SKIP_MLSERVER = hasFlag('no-mlserver');
const PARTS = new Set(flagValue('parts', 'a,b,c,d').split(','));
const OUT_DIR = path.resolve(ROOT, flagValue('out', 'bench/results'));
const WARMUP_SECONDS = QUICK ? 0.3 : 0.75;
const ORT_SECONDS = QUICK ? 0.5 : Math.min(SECONDS, 1.5);
const CORES = os.availableParallelism();
const REPOSITORY = path.join(ROOT, 'model_repository');
/** Points where other processes took more than this share of the CPU are flagged as disturbed. */
const FOREIGN_WARN = 0.1;

const points: ServerPoint[] = [];
const limit: LimitPoint[] = [];
const missing: Record<string, string> = {};
const startedAt = Date.now();

const log = (line: string): void => console.log(line);
const elapsed = (): string => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`.padStart(6);

interface Endpoints {
  readonly httpPort?: number;
  readonly grpcPort?: number;
  /** nereid: its statistics say compute time and batch sizes. */
  readonly statsPort?: number;
}

function sender(endpoints: Endpoints, model: BenchModel, protocol: Protocol, concurrency: number): { send: SendOne; close(): void } {
  switch (protocol) {
    case 'http-binary': return httpTarget(endpoints.httpPort!, httpBinaryRequest(model), concurrency);
    case 'http-json': return httpTarget(endpoints.httpPort!, httpJsonRequest(model), concurrency);
    case 'grpc': return grpcTarget(endpoints.grpcPort!, grpcRequest(model));
  }
}

/** Warms one server × model × protocol up, then measures it at every concurrency. */
async function measureSeries(server: ServerKind, endpoints: Endpoints, model: BenchModel, protocol: Protocol): Promise<void> {
  const warm = sender(endpoints, model, protocol, 16);
  const warmup = await closedLoop(warm.send, { concurrency: 16, seconds: WARMUP_SECONDS });
  warm.close();
  if (warmup.requests === 0) throw new Error(`${server} ${protocol} ${model.name}: every warm-up request failed: ${warmup.firstError}`);
  for (const concurrency of CONCURRENCY) {
    const target = sender(endpoints, model, protocol, concurrency);
    const before = endpoints.statsPort === undefined ? undefined : await statsSnapshot(endpoints.statsPort, model.name);
    const cpuBefore = cpuSnapshot(runningGroups());
    const result = await closedLoop(target.send, { concurrency, seconds: SECONDS });
    const foreignCpu = foreignShare(cpuBefore, cpuSnapshot(runningGroups()));
    target.close();
    let delta: StatsDelta | undefined;
    if (before !== undefined) delta = statsDelta(before, await statsSnapshot(endpoints.statsPort!, model.name));
    const point: ServerPoint = {
      server, protocol, model: model.name, concurrency,
      rps: result.rps, p50Us: result.p50Us, p99Us: result.p99Us, meanUs: result.meanUs,
      requests: result.requests, errors: result.errors, foreignCpu,
      ...(result.firstError !== undefined ? { firstError: result.firstError } : {}),
      ...(delta !== undefined ? { computeUs: delta.computeUs, serverUs: delta.serverUs, meanBatch: delta.meanBatch } : {}),
    };
    points.push(point);
    log(`${elapsed()}  ${server} ${protocol} ${model.name} c=${concurrency}: ${result.rps.toFixed(0)} req/s, ` +
      `p50 ${result.p50Us.toFixed(0)} µs, p99 ${result.p99Us.toFixed(0)} µs` +
      (delta !== undefined ? `, compute ${delta.computeUs.toFixed(1)} µs, batch ${delta.meanBatch.toFixed(2)}` : '') +
      (result.errors > 0 ? `, ${result.errors} errors (${result.firstError})` : '') +
      (foreignCpu > FOREIGN_WARN ? `  [other processes used ${(foreignCpu * 100).toFixed(0)}% of the CPU]` : ''));
  }
}

/** Runs one part; a failure is recorded as why that part is missing and the run goes on. */
async function part(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    missing[name] = error instanceof Error ? error.message : String(error);
    log(`${elapsed()}  ${name} failed: ${missing[name]!.split('\n')[0]}`);
  }
}

async function measureBare(): Promise<void> {
  const http = await startBareHttp();
  try {
    for (const model of BENCH_MODELS) {
      for (const protocol of ['http-binary', 'http-json'] as const) await measureSeries('bare', { httpPort: http.port }, model, protocol);
    }
  } finally {
    await http.process.stop();
  }
  const grpc = await startBareGrpc();
  try {
    for (const model of BENCH_MODELS) await measureSeries('bare', { grpcPort: grpc.port }, model, 'grpc');
  } finally {
    await grpc.process.stop();
  }
}

async function measureNereid(): Promise<void> {
  const nereid = await startNereid(REPOSITORY);
  try {
    const endpoints = { httpPort: nereid.httpPort, grpcPort: nereid.grpcPort, statsPort: nereid.httpPort };
    for (const model of BENCH_MODELS) {
      for (const protocol of PROTOCOLS) await measureSeries('nereid', endpoints, model, protocol);
    }
  } finally {
    await nereid.process.stop();
  }
}

/** The ORT limit at batch 1 (both models), and for the MLP also at every batch size nereid formed and at 64. */
async function measureLimit(): Promise<void> {
  const formed = points.filter((p) => p.server === 'nereid' && p.model === 'mlp_classifier').map(formedBatch);
  const batches: Record<string, number[]> = {
    add_sub: [1],
    mlp_classifier: [...new Set([1, ...formed, 64])].sort((a, b) => a - b),
  };
  const layouts = [...new Set([`1x${CORES}`, `${CORES}x1`])].map((l) => l.split('x').map(Number) as [number, number]);
  for (const model of BENCH_MODELS) {
    const modelPath = path.join(REPOSITORY, model.name, '1', 'model.onnx');
    const feeds = model.inputs.map((t) => ({ name: t.name, rowShape: t.shape.slice(1), row: t.values }));
    for (const batch of batches[model.name]!) {
      for (const [workers, intraOpThreads] of layouts) {
        const r = await measureOrtLimit({ modelPath, batch, feeds, workers, intraOpThreads, seconds: ORT_SECONDS });
        limit.push({ model: model.name, ...r });
        log(`${elapsed()}  ORT ${model.name} batch ${batch}, ${workers} worker(s) × ${intraOpThreads} thread(s): ` +
          `${r.runsPerS.toFixed(0)} runs/s, ${r.rowsPerS.toFixed(0)} rows/s, p50 ${r.p50Us.toFixed(1)} µs`);
      }
    }
  }
}

let mlserverVersions = '';
async function measureMlserver(): Promise<void> {
  const mlserver = await startMlserver(BENCH_MODELS.map((m) => m.name), MLSERVER_WORKERS);
  mlserverVersions = mlserver.versions;
  try {
    for (const model of BENCH_MODELS) {
      for (const protocol of ['http-json', 'grpc'] as const) {
        await measureSeries('mlserver', { httpPort: mlserver.httpPort, grpcPort: mlserver.grpcPort }, model, protocol);
      }
    }
  } finally {
    await mlserver.process.stop();
  }
}

function chartSeries(model: BenchModel): ChartSeries[] {
  const series: ChartSeries[] = [];
  const line = (server: ServerKind, protocol: Protocol) => CONCURRENCY.map((c) => ({
    x: c, y: points.find((p) => p.server === server && p.model === model.name && p.protocol === protocol && p.concurrency === c)?.rps ?? NaN,
  }));
  const best = (batch: number): number => limitAt(limit, model.name, batch)?.rowsPerS ?? NaN;
  const binary = CONCURRENCY.map((c) => points.find((p) => p.server === 'nereid' && p.model === model.name &&
    p.protocol === 'http-binary' && p.concurrency === c));
  series.push({
    name: 'a. ORT limit at the batch nereid formed (rows/s)', color: '#000000', dash: '10 4',
    points: CONCURRENCY.map((c, i) => ({ x: c, y: best(binary[i] === undefined ? 1 : formedBatch(binary[i]!)) })),
  });
  if (model.name === 'mlp_classifier') {
    series.push({ name: 'a. ORT limit at batch 64 (rows/s)', color: '#000000', dash: '2 3', points: CONCURRENCY.map((c) => ({ x: c, y: best(64) })) });
  }
  series.push(
    { name: 'b. bare node:http, binary', color: '#7f7f7f', dash: '6 4', points: line('bare', 'http-binary') },
    { name: 'b. bare node:http, JSON', color: '#bcbd22', dash: '6 4', points: line('bare', 'http-json') },
    { name: 'b. bare grpc-js', color: '#17becf', dash: '6 4', points: line('bare', 'grpc') },
    { name: 'c. nereid HTTP binary', color: '#1f77b4', points: line('nereid', 'http-binary') },
    { name: 'c. nereid HTTP JSON', color: '#2ca02c', points: line('nereid', 'http-json') },
    { name: 'c. nereid gRPC', color: '#d62728', points: line('nereid', 'grpc') },
    { name: 'd. MLServer REST JSON', color: '#9467bd', points: line('mlserver', 'http-json') },
    { name: 'd. MLServer gRPC', color: '#ff7f0e', points: line('mlserver', 'grpc') },
  );
  return series.filter((s) => s.points.some((p) => Number.isFinite(p.y)));
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The share of all cores' time spent busy (not idle) over `ms`: other work on the machine skews every figure. */
async function busyShare(ms: number): Promise<number> {
  const totals = (): { idle: number; all: number } => os.cpus().reduce((acc, cpu) => {
    const t = cpu.times;
    return { idle: acc.idle + t.idle, all: acc.all + t.user + t.nice + t.sys + t.idle + t.irq };
  }, { idle: 0, all: 0 });
  const a = totals();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = totals();
  return b.all > a.all ? 1 - (b.idle - a.idle) / (b.all - a.all) : 0;
}

log(`nereid bench: ${SECONDS} s per point${QUICK ? ' (--quick)' : ''}, concurrency ${CONCURRENCY.join('/')}, ` +
  `node ${process.version}, ${CORES} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`);
const busyBefore = await busyShare(1000);
if (busyBefore > 0.15) {
  log(`WARNING: the machine was ${(busyBefore * 100).toFixed(0)}% busy before the run began (load average ` +
    `${os.loadavg()[0]!.toFixed(1)}): other work shares the cores, so every figure will be low and noisy`);
}
let venvProblem: string | undefined;
if (SKIP_MLSERVER) venvProblem = '--no-mlserver was given';
else if (!PARTS.has('d')) venvProblem = 'not in --parts';
else {
  log(`${elapsed()}  preparing .bench-venv (bash bench/mlserver/setup.sh; a no-op when up to date)`);
  venvProblem = ensureBenchVenv();
}

for (const [key, name, body] of [
  ['b', 'b. transport ceiling', measureBare],
  ['c', 'c. nereid', measureNereid],
  ['a', 'a. ORT limit', measureLimit],
] as const) {
  if (PARTS.has(key)) await part(name, body);
  else missing[name] = 'not in --parts';
}
if (venvProblem === undefined) await part('d. MLServer', measureMlserver);
else missing['d. MLServer'] = venvProblem;

const results: BenchResults = {
  meta: {
    date: new Date().toISOString(),
    node: process.version,
    cores: CORES,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    secondsPerPoint: SECONDS,
    ortSecondsPerPoint: ORT_SECONDS,
    quick: QUICK,
    busyBefore: Number(busyBefore.toFixed(3)),
    maxForeignCpu: Number(Math.max(0, ...points.map((p) => p.foreignCpu ?? 0)).toFixed(3)),
    loadAverageAtEnd: Number(os.loadavg()[0]!.toFixed(2)),
    concurrency: CONCURRENCY,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    grpcJs: packageVersion('@grpc/grpc-js'),
    mlserver: mlserverVersions,
    mlserverParallelWorkers: MLSERVER_WORKERS,
    notes: [
      'Latencies in µs, measured by the load generator (closed loop, N requests in flight, keep-alive / one HTTP/2 channel).',
      'mlp_classifier requests carry one row each, so req/s = rows/s.',
      'MLServer REST has no binary tensor extension: nereid HTTP JSON and binary are compared with its REST JSON.',
      'MLServer: bench/mlserver/onnx_runtime.py, parallel_workers as in mlserverParallelWorkers (0 = inference in the ' +
        'server process, its fastest here), no adaptive batching.',
      'ORT limit: onnxruntime-node in worker threads of the bench process, layouts 1×cores threads and cores×1 thread.',
    ],
    totalSeconds: Math.round((Date.now() - startedAt) / 1000),
  },
  limit,
  points,
  ratios: ratioRows(points, limit),
  overhead: overheadRows(points),
  targets: targetVerdicts(points, limit, CONCURRENCY),
  missing,
};

log('');
for (const line of reportText(results, CONCURRENCY)) log(line);
const disturbed = points.filter((p) => (p.foreignCpu ?? 0) > FOREIGN_WARN);
if (disturbed.length > 0) {
  log('');
  log(`WARNING: other processes used more than ${FOREIGN_WARN * 100}% of the CPU during ${disturbed.length} of ` +
    `${points.length} points (${disturbed.map((p) => `${p.server} ${p.protocol} ${p.model} c=${p.concurrency}`).join(', ')}): ` +
    'those figures are low; run again on an idle machine');
}

await mkdir(OUT_DIR, { recursive: true });
const jsonPath = path.join(OUT_DIR, 'latest.json');
const svgPath = path.join(OUT_DIR, 'throughput.svg');
await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(svgPath, throughputChart(
  BENCH_MODELS.map((model) => ({ title: model.name === 'add_sub' ? 'add_sub (1×16 FP32, no batching)' : 'mlp_classifier (1 row per request, dynamic batching)', series: chartSeries(model) })),
  { title: `nereid vs ORT limit, bare transport and MLServer (${CORES} cores, ${SECONDS} s per point)`, xLabel: 'concurrency (requests in flight)', yLabel: 'requests/s (ORT: rows/s)' },
));
log('');
log(`wrote ${path.relative(ROOT, jsonPath)} and ${path.relative(ROOT, svgPath)} (${results.meta.totalSeconds} s in all)`);
