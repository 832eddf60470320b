/**
 * Triton's dynamic batcher for one model version: requests queue by priority level, and whenever an instance is free
 * the batch queue (batch-queue.ts, the algorithm) decides which of them run together now or when to look again. This
 * class owns what the algorithm must not: the clock and its timer, the instances, batch assembly, dropping requests
 * whose client has gone, and releasing responses in arrival order when preserve_ordering is set.
 */
import type { BatchingPlan } from '../core/batching-plan.ts';
import type { ModelPlan } from '../core/model-plan.ts';
import type { Execution, Scheduler } from '../core/scheduler-port.ts';
import type { ServerError } from '../protocol/errors.ts';
import type { ExecutionResult, ExecutionSlot } from '../protocol/execution.ts';
import { assembleBatch, splitOutput } from './batch-assembly.ts';
import { BatchQueue } from './batch-queue.ts';
import { cancelledError } from './queue-errors.ts';
import { publishExecution } from './execution-events.ts';

interface Waiting {
  readonly execution: Execution;
  readonly enqueuedAt: number;
  /** Arrival order, for preserve_ordering. */
  readonly sequence: number;
  onAbort?: () => void;
  resolve(result: ExecutionResult): void;
  reject(error: Error): void;
}

const nowUs = (): number => performance.now() * 1000;

/** Batches a version's requests by its plan's `dynamicBatching` facts. */
export class DynamicBatcher implements Scheduler {
  private readonly settings: BatchingPlan;
  private readonly queue: BatchQueue<Waiting>;
  /** Every output in model order: a batch runs the union of what its requests asked for. */
  private readonly outputOrder: readonly string[];
  private running = 0;
  private nextSequence = 0;
  /** Cancels the pending wake-up (a timeout, or an immediate for waits under 1 ms). */
  private cancelWake: (() => void) | undefined;
  private timerAtUs = Infinity;
  private drainWaiters: (() => void)[] = [];
  /** preserve_ordering: settled results waiting for earlier arrivals. */
  private readonly held = new Map<number, () => void>();
  private nextToRelease = 0;
  /** An afterArrivals turn is already queued (see scheduleAfterArrivals). */
  private arrivalsPending = false;
  private readonly afterArrivals = (): void => {
    this.arrivalsPending = false;
    this.schedule();
  };

  /** `plan.dynamicBatching` must be present (the version batches). */
  constructor(
    private readonly plan: ModelPlan,
    private readonly instances: readonly ExecutionSlot[],
  ) {
    if (plan.dynamicBatching === undefined) throw new TypeError(`model '${plan.name}' has no dynamic batching plan`);
    this.settings = plan.dynamicBatching;
    this.queue = new BatchQueue<Waiting>(this.settings);
    this.outputOrder = plan.outputs.map((o) => o.name);
    const schedule = (): void => this.schedule();
    for (const instance of instances) instance.addAvailabilityListener(schedule);
  }

  get inflight(): number {
    return this.queue.size + this.running;
  }

  get pending(): number {
    return this.queue.size;
  }

  enqueue(execution: Execution): Promise<ExecutionResult> {
    if (execution.signal?.aborted) return Promise.reject(cancelledError());
    let settle!: Pick<Waiting, 'resolve' | 'reject'>;
    const result = new Promise<ExecutionResult>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const waiting: Waiting = { execution, enqueuedAt: performance.now(), sequence: this.nextSequence, ...settle };
    // Throws the queue-full error to the caller (see Scheduler.enqueue).
    this.queue.add(
      { payload: waiting, batchSize: Math.max(1, execution.batchSize), shapeKey: this.shapeKey(execution), priority: execution.priority, timeoutUs: execution.timeoutUs, requestId: execution.requestId },
      nowUs(),
    );
    this.nextSequence++;
    if (execution.signal !== undefined) {
      waiting.onAbort = () => {
        if (this.queue.remove(waiting)) this.settle(waiting, cancelledError());
      };
      execution.signal.addEventListener('abort', waiting.onAbort, { once: true });
    }
    this.scheduleAfterArrivals();
    return result;
  }

  /**
   * Schedules once the current turn's I/O has been read rather than at each arrival. Requests that reach the server
   * together then form one batch: scheduling on the first of them would send it alone to an idle instance and batch
   * only the rest (measured on mlp_classifier at c=64: mean batch 2.3 instead of 9). An instance becoming free still
   * schedules at once.
   */
  private scheduleAfterArrivals(): void {
    if (this.arrivalsPending) return;
    this.arrivalsPending = true;
    setImmediate(this.afterArrivals);
  }

