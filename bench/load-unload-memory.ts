/**
 * Does unloading free memory? Builds a temporary repository with one model, opens a ModelRepository in explicit mode
 * in THIS process, warms up with one load → infer → unload cycle, then runs N more and reports the process's RSS,
 * heapUsed, external memory and OS thread count (/proc/self/status Threads) at the start, every 10 cycles and at the
 * end, with the growth per cycle. A leak shows as RSS that keeps climbing by about the per-model cost (the "loaded"
 * row) every cycle, or as threads that do not go back down.
 *
 * Expect RSS after the warm-up to sit some tens of MiB above "before load" (the allocator keeps freed arena memory)
 * and then to move ±20–40 MiB between samples without a trend. heapUsed creeps by a few KiB per cycle: on Node 20,
 * every worker that registers tsx's loader (instance workers run from the .ts sources) leaves one closed MessagePort
 * in Node's internal/worker/messaging `threadsPorts` map on the main thread (~1.1 KiB each); not nereid's to fix.
 *
 * Models (--model):
 *   mlp     the shipped mlp_classifier (16 → 32 → 4, dynamic batching), --instances CPU instances (default 2)
 *   add     the tiny INPUT0 + INPUT1 test model (addModel), --instances (default 1)
 *   matmul  Y = X · W with a --size × --size FP32 weight (default 1024: 4 MiB of initializer), so that a session that
 *           is never freed costs megabytes per cycle and cannot hide in the noise; --instances (default 2)
 * --models N loads N copies of the model (under different names) in every cycle, infers each once, unloads them all.
 *
 * Usage: node --expose-gc --import tsx bench/load-unload-memory.ts [--cycles 50] [--model mlp|add|matmul]
 *                                                                  [--instances N] [--size 1024] [--models 1] [--json]
 * --expose-gc lets every sample run a full GC first (recommended: without it heapUsed and external include garbage).
 * --json prints one JSON object (the MemoryReport) instead of the table; test/repository/unload-memory-child.ts uses
 * the same runner.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOnnxModel, seededRandom, uniformFloat32 } from '../scripts/onnx/builder.ts';
import { mlpClassifierModel } from '../scripts/onnx/shipped-models.ts';
import { addModel, writeModelDir } from '../scripts/onnx/test-models.ts';
import { tempDir } from '../test/support/temp-dir.ts';
import { InferenceService } from '../src/core/inference-service.ts';
import { setLogSink } from '../src/observe/log.ts';
import type { InferRequest } from '../src/protocol/inference.ts';
import { ModelRepository } from '../src/repository/model-repository.ts';

export type BenchModel = 'mlp' | 'add' | 'matmul';

export interface MemoryRunOptions {
  readonly cycles: number;
  readonly model: BenchModel;
  /** CPU instances of the model (one worker thread each). */
  readonly instances: number;
  /** matmul only: the weight is size × size FP32. */
  readonly size: number;
  /** Copies of the model under different names, all loaded, inferred and unloaded in every cycle (default 1). */
  readonly models?: number;
}

/** One measurement of this process. Bytes, except the counts. */
export interface MemorySample {
  /** Cycles done after the warm-up (0: right after it; -1: the `initial` and `loaded` samples, taken before). */
  readonly cycle: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /**
   * OS threads of the process (/proc/self/status Threads; -1 where there is no /proc). Every live instance worker is
   * at least one of them (Node 20's process.getActiveResourcesInfo() does not list workers, so threads are the count).
   */
  readonly osThreads: number;
}

export interface MemoryReport {
  readonly options: MemoryRunOptions;
  readonly gcExposed: boolean;
  /** Before the first load. */
  readonly initial: MemorySample;
  /** While the model was loaded in the warm-up cycle: what one loaded copy costs on top of `initial`. */
  readonly loaded: MemorySample;
  /** After the warm-up cycle (the baseline of the growth figures), then every 10 cycles and after the last one. */
  readonly samples: readonly MemorySample[];
}

