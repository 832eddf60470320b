/**
 * One command that measures nereid against the machine's limit, the transport ceiling and a peer, in one run on the
 * same models (the shipped add_sub and mlp_classifier) and the same closed-loop load generator:
 *   a. the limit: onnxruntime-node alone in worker threads of this process running the same batches (add_sub batch 1;
 *      the MLP at batch 1, at the batch sizes nereid's dynamic batcher formed, and at 64), with one worker using every
 *      core and with one single-threaded worker per core;
 *   b. the transport ceiling: a bare node:http server and a bare grpc-js server that answer the same payloads, and a
 *      second gRPC ceiling: ModelInfer framed by hand on node:http2 (bare-http2-grpc-server.ts), same client;
 *   c. nereid over HTTP binary, HTTP JSON and gRPC;
 *   d. Seldon MLServer (PyPI, .bench-venv via bench/mlserver/setup.sh) serving the same .onnx files through
 *      bench/mlserver/onnx_runtime.py over its v2 REST (JSON: it has no binary tensor extension) and gRPC endpoints,
 *      in the configuration that served these small models fastest here: inference in the server process
 *      (parallel_workers 0; MLServer's default of one worker process measured 2–2.5× slower) and no adaptive batching
 *      (with max_batch_size 64 it was no faster, often slower). --mlserver-workers N sets parallel_workers.
 *   e. tritonserver 2.51 (.venv/bin/tritonserver, CPU-only) serving Python-backend twins of the two models
 *      (test/differential/twin-repository.ts: the same .onnx run by the onnxruntime Python package) over HTTP binary,
 *      HTTP JSON and gRPC; missing, with tritonUnavailable()'s reason, where it cannot run;
 *   f. perf_analyzer (.venv/bin/perf_analyzer) at c=1 on add_sub over HTTP and gRPC against nereid and tritonserver:
 *      the server-side breakdown (overhead, queue, compute input/infer/output) it reads from the statistics extension.
 * b to e run at every concurrency (default 1, 16, 64), each point also measuring the server's CPU per request (its
 * process group's user + system time). Prints throughput, p50/p99, CPU per request, the ratios c/a, c/b, c/d, c/e,
 * nereid ÷ Triton throughput and p50, the two gRPC ceilings, nereid's overhead over the bare transport and the issues'
 * targets (reported, not asserted); writes <out>/latest.json and <out>/throughput.svg.
 *
 * Usage: node --import tsx bench/run.ts [--seconds 3] [--quick] [--concurrency 1,16,64] [--mlserver-workers 0]
 *                                       [--no-mlserver] [--parts a,b,c,d,e,f] [--out bench/results]
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
import { chartSeries } from './lib/chart-series.ts';
import { grpcCeilingRows } from './lib/grpc-ceiling.ts';
import { getJson } from './lib/http-client.ts';
import { ensureBenchVenv, startMlserver } from './lib/mlserver.ts';
import { statsDelta, statsSnapshot, type StatsDelta } from './lib/nereid-stats.ts';
import { measureOrtLimit } from './lib/ort-limit.ts';
import { BENCH_MODELS, grpcRequest, httpBinaryRequest, httpJsonRequest, type BenchModel } from './lib/payloads.ts';
import { perfAnalyzerUnavailable, runPerfAnalyzer, type PerfAnalyzerRow, type PerfProtocol } from './lib/perf-analyzer.ts';
import { reportText } from './lib/report-text.ts';
import {
  PROTOCOLS, formedBatch, overheadRows, ratioRows,
  type BenchResults, type LimitPoint, type Protocol, type ServerKind, type ServerPoint,
} from './lib/results.ts';
import { cpuPerRequestUs, groupCpuSeconds } from './lib/server-cpu.ts';
import { ROOT, runningGroups, startBareGrpc, startBareHttp, startBareHttp2Grpc, startNereid } from './lib/servers.ts';
import { cpuSnapshot, foreignShare } from './lib/foreign-load.ts';
import { throughputChart } from './lib/svg-chart.ts';
import { targetVerdicts } from './lib/targets.ts';
import { tritonRows } from './lib/triton-comparison.ts';
import { startTritonTwin, tritonUnavailable } from './lib/tritonserver.ts';

const QUICK = hasFlag('quick');
const SECONDS = numberFlag('seconds', QUICK ? 1 : 3);
const CONCURRENCY = listFlag('concurrency', [1, 16, 64]);
const MLSERVER_WORKERS = numberFlag('mlserver-workers', 0);
const SKIP_MLSERVER = hasFlag('no-mlserver');
const PARTS = new Set(flagValue('parts', 'a,b,c,d,e,f').split(','));
const OUT_DIR = path.resolve(ROOT, flagValue('out', 'bench/results'));
const WARMUP_SECONDS = QUICK ? 0.3 : 0.75;
const ORT_SECONDS = QUICK ? 0.5 : Math.min(SECONDS, 1.5);
const CORES = os.availableParallelism();
const REPOSITORY = path.join(ROOT, 'model_repository');
/** Points where other processes took more than this share of the CPU are flagged as disturbed. */
const FOREIGN_WARN = 0.1;