  drained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Runs batches while instances are free; otherwise arms the timer for the next delay expiry or timeout. */
  private schedule(): void {
    let wakeAtUs: number | undefined;
    while (this.queue.size > 0) {
      const now = nowUs();
      const instance = this.instances.find((i) => i.available);
      if (instance === undefined) {
        for (const { payload, error } of this.queue.expire(now)) this.settle(payload, error);
        wakeAtUs = this.queue.nearestDeadlineUs();
        break;
      }
      const decision = this.queue.next(now);
      for (const { payload, error } of decision.rejected) this.settle(payload, error);
      if (decision.batch.length === 0) {
        wakeAtUs = decision.wakeAtUs;
        break;
      }
      this.run(instance, decision.batch);
    }
    this.armTimer(wakeAtUs);
    this.notifyDrained();
  }

  /**
   * Wakes the batcher at `atUs`. Node's timers have millisecond granularity (a 100 µs setTimeout waits ~1 ms), so waits
   * under a millisecond re-check on the next turn of the event loop instead, which still lets I/O through in between.
   */
  private armTimer(atUs: number | undefined): void {
    if (atUs === undefined || this.queue.size === 0) {
      this.clearTimer();
      return;
    }
    if (this.cancelWake !== undefined && this.timerAtUs <= atUs) return;
    this.clearTimer();
    this.timerAtUs = atUs;
    const fire = (): void => {
      this.cancelWake = undefined;
      this.timerAtUs = Infinity;
      this.schedule();
    };
    const waitUs = atUs - nowUs();
    if (waitUs < 1000) {
      const immediate = setImmediate(fire);
      this.cancelWake = () => clearImmediate(immediate);
    } else {
      const timeout = setTimeout(fire, waitUs / 1000);
      this.cancelWake = () => clearTimeout(timeout);
    }
  }

  private clearTimer(): void {
    this.cancelWake?.();
    this.cancelWake = undefined;
    this.timerAtUs = Infinity;
  }

  private run(instance: ExecutionSlot, batch: readonly Waiting[]): void {
    const startedAt = performance.now();
    this.running += batch.length;
    let elements = 0;
    for (const waiting of batch) {
      elements += Math.max(1, waiting.execution.batchSize);
      if (waiting.onAbort !== undefined) waiting.execution.signal!.removeEventListener('abort', waiting.onAbort);
    }
    const executions = batch.map((w) => w.execution);
    const wanted = new Set(executions.flatMap((e) => e.outputNames));
    const outputNames = this.outputOrder.filter((name) => wanted.has(name));
    let packed;
    try {
      packed = assembleBatch(executions);
    } catch (error) {
      this.finish(batch, error as Error);
      return;
    }
    instance.run(packed, outputNames).then(
      (result) => {
        publishExecution(this.plan, elements, batch.length, result.timings);
        const rows = executions.map((e) => e.inputs[0]?.shape[0] ?? 0);
        const pieces = new Map(result.outputs.map((output) => [output.name, splitOutput(output, rows)]));
        batch.forEach((waiting, i) => {
          const outputs = waiting.execution.outputNames.map((name) => pieces.get(name)![i]!);
          const queueNs = Math.round((startedAt - waiting.enqueuedAt) * 1e6);
          this.settle(waiting, { outputs, timings: result.timings, queueNs, batchSize: elements });
        });
        this.finish(batch);
      },
      (error: Error) => this.finish(batch, error),
    );
  }

  private finish(batch: readonly Waiting[], error?: Error): void {
    if (error !== undefined) for (const waiting of batch) this.settle(waiting, error);
    this.running -= batch.length;
    this.notifyDrained();
  }

  /** Resolves or rejects a request, holding it back behind earlier arrivals under preserve_ordering. */
  private settle(waiting: Waiting, outcome: ExecutionResult | Error | ServerError): void {
    const release = (): void => (outcome instanceof Error ? waiting.reject(outcome) : waiting.resolve(outcome));
    if (!this.settings.preserveOrdering) {
      release();
      return;
    }
    this.held.set(waiting.sequence, release);
    for (let next = this.held.get(this.nextToRelease); next !== undefined; next = this.held.get(this.nextToRelease)) {
      this.held.delete(this.nextToRelease++);
      next();
    }
  }

  /** The variable-dimension shapes of the inputs that must match within a batch ('' when none vary). */
  private shapeKey(execution: Execution): string {
    const names = this.settings.shapeKeyInputs;
    if (names.length === 0) return '';
    let key = '';
    for (const name of names) {
      const tensor = execution.inputs.find((t) => t.name === name);
      key += `${name}:${tensor?.shape.slice(1).join('x') ?? ''};`;
    }
    return key;
  }

  private notifyDrained(): void {
    if (this.inflight !== 0 || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
