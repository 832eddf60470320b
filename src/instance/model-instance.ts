/**
 * One model instance: an execution slot backed by its own ONNX Runtime session, hosted on a worker of the instance
 * pool (instance-pool.ts). It takes one execution when its worker is idle and, while that worker runs one, one more
 * staged behind it in the worker's ring. When the worker dies, the executions it had (running and staged) fail at
 * once with a clear error, and the session is recreated on the replacement worker.
 */
import type { ModelMetadata } from '../config/model-metadata.ts';
import { internal } from '../protocol/errors.ts';
import type { ExecutionSlot, RunResult, StateRow } from '../protocol/execution.ts';
import type { PackedInputs } from '../protocol/packed-inputs.ts';
import { log } from '../observe/log.ts';
import type { InstancePool, PoolWorker, Resident } from './instance-pool.ts';
import type { SessionStates } from './messages.ts';
import { lostStateMessage } from './sequence-state-store.ts';
import type { OrtOptions } from './session-options.ts';
import { OrtError } from './worker-client.ts';

/** Where an instance runs: its name (`<group>_<k>`), kind and device. */
export interface InstancePlacement {
  readonly name: string;
  readonly kind: 'KIND_CPU' | 'KIND_GPU' | 'KIND_MODEL';
  readonly deviceId: number;
}

/** Delay before another try when a session fails to load on a replacement worker. */
const RESTART_BACKOFF_MS = 1000;

/** A model instance: the execution slot schedulers run on. */
export class ModelInstance implements ExecutionSlot, Resident {
  /** Told whenever the instance can take another execution (after a run, or once its session is back). */
  private readonly availabilityListeners = new Set<() => void>();
  /** Told when the instance loses its session to a dead worker (false) and when it has it again (true). */
  private readonly healthListeners = new Set<(up: boolean) => void>();
  private worker: PoolWorker | undefined;
  /** The session's id in its worker; undefined before start and while it is recreated. */
  private session: number | undefined;
  /** Bumped at every move to another worker: a recreation started for an earlier worker is dropped. */
  private generation = 0;
  private stopped = false;
  /** Number of times its worker died and the session was recreated (observable for operators and tests). */
  restarts = 0;

  constructor(
    readonly placement: InstancePlacement,
    /** `'<model>' version <v>`, for messages; also what spreads a model's instances over the workers. */
    private readonly modelLabel: string,
    private readonly modelPath: string,
    private readonly options: OrtOptions,
    private readonly pool: InstancePool,
    /** A model with implicit state: what its worker keeps for each sequence. */
    private readonly states?: SessionStates,
  ) {}

  get name(): string {
    return this.placement.name;
  }

  get modelKey(): string {
    return this.modelLabel;
  }

  /** True when the session is up and its worker idle. */
  get available(): boolean {
    return this.ready && this.worker!.available;
  }

  /** True when the session is up and its worker runs one execution, with nothing staged behind it yet. */
  get canStage(): boolean {
    return this.ready && this.worker!.canStage;
  }

  /** True while the session is up (false before start, after stop and while it is recreated). */
  get ready(): boolean {
    return this.session !== undefined && !this.stopped;
  }

  addAvailabilityListener(listener: () => void): void {
    this.availabilityListeners.add(listener);
  }

  removeAvailabilityListener(listener: () => void): void {
    this.availabilityListeners.delete(listener);
  }

  addHealthListener(listener: (up: boolean) => void): void {
    this.healthListeners.add(listener);
  }

  /** The worker hosting the session, as `<device> worker <index>` (for operators' tooling and tests). */
  get host(): string | undefined {
    return this.worker === undefined ? undefined : `${this.worker.device} worker ${this.worker.index}`;
  }

  /** True while its worker is inside an execution (any resident's; for operators' tooling and tests). */
  get executing(): boolean {
    return this.worker?.client.executing ?? false;
  }

