/**
 * Many models on one machine (issue 15): what nereid costs as the number of loaded models grows, next to the same
 * ONNX Runtime sessions created by ONNX Runtime alone in one process, in the same run.
 *
 * Part 1, for each count N (--counts, default 1,10,100,200): a repository of N copies of the shipped add_sub (2 CPU
 * instances each, as shipped) plus mlp_classifier. nereid (compiled, dist/main.js, built first) is started on it and
 * timed until it listens (it loads every model first); then its RSS and OS thread count are read from /proc. The
 * baseline process (bench/lib/ort-sessions-child.ts) creates the same number of sessions of the same files.
 *
 * Part 2: add_sub over HTTP binary at concurrency --concurrency (default 16) for --seconds (default 3) per point:
 *   - hot alone:     nereid with add_sub only;
 *   - hot + 49 idle: nereid with add_sub and 49 idle copies (the pool must not slow the hot model down);
 *   - mixed 50:      the same 50 models, the requests spread over all of them in turn.
 * The three run in turn --repeat times (default 3; the machine is noisy) and the report gives each one's median.
 *
 * Usage: node --import tsx bench/many-models.ts [--counts 1,10,100,200] [--seconds 3] [--concurrency 16]
 *                                                 [--instance-workers N] [--repeat 3] [--no-footprint] [--json]
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../test/support/temp-dir.ts';
import { flagValue, hasFlag, listFlag, numberFlag } from './lib/cli.ts';
import { httpTarget, type HttpRequestSpec } from './lib/http-client.ts';
import { closedLoop } from './lib/load-generator.ts';
import type { OrtSessionsReport } from './lib/ort-sessions-child.ts';
import { ADD_SUB, httpBinaryRequest } from './lib/payloads.ts';
import { ROOT, startProcess } from './lib/servers.ts';

const COUNTS = listFlag('counts', [1, 10, 100, 200]);
const SECONDS = numberFlag('seconds', 3);
const CONCURRENCY = numberFlag('concurrency', 16);
const REPEAT = numberFlag('repeat', 3);
const SKIP_FOOTPRINT = hasFlag('no-footprint');
const WORKERS = flagValue('instance-workers', '');
const MiB = 1024 * 1024;
const SHIPPED = path.join(ROOT, 'model_repository');

/** add_sub as shipped: two CPU instances (Triton's default count for KIND_CPU). */
const ADD_SUB_SESSIONS = 2;
const MLP_SESSIONS = Number(/count:\s*(\d+)/.exec(readFileSync(path.join(SHIPPED, 'mlp_classifier', 'config.pbtxt'), 'utf8'))?.[1] ?? 1);

interface FootprintRow {
  readonly models: number;
  readonly sessions: number;
  readonly nereid: { readonly readyMs: number; readonly rssMiB: number; readonly threads: number };
  readonly ortAlone: { readonly ms: number; readonly rssMiB: number; readonly rssBeforeMiB: number; readonly threads: number };
  /** nereid RSS ÷ (2 × ORT alone RSS + 150 MiB): issue 15 asks for ≤ 1. */
  readonly rssVsTarget: number;
}

interface LoadRow {
  readonly scenario: string;
  readonly models: number;
  readonly rps: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly errors: number;
}

/** `count` copies of add_sub named add_sub, add_sub_1, ...; with `mlp`, mlp_classifier too. */
function buildRepository(count: number, mlp: boolean): string {
  const repo = tempDir('nereid-many-');
  const config = readFileSync(path.join(SHIPPED, 'add_sub', 'config.pbtxt'), 'utf8');
  for (let i = 0; i < count; i++) {
    const name = modelName(i);
    cpSync(path.join(SHIPPED, 'add_sub'), path.join(repo, name), { recursive: true });
    writeFileSync(path.join(repo, name, 'config.pbtxt'), config.replace(/^name:\s*"add_sub"/m, `name: "${name}"`));
  }
  if (mlp) cpSync(path.join(SHIPPED, 'mlp_classifier'), path.join(repo, 'mlp_classifier'), { recursive: true });
  return repo;
}

function modelName(i: number): string {
  return i === 0 ? 'add_sub' : `add_sub_${i}`;
}

function procStatus(pid: number): { rss: number; threads: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024, threads: Number(/^Threads:\s+(\d+)$/m.exec(status)![1]) };
}

async function startCompiledNereid(repo: string): Promise<{ port: number; readyMs: number; pid: number; stop(): Promise<void> }> {
  const started = performance.now();
  const proc = await startProcess(process.execPath, [
    'dist/main.js', `--model-repository=${repo}`, '--http-port=0', '--http-address=127.0.0.1', '--allow-grpc=false',
    '--allow-metrics=false', ...(WORKERS === '' ? [] : [`--instance-workers=${WORKERS}`]),
  ], { ready: [/Started HTTPService at [^\s]*:(\d+)/], timeoutMs: 600_000 });
  return { port: Number(proc.matches[0]![1]), readyMs: performance.now() - started, pid: proc.child.pid!, stop: () => proc.stop() };
}

