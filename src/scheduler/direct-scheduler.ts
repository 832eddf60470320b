/**
 * Triton's default scheduler: every request executes on its own on the next free instance; while all instances are
 * busy, requests wait in arrival order. Requests whose client has gone are dropped from the queue.
 *
 * To keep instances busy, a request is also handed to an instance that runs one execution and has nothing staged
 * behind it: the worker starts it as soon as the running one ends, without a round trip to the main thread. An idle
 * instance is always preferred. A staged request has left the queue: if its client goes away it still runs (as in
 * Triton, where what the backend has been handed runs). It still counts as pending (not yet executing) until the
 * execution ahead of it has ended, and its queue time runs until it really starts in the worker.
 */
import type { ModelPlan } from '../core/model-plan.ts';
import type { Execution, Scheduler } from '../core/scheduler-port.ts';
import type { ExecutionResult, ExecutionSlot } from '../protocol/execution.ts';
import { inputsInPlace } from '../protocol/packed-inputs.ts';
import { publishExecution } from './execution-events.ts';
import { Fifo } from './fifo.ts';
import { cancelledError } from './queue-errors.ts';

const ignore = (): void => {};

interface Queued {
  readonly execution: Execution;
  readonly enqueuedAt: number;
  resolve(result: ExecutionResult): void;
  reject(error: Error): void;
}

/** Runs each request alone on the first free instance (or staged behind a running one), in arrival order. */
export class DirectScheduler implements Scheduler {
  private readonly queue = new Fifo<Queued>();
  private running = 0;
  /** Staged executions whose predecessor on their instance has not ended yet (still pending, as Triton counts). */
  private staged = 0;
  /** When the last execution handed to each instance ends (never its result, which would stay referenced here). */
  private readonly latest = new Map<ExecutionSlot, Promise<void>>();
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly plan: ModelPlan,
    private readonly instances: readonly ExecutionSlot[],
  ) {
    const dispatch = (): void => this.dispatch();
    for (const instance of instances) instance.addAvailabilityListener(dispatch);
  }

  get inflight(): number {
    return this.queue.length + this.running;
  }

  get pending(): number {
    return this.queue.length + this.staged;
  }

  enqueue(execution: Execution): Promise<ExecutionResult> {
    if (execution.signal?.aborted) return Promise.reject(cancelledError());
    return new Promise<ExecutionResult>((resolve, reject) => {
      this.queue.push({ execution, enqueuedAt: performance.now(), resolve, reject });
      this.dispatch();
    });
  }

  drained(): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const instance = this.instances.find((i) => i.available) ?? this.instances.find((i) => i.canStage);
      if (instance === undefined) return;
      const item = this.queue.shift()!;
      if (item.execution.signal?.aborted) {
        item.reject(cancelledError());
        continue;
      }
      this.running++;
      void this.run(instance, item, !instance.available);
    }
    this.notifyDrained();
  }

  private async run(instance: ExecutionSlot, item: Queued, staged: boolean): Promise<void> {
    const { execution } = item;
    const dispatchedAt = performance.now();
    const batchSize = Math.max(1, execution.batchSize);
    try {
      const running = instance.run(inputsInPlace(execution.inputs), execution.outputNames);
      const ahead = staged ? this.latest.get(instance) : undefined;
      this.latest.set(instance, running.then(ignore, ignore));
      if (ahead !== undefined) {
        this.staged++;
        void ahead.then(() => {
          this.staged--;
        });
      }
      const result = await running;
      // A staged execution waited in the worker's ring too: until the worker started it (its clock, as epoch ms).
      const startedAt = staged ? Math.max(dispatchedAt, result.timings.startedAtMs - performance.timeOrigin) : dispatchedAt;
      const queueNs = Math.round((startedAt - item.enqueuedAt) * 1e6);
      publishExecution(this.plan, batchSize, 1, result.timings);
      item.resolve({ outputs: result.outputs, timings: result.timings, queueNs, batchSize });
    } catch (error) {
      item.reject(error as Error);
    } finally {
      this.running--;
      this.notifyDrained();
    }
  }

  private notifyDrained(): void {
    if (this.inflight !== 0 || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