const MODEL_NAME = 'memory_probe';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** `Y = X · W`, X FP32 [batch, size], W a seeded size × size initializer. */
function matmulModel(size: number): Uint8Array {
  return buildOnnxModel({
    name: 'matmul_weight',
    inputs: [{ name: 'X', type: 'float', shape: ['batch', size] }],
    outputs: [{ name: 'Y', type: 'float', shape: ['batch', size] }],
    initializers: [{ name: 'W', type: 'float', dims: [size, size], values: uniformFloat32(seededRandom(7), size * size, 0.01) }],
    nodes: [{ op: 'MatMul', inputs: ['X', 'W'], outputs: ['Y'], name: 'matmul' }],
  });
}

function fp32(name: string, shape: number[]): InferRequest['inputs'][number] {
  const count = shape.reduce((a, b) => a * b, 1);
  return { name, datatype: 'FP32', shape, data: new Uint8Array(new Float32Array(count).fill(0.5).buffer) };
}

/** The names of the run's model copies. */
function modelNames(options: MemoryRunOptions): string[] {
  const count = options.models ?? 1;
  return count === 1 ? [MODEL_NAME] : Array.from({ length: count }, (_, i) => `${MODEL_NAME}_${i}`);
}

/** Writes the model copies and their configs into a fresh temporary repository; returns it and one request. */
function buildRepository(options: MemoryRunOptions): { repo: string; request: () => InferRequest } {
  const repo = tempDir('nereid-memory-');
  let built: { request: () => InferRequest } | undefined;
  for (const name of modelNames(options)) built = writeModel(repo, name, options);
  return { repo, request: built!.request };
}

function writeModel(repo: string, name: string, options: MemoryRunOptions): { request: () => InferRequest } {
  const group = `instance_group [ { count: ${options.instances} kind: KIND_CPU } ]`;
  switch (options.model) {
    case 'mlp': {
      const shipped = readFileSync(path.join(ROOT, 'model_repository', 'mlp_classifier', 'config.pbtxt'), 'utf8');
      const config = shipped
        .replace(/^name:\s*"mlp_classifier"/m, `name: "${name}"`)
        .replace(/^instance_group\s*\[[^\]]*\]/m, group);
      if (!config.includes(`count: ${options.instances}`)) throw new Error('the shipped mlp_classifier config has no instance_group to replace');
      writeModelDir(repo, name, mlpClassifierModel(), { config });
      return { request: () => ({ inputs: [fp32('input', [1, 16])] }) };
    }
    case 'add':
      writeModelDir(repo, name, addModel(), {
        config: `backend: "onnxruntime"\nmax_batch_size: 8\n${group}\n`,
      });
      return { request: () => ({ inputs: [fp32('INPUT0', [1, 4]), fp32('INPUT1', [1, 4])] }) };
    case 'matmul':
      writeModelDir(repo, name, matmulModel(options.size), {
        config: `backend: "onnxruntime"\nmax_batch_size: 8\n${group}\n`,
      });
      return { request: () => ({ inputs: [fp32('X', [1, options.size])] }) };
  }
}

/** OS threads of this process, from /proc/self/status (-1 where there is none). */
export function osThreadCount(): number {
  try {
    const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match === null ? -1 : Number(match[1]);
  } catch {
    return -1;
  }
}

/** Full GCs (when exposed) with turns of the event loop between them, so finalizers and freed ArrayBuffers settle. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function sample(cycle: number): Promise<MemorySample> {
  await settle();
  const m = process.memoryUsage();
  return {
    cycle,
    rss: m.rss,
    heapUsed: m.heapUsed,
    external: m.external,
    arrayBuffers: m.arrayBuffers,
    osThreads: osThreadCount(),
  };
}

/** Runs the warm-up cycle and `options.cycles` measured load → one inference → unload cycles in this process. */
export async function runLoadUnloadCycles(options: MemoryRunOptions): Promise<MemoryReport> {
  setLogSink((line) => {
    if (line.startsWith('E')) process.stderr.write(line + '\n');
  });
  const { repo, request } = buildRepository(options);
  const repository = new ModelRepository({
    repositories: [repo],
    pipeline: { autoComplete: true, defaultMaxBatchSize: 4, devices: { gpus: [] } },
    controlMode: 'explicit',
  });
  await repository.loadAll();
  const service = new InferenceService(repository);
  const names = modelNames(options);
  const cycle = async (onLoaded?: () => Promise<void>): Promise<void> => {
    await Promise.all(names.map((name) => repository.load(name)));
    for (const name of names) {
      const response = await service.infer(name, undefined, request());
      if (response.outputs.length === 0) throw new Error('the inference returned no outputs');
    }
    await onLoaded?.();
    await Promise.all(names.map((name) => repository.unload(name)));
  };

  const initial = await sample(-1);
  let loaded: MemorySample | undefined;
  await cycle(async () => void (loaded = await sample(-1)));
  const samples: MemorySample[] = [await sample(0)];
  for (let i = 1; i <= options.cycles; i++) {
    await cycle();
    if (i % 10 === 0 || i === options.cycles) samples.push(await sample(i));
  }
  await repository.unloadAll();
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  return { options, gcExposed, initial, loaded: loaded!, samples };
}

