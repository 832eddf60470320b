/**
 * Triton's default scheduler: every request executes on its own on the next free instance; while all instances are
 * busy, requests wait in arrival order. Requests whose client has gone are dropped from the queue.
 */
import type { ModelInstance } from '../instance/model-instance.ts';
import type { RunResult } from '../instance/worker-client.ts';
import { ServerError } from '../protocol/errors.ts';
import { Fifo } from './fifo.ts';
import type { Execution, Scheduler } from './scheduler.ts';

interface Queued {
  readonly execution: Execution;
  resolve(result: RunResult): void;
  reject(error: Error): void;
}

export class DirectScheduler implements Scheduler {
  private readonly queue = new Fifo<Queued>();
  private running = 0;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly instances: readonly ModelInstance[]) {
    for (const instance of instances) instance.onAvailable = () => this.dispatch();
  }

  get inflight(): number {
    return this.queue.length + this.running;
  }

  enqueue(execution: Execution): Promise<RunResult> {
    if (execution.signal?.aborted) return Promise.reject(cancelled());
    return new Promise<RunResult>((resolve, reject) => {
      this.queue.push({ execution, resolve, reject });
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
        item.reject(cancelled());
        continue;
      }
      this.running++;
      instance
        .run(item.execution.inputs, item.execution.outputNames)
        .then(item.resolve, item.reject)
        .finally(() => {
          this.running--;
          this.notifyDrained();
        });
    }
    this.notifyDrained();
  }

  private notifyDrained(): void {
    if (this.inflight !== 0 || this.drainWaiters.length === 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function cancelled(): ServerError {
  return new ServerError('CANCELLED', 'request cancelled by the client');
}
