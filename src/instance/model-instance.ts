/**
 * One model instance: an execution slot backed by a worker thread that owns its own ONNX Runtime session. It takes one
 * execution when idle and, while that one runs, one more staged behind it in the worker's ring. When the worker dies,
 * the executions it had (running and staged) fail at once with a clear error and a replacement worker is started.
 */
import type { ModelMetadata } from '../config/model-metadata.ts';
import { internal } from '../protocol/errors.ts';
import type { ExecutionSlot, RunResult } from '../protocol/execution.ts';
import type { PackedInputs } from '../protocol/packed-inputs.ts';
import { log } from '../observe/log.ts';
import type { OrtOptions } from './session-options.ts';
import { OrtError, WorkerClient } from './worker-client.ts';

/** Where an instance runs: its name (`<group>_<k>`), kind and device. */
export interface InstancePlacement {
  readonly name: string;
  readonly kind: 'KIND_CPU' | 'KIND_GPU' | 'KIND_MODEL';
  readonly deviceId: number;
}

/** Delay before another try when a replacement worker fails to load. */
const RESTART_BACKOFF_MS = 1000;

/** A model instance: the execution slot schedulers run on. */
export class ModelInstance implements ExecutionSlot {
  /** Told whenever the instance can take another execution (after a run, or once a replacement is up). */
  private readonly availabilityListeners = new Set<() => void>();
  private client: WorkerClient | undefined;
  /** Executions handed to the worker and not yet settled: 0, 1 (running) or 2 (one running, one staged). */
  private inflight = 0;
  private stopped = false;
  /** Number of workers that died and were replaced (observable for operators and tests). */
  restarts = 0;

  constructor(
    readonly placement: InstancePlacement,
    /** `'<model>' version <v>`, for messages. */
    private readonly modelLabel: string,
    private readonly modelPath: string,
    private readonly options: OrtOptions,
  ) {}

  get name(): string {
    return this.placement.name;
  }

  /** True when a worker is up and idle. */
  get available(): boolean {
    return this.client !== undefined && this.inflight === 0 && !this.stopped;
  }

  /** True when a worker is up and runs one execution, with nothing staged behind it yet. */
  get canStage(): boolean {
    return this.client !== undefined && this.inflight === 1 && !this.stopped;
  }

  addAvailabilityListener(listener: () => void): void {
    this.availabilityListeners.add(listener);
  }

  removeAvailabilityListener(listener: () => void): void {
    this.availabilityListeners.delete(listener);
  }

  /** True while the worker is inside an execution (for operators' tooling and tests). */
  get executing(): boolean {
    return this.client?.executing ?? false;
  }

  /** Starts the worker and loads the session; ONNX Runtime's refusal is reported as Triton's backend does. */
  async start(): Promise<ModelMetadata> {
    try {
      const { client, metadata } = await WorkerClient.start(this.threadName(), this.modelPath, this.options);
      this.attach(client);
      return metadata;
    } catch (error) {
      if (error instanceof OrtError) throw internal(`onnx runtime error: ${error.message}`);
      throw internal(`instance '${this.name}' of model ${this.modelLabel} failed to start: ${(error as Error).message}`);
    }
  }

  /** Runs one execution; the instance must be available, or able to stage it behind the one it runs. */
  async run(inputs: PackedInputs, outputNames: readonly string[]): Promise<RunResult> {
    const client = this.client;
    if (client === undefined || this.inflight >= 2) throw internal(`instance '${this.name}' of model ${this.modelLabel} is not available`);
    this.inflight++;
    try {
      return await client.run(inputs, outputNames);
    } catch (error) {
      if (error instanceof OrtError) throw internal(`onnx runtime error: ${error.message}`);
      throw internal(`instance '${this.name}' of model ${this.modelLabel} stopped while executing the request (${(error as Error).message}); the request was not completed`);
    } finally {
      this.inflight--;
      // Told whenever a worker is up, this one or already its replacement: a spare call is harmless, a missed one not.
      if (this.client !== undefined && !this.stopped) this.becameAvailable();
    }
  }

  /** Ends the current worker the way a crash would; a replacement starts. For operators' tooling and tests. */
  async killWorker(): Promise<void> {
    const client = this.client;
    if (client === undefined) return;
    this.detach(client, 'worker was killed');
    await client.terminate('the instance worker was killed');
  }

  /** Ends the worker for good. Callers drain executions first. */
  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = undefined;
    await client?.terminate();
  }

  private becameAvailable(): void {
    for (const listener of this.availabilityListeners) listener();
  }

  private attach(client: WorkerClient): void {
    this.client = client;
    client.onUnexpectedExit = (reason) => this.detach(client, reason);
  }

  private detach(client: WorkerClient, reason: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (this.stopped) return;
    log.error(`instance '${this.name}' of model ${this.modelLabel}: ${reason}; starting a replacement`);
    this.restarts++;
    void this.replace();
  }

  private async replace(): Promise<void> {
    while (!this.stopped) {
      try {
        const { client } = await WorkerClient.start(this.threadName(), this.modelPath, this.options);
        if (this.stopped) {
          await client.terminate();
          return;
        }
        this.attach(client);
        log.info(`instance '${this.name}' of model ${this.modelLabel} replaced`);
        this.becameAvailable();
        return;
      } catch (error) {
        log.error(`replacement of instance '${this.name}' of model ${this.modelLabel} failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RESTART_BACKOFF_MS));
      }
    }
  }

  private threadName(): string {
    return `${this.modelLabel} ${this.name}`;
  }
}