// ---- command line ----------------------------------------------------------------------------------------------------

const MiB = 1024 * 1024;
const mib = (bytes: number): string => (bytes / MiB).toFixed(1).padStart(8);
const signedMib = (bytes: number): string => `${bytes >= 0 ? '+' : ''}${(bytes / MiB).toFixed(2)}`;

function printReport(report: MemoryReport): void {
  const { options, initial, loaded, samples } = report;
  const base = samples[0]!;
  const last = samples.at(-1)!;
  console.log(
    `model ${options.model}${options.model === 'matmul' ? ` (${options.size}×${options.size} FP32 weight)` : ''}, ` +
      `${options.models ?? 1} model(s) of ${options.instances} instance(s), ${options.cycles} cycles of load → 1 inference → unload` +
      (report.gcExposed ? ', full GC before each sample' : ' (run with --expose-gc for settled heap figures)'),
  );
  console.log('');
  console.log('  when              rss MiB  heapUsed  external  arrayBuf  threads');
  const row = (label: string, s: MemorySample): void =>
    console.log(`  ${label.padEnd(16)}${mib(s.rss)}${mib(s.heapUsed)}  ${mib(s.external)}  ${mib(s.arrayBuffers)}  ${String(s.osThreads).padStart(7)}`);
  row('before load', initial);
  row('loaded (warm-up)', loaded);
  for (const s of samples) row(s.cycle === 0 ? 'after warm-up' : `after ${s.cycle}`, s);
  console.log('');
  const perCycle = options.cycles > 0 ? (last.rss - base.rss) / options.cycles : 0;
  console.log(`one loaded copy costs      ${signedMib(loaded.rss - initial.rss)} MiB RSS, +${loaded.osThreads - initial.osThreads} threads`);
  console.log(`RSS growth over ${options.cycles} cycles  ${signedMib(last.rss - base.rss)} MiB (${signedMib(perCycle)} MiB per cycle; baseline = after warm-up)`);
  console.log(`heapUsed growth            ${signedMib(last.heapUsed - base.heapUsed)} MiB, external ${signedMib(last.external - base.external)} MiB`);
  console.log(`threads                    ${base.osThreads} after warm-up → ${last.osThreads} at the end (${initial.osThreads} before any load)`);
}

function parseArgs(argv: readonly string[]): { options: MemoryRunOptions; json: boolean } {
  const arg = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const model = (arg('model') ?? 'mlp') as BenchModel;
  if (!['mlp', 'add', 'matmul'].includes(model)) throw new Error(`--model must be mlp, add or matmul, got '${model}'`);
  const int = (name: string, fallback: number): number => {
    const n = Number(arg(name) ?? fallback);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
    return n;
  };
  return {
    options: {
      cycles: int('cycles', 50),
      model,
      instances: Math.max(1, int('instances', model === 'add' ? 1 : 2)),
      size: Math.max(1, int('size', 1024)),
      models: Math.max(1, int('models', 1)),
    },
    json: argv.includes('--json'),
  };
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { options, json } = parseArgs(process.argv.slice(2));
  const report = await runLoadUnloadCycles(options);
  if (json) console.log(JSON.stringify(report));
  else printReport(report);
}
