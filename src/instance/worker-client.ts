/**
 * Main-thread handle on one instance worker: starts it, loads its session, runs executions and reports when the
 * thread ends. It knows nothing about requests or scheduling.
 */
import { Worker } from 'node:worker_threads';
import type { ModelMetadata } from '../config/model-metadata.ts';
import type { RunResult } from '../protocol/execution.ts';
import type { PackedInputs } from '../protocol/packed-inputs.ts';
import type { FromWorker, ToWorker } from './messages.ts';
import type { OrtOptions } from './session-options.ts';

/**
 * What each worker thread runs. Compiled (dist/), the worker is plain `worker-entry.js` with no loader. From the
 * TypeScript sources (tests and scripts under tsx), worker threads do not inherit tsx's loader, so the worker starts
 * in worker-bootstrap.mjs, which registers tsx and then imports `worker-entry.ts`.
 */
const WORKER: { readonly file: URL; readonly workerData?: { entry: string } } = import.meta.url.endsWith('.ts')
  ? { file: new URL('./worker-bootstrap.mjs', import.meta.url), workerData: { entry: new URL('./worker-entry.ts', import.meta.url).href } }
  : { file: new URL('./worker-entry.js', import.meta.url) };

interface Pending {
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

/** Thrown for failures inside ONNX Runtime (load or run); the message is ORT's. */
export class OrtError extends Error {}

export class WorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;
  private loadWaiter: { resolve(m: ModelMetadata): void; reject(e: Error): void } | undefined;
  /** Called once when the thread ends for any reason other than terminate(). */
  onUnexpectedExit: ((reason: string) => void) | undefined;
  private terminating = false;
  private readonly exitedPromise: Promise<void>;

  private constructor(label: string) {
    this.worker = new Worker(WORKER.file, { workerData: WORKER.workerData, name: label });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.ended(`worker error: ${error.message}`));
    this.exitedPromise = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('exit', (code) => this.ended(`worker exited with code ${code}`));
  }

  /** Starts a worker and loads the model into its session; rejects with OrtError when ONNX Runtime refuses it. */
  static async start(label: string, modelPath: string, options: OrtOptions): Promise<{ client: WorkerClient; metadata: ModelMetadata }> {
    const client = new WorkerClient(label);
    const loaded = new Promise<ModelMetadata>((resolve, reject) => (client.loadWaiter = { resolve, reject }));
    client.post({ type: 'load', modelPath, sessionOptions: options.session, ...(options.run === undefined ? {} : { runOptions: options.run }) });
    try {
      return { client, metadata: await loaded };
    } catch (error) {
      await client.terminate();
      throw error;
    }
  }

  /** Runs one execution; the packed buffer is transferred (detached here). */
  run(inputs: PackedInputs, outputNames: readonly string[]): Promise<RunResult> {
    if (this.exited) return Promise.reject(new Error('the instance worker has stopped'));
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ type: 'run', id, inputs: inputs.tensors, outputNames }, [inputs.buffer]);
    });
  }

  /**
   * Ends the thread. Executions still pending are rejected at once with `reason`; the thread itself ends as soon as
   * the ONNX Runtime call in progress returns (never Worker.terminate() during a native call: that aborts the
   * process). Resolves when the thread has ended.
   */
  terminate(reason = 'the instance worker was stopped'): Promise<void> {
    this.terminating = true;
    const exited = this.exitedPromise;
    if (!this.exited) this.post({ type: 'exit' });
    this.ended(reason);
    return exited;
  }

  private post(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(message: FromWorker): void {
    switch (message.type) {
      case 'loaded':
        this.loadWaiter?.resolve(message.metadata);
        this.loadWaiter = undefined;
        return;
      case 'load-failed':
        this.loadWaiter?.reject(new OrtError(message.message));
        this.loadWaiter = undefined;
        return;
      case 'result':
      case 'run-failed': {
        const pending = this.pending.get(message.id);
        if (pending === undefined) return;
        this.pending.delete(message.id);
        if (message.type === 'result') pending.resolve({ outputs: message.outputs, timings: message.timings });
        else pending.reject(new OrtError(message.message));
      }
    }
  }

  private ended(reason: string): void {
    if (this.exited) return;
    this.exited = true;
    const error = new Error(reason);
    this.loadWaiter?.reject(error);
    this.loadWaiter = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    if (!this.terminating) this.onUnexpectedExit?.(reason);
  }
}
