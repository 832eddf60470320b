/**
 * One worker thread of the ONNX Runtime limit (ort-limit.ts): loads the model into its own session, then on `go`
 * runs the same feeds in a loop for the given time, building the input tensors and reading the outputs each time as
 * a server would, and posts back every run's latency. ONNX Runtime's run() blocks its thread, which is why this lives
 * in a worker and never on the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** What the worker is started with (workerData, next to the bootstrap's `entry`). */
export interface OrtLimitWorkerData {
  readonly entry: string;
  readonly modelPath: string;
  readonly intraOpThreads: number;
  readonly feeds: readonly { name: string; dims: readonly number[]; data: Float32Array }[];
}

/** Main → worker. */
export type ToOrtLimitWorker = { type: 'go'; seconds: number; warmupRuns: number } | { type: 'exit' };
/** Worker → main. */
export type FromOrtLimitWorker =
  | { type: 'loaded' }
  | { type: 'failed'; message: string }
  | { type: 'done'; latenciesMs: Float64Array; seconds: number };

const port = parentPort!;
const data = workerData as OrtLimitWorkerData;

async function runOnce(session: ort.InferenceSession): Promise<void> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const feed of data.feeds) feeds[feed.name] = new ort.Tensor('float32', feed.data, feed.dims);
  const results = await session.run(feeds);
  for (const name of session.outputNames) void results[name]!.data;
}

async function go(session: ort.InferenceSession, seconds: number, warmupRuns: number): Promise<void> {
  for (let i = 0; i < warmupRuns; i++) await runOnce(session);
  const latencies: number[] = [];
  const begin = performance.now();
  const deadline = begin + seconds * 1000;
  for (let now = begin; now < deadline;) {
    await runOnce(session);
    const end = performance.now();
    latencies.push(end - now);
    now = end;
  }
  const latenciesMs = Float64Array.from(latencies);
  const message: FromOrtLimitWorker = { type: 'done', latenciesMs, seconds: (performance.now() - begin) / 1000 };
  port.postMessage(message, [latenciesMs.buffer]);
}

try {
  const session = await ort.InferenceSession.create(data.modelPath, {
    intraOpNumThreads: data.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  port.on('message', (message: ToOrtLimitWorker) => {
    if (message.type === 'exit') process.exit(0);
    go(session, message.seconds, message.warmupRuns).catch((error: unknown) => {
      port.postMessage({ type: 'failed', message: String(error) } satisfies FromOrtLimitWorker);
    });
  });
  port.postMessage({ type: 'loaded' } satisfies FromOrtLimitWorker);
} catch (error) {
  port.postMessage({ type: 'failed', message: String(error) } satisfies FromOrtLimitWorker);
}