  /** Places the session on a worker of the pool and loads it; ONNX Runtime's refusal is reported as Triton's backend does. */
  async start(): Promise<ModelMetadata> {
    const worker = this.pool.place(this, this.device());
    this.worker = worker;
    try {
      const { session, metadata } = await worker.client.load(this.modelPath, this.options, this.states);
      this.session = session;
      return metadata;
    } catch (error) {
      await this.pool.release(this);
      this.worker = undefined;
      if (error instanceof OrtError) throw internal(`onnx runtime error: ${error.message}`);
      throw internal(`instance '${this.name}' of model ${this.modelLabel} failed to start: ${(error as Error).message}`);
    }
  }

  /** Runs one execution; the instance must be available, or able to stage it behind the one its worker runs. */
  async run(inputs: PackedInputs, outputNames: readonly string[], states?: readonly StateRow[]): Promise<RunResult> {
    const worker = this.worker;
    const session = this.session;
    if (worker === undefined || session === undefined || this.stopped || worker.inflight >= 2) {
      throw internal(`instance '${this.name}' of model ${this.modelLabel} is not available`);
    }
    worker.inflight++;
    try {
      return await worker.client.run(session, inputs, outputNames, states);
    } catch (error) {
      // The worker's own refusal of a sequence whose state it no longer holds is not ONNX Runtime's.
      if (error instanceof OrtError) throw internal(error.message === lostStateMessage() ? error.message : `onnx runtime error: ${error.message}`);
      throw internal(`instance '${this.name}' of model ${this.modelLabel} stopped while executing the request (${(error as Error).message}); the request was not completed`);
    } finally {
      worker.inflight--;
      // Every resident of a live worker hears it (a spare call is harmless, a missed one not); a dead worker's
      // residents hear from their replacement once their sessions are back.
      if (worker === this.worker) worker.notifyAvailable();
    }
  }

  /**
   * Lets go of the implicit state its worker keeps for these sequences; resolves with how many sequences' state the
   * session still holds (0 while it has no session: the state went with the worker that died).
   */
  releaseStates(keys: readonly number[]): Promise<number> {
    const { worker, session } = this;
    if (worker === undefined || session === undefined) return Promise.resolve(0);
    return worker.client.dropStates(session, keys);
  }

  /** Ends its worker the way a crash would; the sessions there are recreated on a replacement. For tooling and tests. */
  async killWorker(): Promise<void> {
    if (this.worker !== undefined) await this.pool.kill(this.worker);
  }

  /** Releases the session (and the worker, when it was the last one there). Callers drain executions first. */
  async stop(): Promise<void> {
    this.stopped = true;
    const { worker, session } = this;
    this.session = undefined;
    if (worker === undefined) return;
    if (session !== undefined) await worker.client.unload(session);
    await this.pool.release(this);
    this.worker = undefined;
  }

  workerAvailable(): void {
    if (this.ready) for (const listener of this.availabilityListeners) listener();
  }

  workerReplaced(replacement: PoolWorker, reason: string): void {
    this.worker = replacement;
    this.session = undefined;
    this.generation++;
    if (this.stopped) return;
    this.restarts++;
    log.error(`instance '${this.name}' of model ${this.modelLabel}: ${reason}; recreating its session`);
    for (const listener of this.healthListeners) listener(false);
    void this.recreate(replacement, this.generation);
  }

  /** Loads the session again on `worker`, retrying after a pause while ONNX Runtime refuses. */
  private async recreate(worker: PoolWorker, generation: number): Promise<void> {
    const current = (): boolean => generation === this.generation && !this.stopped;
    while (current()) {
      try {
        const { session } = await worker.client.load(this.modelPath, this.options, this.states);
        if (!current()) {
          await worker.client.unload(session);
          return;
        }
        this.session = session;
        log.info(`instance '${this.name}' of model ${this.modelLabel} recreated`);
        for (const listener of this.healthListeners) listener(true);
        this.workerAvailable();
        return;
      } catch (error) {
        if (!current()) return;
        log.error(`recreating instance '${this.name}' of model ${this.modelLabel} failed: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RESTART_BACKOFF_MS));
      }
    }
  }

  private device(): string {
    return this.placement.kind === 'KIND_GPU' ? `gpu:${this.placement.deviceId}` : 'cpu';
  }
}
