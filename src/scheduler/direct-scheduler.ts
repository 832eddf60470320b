/**
 * Triton's default scheduler: every request executes on its own on the next free instance; while all instances are
 * busy, requests wait in arrival order. Requests whose client has gone are dropped from the queue.
 */
import type { ModelPlan } from '../core/model-plan.ts';
import type { Execution, Scheduler } from '../core/scheduler-port.ts';
import type { ExecutionResult, ExecutionSlot } from '../protocol/execution.ts';
import { packInputs } from '../protocol/packed-inputs.ts';
import { publishExecution } from './execution-events.ts';
import { Fifo } from './fifo.ts';
import { cancelledError } from './queue-errors.ts';

interface Queued {
  readonly execution: Execution;
  readonly enqueuedAt: number;
  resolve(result: ExecutionResult): void;
  reject(error: Error): void;
}

/** Runs each request alone on the first free instance, in arrival order. */
export class DirectScheduler implements Scheduler {
  private readonly queue = new Fifo<Queued>();
  private running = 0;
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
    return this.queue.length;
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
      const instance = this.instances.find((i) => i.available);
      if (instance === undefined) return;
      const item = this.queue.shift()!;
      if (item.execution.signal?.aborted) {
        item.reject(cancelledError());
        continue;
      }
      this.running++;
      void this.run(instance, item);
    }
    this.notifyDrained();
  }

  private async run(instance: ExecutionSlot, item: Queued): Promise<void> {
    const { execution } = item;
    const queueNs = Math.round((performance.now() - item.enqueuedAt) * 1e6);
    const batchSize = Math.max(1, execution.batchSize);
    try {
      const packed = packInputs(execution.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parts: [t.data] })));
      const result = await instance.run(packed, execution.outputNames);
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
