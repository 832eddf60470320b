/**
 * What the dynamic batcher buys: the shipped MLP (model_repository/mlp_classifier, 16 → 32 → 4, two CPU instances,
 * max_batch_size 64) served with and without `dynamic_batching`, by one nereid process, under closed-loop HTTP load.
 *
 * A temporary model repository holds copies of the same model.onnx under three configs that differ only there:
 *   mlp_plain          no dynamic_batching (Triton's default scheduler: each request executes alone)
 *   mlp_batched        dynamic_batching { }  (max_queue_delay 0: batch whatever queued while the instances were busy)
 *   mlp_batched_delay  dynamic_batching { max_queue_delay_microseconds: D }  (--delay-us, default 100; 0 leaves it out)
 * The load generator runs here (keep-alive, N requests in flight, each one row [1,16] FP32 sent as binary tensor data,
 * binary output requested) in the style of bench/http-infer.ts; the server runs in its own process. For every model and
 * concurrency it reports requests/s, p50/p95/p99 latency, the mean batch size from the statistics extension
 * (Δinference_count / Δexecution_count over the point), and each batched variant's throughput and p95 relative to
 * mlp_plain at the same concurrency. Nothing is asserted: the figure to look at is c=32, where batching should give
 * ≥ 3× the plain throughput with a p95 no worse.
 *
 * Usage: node --import tsx bench/dynamic-batching.ts [--seconds 3] [--concurrency 1,8,32,64] [--delay-us 100]
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { listFlag, numberFlag } from './lib/cli.ts';
import { httpTarget, type HttpRequestSpec } from './lib/http-client.ts';
import { closedLoop } from './lib/load-generator.ts';
import { statsDelta, statsSnapshot } from './lib/nereid-stats.ts';
import { ROOT, startNereid, type NereidServer } from './lib/servers.ts';

const SOURCE_MODEL = path.join(ROOT, 'model_repository', 'mlp_classifier');
const SECONDS = numberFlag('seconds', 3);
const CONCURRENCY = listFlag('concurrency', [1, 8, 32, 64]);
const DELAY_US = numberFlag('delay-us', 100);
const WARMUP_REQUESTS = 200;
const ROWS = 64;

interface Variant {
  readonly name: string;
  /** The config's dynamic_batching block, or '' for none. */
  readonly batching: string;
}

const VARIANTS: Variant[] = [
  { name: 'mlp_plain', batching: '' },
  { name: 'mlp_batched', batching: 'dynamic_batching { }' },
  ...(DELAY_US > 0
    ? [{ name: 'mlp_batched_delay', batching: `dynamic_batching { max_queue_delay_microseconds: ${DELAY_US} }` }]
    : []),
];

/** The shipped config with its name replaced and its dynamic_batching block replaced by the variant's. */
function variantConfig(shipped: string, variant: Variant): string {
  const named = shipped.replace(/^name:\s*"mlp_classifier"/m, `name: "${variant.name}"`);
  const withoutBatching = named.replace(/^dynamic_batching\s*\{[^}]*\}\s*$/m, '');
  if (withoutBatching === named) throw new Error(`${SOURCE_MODEL}/config.pbtxt has no dynamic_batching block to replace`);
  return `${withoutBatching.trimEnd()}\n${variant.batching}\n`;
}

async function buildRepository(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'nereid-bench-batching-'));
  const shipped = await readFile(path.join(SOURCE_MODEL, 'config.pbtxt'), 'utf8');
  for (const variant of VARIANTS) {
    await mkdir(path.join(dir, variant.name, '1'), { recursive: true });
    await copyFile(path.join(SOURCE_MODEL, '1', 'model.onnx'), path.join(dir, variant.name, '1', 'model.onnx'));
    await writeFile(path.join(dir, variant.name, 'config.pbtxt'), variantConfig(shipped, variant));
  }
  return dir;
}

