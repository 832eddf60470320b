/**
 * The instance worker: owns one ONNX Runtime session and runs one execution at a time. ONNX Runtime's run() is
 * synchronous on the calling thread, which is why it lives here and never on the main thread.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { sessionMetadata } from './session-metadata.ts';
import { fromOrtTensor, toOrtTensor } from './ort-tensors.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';
import type { FromWorker, ToWorker } from './messages.ts';

const port = parentPort;
if (port === null) throw new Error('worker-entry must run in a worker thread');

let session: ort.InferenceSession | undefined;
let runOptions: ort.InferenceSession.RunOptions = {};

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function load(modelPath: string, options: ort.InferenceSession.SessionOptions, run: ort.InferenceSession.RunOptions): Promise<void> {
  runOptions = run;
  try {
    session = await ort.InferenceSession.create(modelPath, options);
    send({ type: 'loaded', metadata: sessionMetadata(session) });
  } catch (error) {
    send({ type: 'load-failed', message: errorText(error) });
  }
}

async function run(id: number, inputs: readonly WireTensor[], outputNames: readonly string[]): Promise<void> {
  try {
    if (session === undefined) throw new Error('no session is loaded');
    const t0 = performance.now();
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) feeds[input.name] = toOrtTensor(input);
    const t1 = performance.now();
    const results = await session.run(feeds, outputNames as string[], runOptions);
    const t2 = performance.now();
    const outputs = outputNames.map((name) => fromOrtTensor(name, results[name]!));
    const t3 = performance.now();
    const timings = {
      startedAtMs: performance.timeOrigin + t0,
      endedAtMs: performance.timeOrigin + t3,
      computeInputNs: Math.round((t1 - t0) * 1e6),
      computeInferNs: Math.round((t2 - t1) * 1e6),
      computeOutputNs: Math.round((t3 - t2) * 1e6),
    };
    send({ type: 'result', id, outputs, timings }, outputs.map((o) => o.data.buffer as ArrayBuffer));
  } catch (error) {
    send({ type: 'run-failed', id, message: errorText(error) });
  }
}

/**
 * Operations run one after another. Exiting waits for the one in progress: ending the thread while ONNX Runtime is
 * inside a native call aborts the whole process when that call returns into a torn-down environment.
 */
let current: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  current = current.then(() => {
    switch (message.type) {
      case 'load':
        return load(
          message.modelPath,
          message.sessionOptions as ort.InferenceSession.SessionOptions,
          (message.runOptions ?? {}) as ort.InferenceSession.RunOptions,
        );
      case 'run':
        return run(message.id, message.inputs, message.outputNames);
      case 'exit':
        process.exit(0);
    }
  });
});
