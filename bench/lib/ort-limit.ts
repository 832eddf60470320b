/**
 * The machine's limit for a model: onnxruntime-node alone, no server, running the same batches in worker threads of
 * this process (ort-limit-worker.ts), each worker with its own session, all at once for a fixed time. With one worker
 * per core and one intra-op thread each it is the layout nereid gives a model's two CPU instances on two cores.
 */
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { summarize } from './load-generator.ts';
import type { FromOrtLimitWorker, OrtLimitWorkerData, ToOrtLimitWorker } from './ort-limit-worker.ts';

/** nereid's worker entry: registers tsx's loader in the worker before importing a .ts entry. */
const BOOTSTRAP = fileURLToPath(new URL('../../src/instance/worker-bootstrap.mjs', import.meta.url));
const ENTRY = fileURLToPath(new URL('./ort-limit-worker.ts', import.meta.url));

export interface OrtLimitOptions {
  readonly modelPath: string;
  /** Batch size: the first dim of every feed (for rows/s). */
  readonly batch: number;
  /** Every feed is [batch, ...rowShape], filled with `row` repeated. */
  readonly feeds: readonly { name: string; rowShape: readonly number[]; row: Float32Array }[];
  readonly workers: number;
  readonly intraOpThreads: number;
  readonly seconds: number;
  readonly warmupRuns?: number;
}

/** One ORT limit measurement. Latencies are of one run() (with tensor building and output reading), µs. */
export interface OrtLimitResult {
  readonly batch: number;
  readonly workers: number;
  readonly intraOpThreads: number;
  readonly runsPerS: number;
  readonly rowsPerS: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
}

function receive(worker: Worker, type: FromOrtLimitWorker['type']): Promise<FromOrtLimitWorker> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromOrtLimitWorker): void => {
      if (message.type === 'failed') reject(new Error(`ORT limit worker: ${message.message}`));
      else if (message.type === type) resolve(message);
      else return;
      worker.off('message', onMessage);
      worker.off('error', reject);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

/** Starts the workers, lets them all run for `seconds`, and sums their runs. */
export async function measureOrtLimit(options: OrtLimitOptions): Promise<OrtLimitResult> {
  const feeds = options.feeds.map((feed) => {
    const data = new Float32Array(options.batch * feed.row.length);
    for (let b = 0; b < options.batch; b++) data.set(feed.row, b * feed.row.length);
    return { name: feed.name, dims: [options.batch, ...feed.rowShape], data };
  });
  const workerData: OrtLimitWorkerData = {
    entry: ENTRY, modelPath: options.modelPath, intraOpThreads: options.intraOpThreads, feeds,
  };
  const workers = Array.from({ length: options.workers }, () => new Worker(BOOTSTRAP, { workerData }));
  try {
    await Promise.all(workers.map((w) => receive(w, 'loaded')));
    const done = workers.map((w) => receive(w, 'done'));
    const go: ToOrtLimitWorker = { type: 'go', seconds: options.seconds, warmupRuns: options.warmupRuns ?? 200 };
    for (const w of workers) w.postMessage(go);
    const results = (await Promise.all(done)) as Extract<FromOrtLimitWorker, { type: 'done' }>[];
    const latencies = results.flatMap((r) => Array.from(r.latenciesMs));
    const seconds = Math.max(...results.map((r) => r.seconds));
    const summary = summarize(latencies, seconds, options.workers);
    return {
      batch: options.batch,
      workers: options.workers,
      intraOpThreads: options.intraOpThreads,
      runsPerS: summary.rps,
      rowsPerS: summary.rps * options.batch,
      p50Us: summary.p50Us,
      p99Us: summary.p99Us,
      meanUs: summary.meanUs,
    };
  } finally {
    for (const w of workers) w.postMessage({ type: 'exit' } satisfies ToOrtLimitWorker);
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  }
}