function ortAlone(count: number): Promise<OrtSessionsReport> {
  const files = [
    { path: path.join(SHIPPED, 'add_sub', '1', 'model.onnx'), count: count * ADD_SUB_SESSIONS },
    { path: path.join(SHIPPED, 'mlp_classifier', '1', 'model.onnx'), count: MLP_SESSIONS },
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/ort-sessions-child.ts', JSON.stringify(files)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as OrtSessionsReport) : reject(new Error(`ort-sessions-child exited with ${code}`))));
  });
}

async function footprint(count: number): Promise<FootprintRow> {
  const repo = buildRepository(count, true);
  const server = await startCompiledNereid(repo);
  const { rss, threads } = procStatus(server.pid);
  await server.stop();
  const ort = await ortAlone(count);
  const row: FootprintRow = {
    models: count + 1,
    sessions: count * ADD_SUB_SESSIONS + MLP_SESSIONS,
    nereid: { readyMs: server.readyMs, rssMiB: rss / MiB, threads },
    ortAlone: { ms: ort.ms, rssMiB: ort.rss / MiB, rssBeforeMiB: ort.rssBefore / MiB, threads: ort.threads },
    rssVsTarget: rss / (2 * ort.rss + 150 * MiB),
  };
  console.log(`${String(row.models).padStart(4)} models, ${String(row.sessions).padStart(4)} sessions: nereid ready in ${row.nereid.readyMs.toFixed(0)} ms, ` +
    `RSS ${row.nereid.rssMiB.toFixed(0)} MiB, ${threads} threads | ORT alone ${ort.ms.toFixed(0)} ms, RSS ${row.ortAlone.rssMiB.toFixed(0)} MiB ` +
    `(${row.ortAlone.rssBeforeMiB.toFixed(0)} before), ${ort.threads} threads | nereid ÷ (2 × ORT + 150 MiB) = ${row.rssVsTarget.toFixed(2)}`);
  return row;
}

function requestFor(name: string): HttpRequestSpec {
  const spec = httpBinaryRequest(ADD_SUB);
  return { ...spec, path: `/v2/models/${name}/infer` };
}

async function load(scenario: string, models: number, spread: boolean): Promise<LoadRow> {
  const server = await startCompiledNereid(buildRepository(models, false));
  try {
    const specs = spread ? Array.from({ length: models }, (_, i) => requestFor(modelName(i))) : [requestFor('add_sub')];
    const target = httpTarget(server.port, specs, CONCURRENCY);
    await closedLoop(target.send, { concurrency: CONCURRENCY, seconds: Math.min(1, SECONDS) });
    const result = await closedLoop(target.send, { concurrency: CONCURRENCY, seconds: SECONDS });
    target.close();
    const row: LoadRow = { scenario, models, rps: result.rps, p50Us: result.p50Us, p99Us: result.p99Us, errors: result.errors };
    console.log(`${scenario.padEnd(16)} ${String(models).padStart(3)} models: ${row.rps.toFixed(0)} req/s, p50 ${row.p50Us.toFixed(0)} µs, p99 ${row.p99Us.toFixed(0)} µs, ${row.errors} errors`);
    return row;
  } finally {
    await server.stop();
  }
}

console.log('building dist/ (npm run build) so that nereid runs compiled, as deployed');
execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
console.log(`\nfootprint: N copies of add_sub (${ADD_SUB_SESSIONS} sessions each) + mlp_classifier (${MLP_SESSIONS}); instance workers ${WORKERS || 'default (one per core)'}`);
const footprints: FootprintRow[] = [];
if (!SKIP_FOOTPRINT) for (const count of COUNTS) footprints.push(await footprint(count));
console.log(`\nadd_sub over HTTP binary at c=${CONCURRENCY}, ${SECONDS} s per point, ${REPEAT} rounds`);
const rounds: LoadRow[][] = [];
for (let r = 0; r < REPEAT; r++) rounds.push([await load('hot alone', 1, false), await load('hot + 49 idle', 50, false), await load('mixed 50', 50, true)]);
const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const loads: LoadRow[] = rounds[0]!.map((row, i) => ({
  ...row,
  rps: median(rounds.map((round) => round[i]!.rps)),
  p50Us: median(rounds.map((round) => round[i]!.p50Us)),
  p99Us: median(rounds.map((round) => round[i]!.p99Us)),
  errors: rounds.reduce((sum, round) => sum + round[i]!.errors, 0),
}));
console.log('medians:');
for (const row of loads) console.log(`  ${row.scenario.padEnd(16)} ${row.rps.toFixed(0)} req/s, p50 ${row.p50Us.toFixed(0)} µs, p99 ${row.p99Us.toFixed(0)} µs`);
const hotShare = loads[1]!.rps / loads[0]!.rps;
const perRound = rounds.map((round) => `${((round[1]!.rps / round[0]!.rps) * 100).toFixed(1)}%`).join(', ');
console.log(`hot model with 49 idle ÷ alone: ${(hotShare * 100).toFixed(1)}% of the medians (rounds: ${perRound}; target ≥ 95%)`);
if (hasFlag('json')) console.log(JSON.stringify({ footprints, loads, hotShare }));