/** One request per row (binary input, binary output), sent round-robin by the load generator. */
function requestSpecs(model: string): HttpRequestSpec[] {
  return Array.from({ length: ROWS }, (_, r) => {
    const row = Float32Array.from({ length: 16 }, (_, i) => Math.sin(r * 16 + i));
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 16], parameters: { binary_data_size: 64 } }],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
    }));
    return {
      path: `/v2/models/${model}/infer`,
      body: Buffer.concat([header, Buffer.from(row.buffer)]),
      headers: { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(header.length) },
    };
  });
}

interface Result {
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  meanBatch: number;
}

/** Closed loop for `seconds` (or, with `requests`, until that many were sent: the warm-up); latencies in ms. */
async function load(port: number, model: string, concurrency: number, seconds: number, requests?: number): Promise<Omit<Result, 'meanBatch'>> {
  const target = httpTarget(port, requestSpecs(model), concurrency);
  try {
    const r = await closedLoop(target.send, { concurrency, seconds, ...(requests !== undefined ? { maxRequests: requests } : {}) });
    return { rps: r.rps, p50: r.p50Us / 1000, p95: r.p95Us / 1000, p99: r.p99Us / 1000, errors: r.errors };
  } finally {
    target.close();
  }
}

async function measure(port: number, model: string, concurrency: number): Promise<Result> {
  const before = await statsSnapshot(port, model);
  const result = await load(port, model, concurrency, SECONDS);
  const delta = statsDelta(before, await statsSnapshot(port, model));
  return { ...result, meanBatch: delta.meanBatch };
}

const ms = (value: number): string => value.toFixed(2).padStart(7);

function row(model: string, c: number, r: Result, plain?: Result): string {
  const vsPlain = plain === undefined
    ? ''
    : `  ${(r.rps / plain.rps).toFixed(2).padStart(5)}×  ${(r.p95 / plain.p95).toFixed(2).padStart(5)}×`;
  return `${String(c).padStart(4)}  ${model.padEnd(18)} ${r.rps.toFixed(0).padStart(7)}  ${ms(r.p50)}  ${ms(r.p95)}  ` +
    `${ms(r.p99)}  ${r.meanBatch.toFixed(2).padStart(6)}  ${String(r.errors).padStart(6)}${vsPlain}`;
}

const repository = await buildRepository();
let server: NereidServer | undefined;
try {
  server = await startNereid(repository);
  // A fixed number of warm-up requests per model (sessions, sockets, JIT) before any measured point.
  for (const variant of VARIANTS) await load(server.httpPort, variant.name, 8, 60, WARMUP_REQUESTS);
  console.log(`dynamic batching on the shipped MLP (2 CPU instances, max_batch_size 64), HTTP binary, one row per ` +
    `request; ${SECONDS} s per point, node ${process.version}, ${os.cpus().length} CPUs`);
  console.log('   c  model                 req/s  p50 ms   p95 ms   p99 ms   batch  errors  rps/plain p95/plain');
  const atTarget: string[] = [];
  for (const c of CONCURRENCY) {
    let plain: Result | undefined;
    for (const variant of VARIANTS) {
      const result = await measure(server.httpPort, variant.name, c);
      console.log(row(variant.name, c, result, plain));
      if (variant.name === 'mlp_plain') plain = result;
      else if (c === 32 && plain !== undefined) {
        const ok = result.rps >= 3 * plain.rps && result.p95 <= plain.p95;
        atTarget.push(`${variant.name} at c=32: ${(result.rps / plain.rps).toFixed(2)}× plain throughput, p95 ` +
          `${ms(result.p95).trim()} vs ${ms(plain.p95).trim()} ms: target (≥ 3×, p95 no worse) ${ok ? 'met' : 'NOT met'}`);
      }
    }
  }
  for (const line of atTarget) console.log(line);
} finally {
  await server?.process.stop();
  await rm(repository, { recursive: true, force: true });
}