const points: ServerPoint[] = [];
const limit: LimitPoint[] = [];
const perfAnalyzer: PerfAnalyzerRow[] = [];
const missing: Record<string, string> = {};
const startedAt = Date.now();

const log = (line: string): void => console.log(line);
const elapsed = (): string => `${((Date.now() - startedAt) / 1000).toFixed(0)} s`.padStart(6);

interface Endpoints {
  readonly httpPort?: number;
  readonly grpcPort?: number;
  /** nereid and Triton: their statistics say compute time and batch sizes. */
  readonly statsPort?: number;
  /** The server's process group (its leader's pid): its CPU time per request is measured. */
  readonly group?: number;
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
    const serverCpuBefore = endpoints.group === undefined ? NaN : groupCpuSeconds(endpoints.group);
    const result = await closedLoop(target.send, { concurrency, seconds: SECONDS });
    const serverCpuAfter = endpoints.group === undefined ? NaN : groupCpuSeconds(endpoints.group);
    const foreignCpu = foreignShare(cpuBefore, cpuSnapshot(runningGroups()));
    const serverCpuUs = cpuPerRequestUs(serverCpuBefore, serverCpuAfter, result.requests);
    target.close();
    let delta: StatsDelta | undefined;
    if (before !== undefined) delta = statsDelta(before, await statsSnapshot(endpoints.statsPort!, model.name));
    const point: ServerPoint = {
      server, protocol, model: model.name, concurrency,
      rps: result.rps, p50Us: result.p50Us, p99Us: result.p99Us, meanUs: result.meanUs,
      requests: result.requests, errors: result.errors, foreignCpu, serverCpuUs,
      ...(result.firstError !== undefined ? { firstError: result.firstError } : {}),
      ...(delta !== undefined ? { computeUs: delta.computeUs, serverUs: delta.serverUs, meanBatch: delta.meanBatch } : {}),
    };
    points.push(point);
    log(`${elapsed()}  ${server} ${protocol} ${model.name} c=${concurrency}: ${result.rps.toFixed(0)} req/s, ` +
      `p50 ${result.p50Us.toFixed(0)} µs, p99 ${result.p99Us.toFixed(0)} µs` +
      (Number.isFinite(serverCpuUs) ? `, server CPU ${serverCpuUs.toFixed(0)} µs/req` : '') +
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
      for (const protocol of ['http-binary', 'http-json'] as const) {
        await measureSeries('bare', { httpPort: http.port, group: http.process.child.pid }, model, protocol);
      }
    }
  } finally {
    await http.process.stop();
  }
  for (const [server, start] of [['bare', startBareGrpc], ['bare-http2', startBareHttp2Grpc]] as const) {
    const grpc = await start();
    try {
      for (const model of BENCH_MODELS) await measureSeries(server, { grpcPort: grpc.port, group: grpc.process.child.pid }, model, 'grpc');
    } finally {
      await grpc.process.stop();
    }
  }
}

async function measureNereid(): Promise<void> {
  const nereid = await startNereid(REPOSITORY);
  try {
    const endpoints = { httpPort: nereid.httpPort, grpcPort: nereid.grpcPort, statsPort: nereid.httpPort, group: nereid.process.child.pid };
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

let tritonVersion = '';
async function measureTriton(): Promise<void> {
  const triton = await startTritonTwin(REPOSITORY, BENCH_MODELS.map((m) => m.name));
  try {
    tritonVersion = ((await getJson(triton.httpPort, '/v2')) as { version?: string }).version ?? 'unknown';
    const endpoints = { httpPort: triton.httpPort, grpcPort: triton.grpcPort, statsPort: triton.httpPort, group: triton.process.child.pid };
    for (const model of BENCH_MODELS) {
      for (const protocol of PROTOCOLS) await measureSeries('triton', endpoints, model, protocol);
    }
  } finally {
    await triton.stop();
  }
}

/** perf_analyzer at c=1 on add_sub, HTTP then gRPC, against one server. */
async function perfAnalyzerPasses(server: PerfAnalyzerRow['server'], ports: Record<PerfProtocol, number>): Promise<void> {
  for (const protocol of ['http', 'grpc'] as const) {
    const row = await runPerfAnalyzer({ server, protocol, port: ports[protocol], model: 'add_sub', windowMs: QUICK ? 1000 : 2000 });
    perfAnalyzer.push(row);
    log(`${elapsed()}  perf_analyzer ${server} ${protocol} add_sub c=1: ` + (row.error ?? `${row.throughput.toFixed(0)} infer/s, ` +
      `server request ${row.serverRequestUs} µs = overhead ${row.overheadUs} + queue ${row.queueUs} + compute ` +
      `${row.computeInputUs}/${row.computeInferUs}/${row.computeOutputUs} µs`));
  }
}

async function measurePerfAnalyzer(): Promise<void> {
  const unavailable = perfAnalyzerUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const nereid = await startNereid(REPOSITORY);
  try {
    await perfAnalyzerPasses('nereid', { http: nereid.httpPort, grpc: nereid.grpcPort });
  } finally {
    await nereid.process.stop();
  }
  const noTriton = tritonUnavailable();
  if (noTriton !== undefined) {
    missing['f. perf_analyzer against tritonserver'] = noTriton;
    return;
  }
  const triton = await startTritonTwin(REPOSITORY, ['add_sub']);
  try {
    await perfAnalyzerPasses('triton', { http: triton.httpPort, grpc: triton.grpcPort });
  } finally {
    await triton.stop();
  }
}

let mlserverVersions = '';
async function measureMlserver(): Promise<void> {
  const mlserver = await startMlserver(BENCH_MODELS.map((m) => m.name), MLSERVER_WORKERS);
  mlserverVersions = mlserver.versions;
  try {
    for (const model of BENCH_MODELS) {
      for (const protocol of ['http-json', 'grpc'] as const) {
        await measureSeries('mlserver', { httpPort: mlserver.httpPort, grpcPort: mlserver.grpcPort, group: mlserver.process.child.pid },
          model, protocol);
      }
    }
  } finally {
    await mlserver.process.stop();
  }
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
const noTriton = tritonUnavailable();
if (!PARTS.has('e')) missing['e. tritonserver 2.51'] = 'not in --parts';
else if (noTriton !== undefined) missing['e. tritonserver 2.51'] = noTriton;
else await part('e. tritonserver 2.51', measureTriton);
if (PARTS.has('f')) await part('f. perf_analyzer', measurePerfAnalyzer);
else missing['f. perf_analyzer'] = 'not in --parts';

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
    tritonserver: tritonVersion,
    notes: [
      'Latencies in µs, measured by the load generator (closed loop, N requests in flight, keep-alive / one HTTP/2 channel).',
      'mlp_classifier requests carry one row each, so req/s = rows/s.',
      'MLServer REST has no binary tensor extension: nereid HTTP JSON and binary are compared with its REST JSON.',
      'MLServer: bench/mlserver/onnx_runtime.py, parallel_workers as in mlserverParallelWorkers (0 = inference in the ' +
        'server process, its fastest here), no adaptive batching.',
      'ORT limit: onnxruntime-node in worker threads of the bench process, layouts 1×cores threads and cores×1 thread.',
      'tritonserver: 2.51 from the nvidia-pytriton wheel, CPU-only, Python-backend twins running the same .onnx with the ' +
        'onnxruntime Python package (its ONNX Runtime backend is not in the wheel), add_sub with 2 instances.',
      'bare-http2: ModelInfer with gRPC framing written by hand on node:http2, answering what the bare grpc-js server answers.',
      'serverCpuUs: user + system CPU of the server\'s process group per successful request (/proc), µs.',
    ],
    totalSeconds: Math.round((Date.now() - startedAt) / 1000),
  },
  limit,
  points,
  ratios: ratioRows(points, limit),
  overhead: overheadRows(points),
  triton: tritonRows(points),
  grpcCeiling: grpcCeilingRows(points),
  perfAnalyzer,
  targets: targetVerdicts(points, limit, CONCURRENCY, perfAnalyzer),
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
  BENCH_MODELS.map((model) => ({
    title: model.name === 'add_sub' ? 'add_sub (1×16 FP32, no batching)' : 'mlp_classifier (1 row per request, dynamic batching)',
    series: chartSeries(model, points, limit, CONCURRENCY),
  })),
  {
    title: `nereid vs ORT limit, bare transport, MLServer and tritonserver 2.51 (${CORES} cores, ${SECONDS} s per point)`,
    xLabel: 'concurrency (requests in flight)', yLabel: 'requests/s (ORT: rows/s)',
  },
));
log('');
log(`wrote ${path.relative(ROOT, jsonPath)} and ${path.relative(ROOT, svgPath)} (${results.meta.totalSeconds} s in all)`);
