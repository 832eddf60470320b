/**
 * What the core asks of a scheduler: take an execution, run it on an instance when one is free, and say how much is
 * in flight. The direct scheduler and the dynamic batcher sit behind this interface.
 */
import type { WireTensor } from '../instance/messages.ts';
import type { RunResult } from '../instance/worker-client.ts';

export interface Execution {
  /** Model-side tensors (already reshaped for the model). */
  readonly inputs: readonly WireTensor[];
  readonly outputNames: readonly string[];
  /** Aborted when the client has gone: a queued execution is then dropped. */
  readonly signal?: AbortSignal;
}

export interface Scheduler {
  enqueue(execution: Execution): Promise<RunResult>;
  /** Executions queued or running. */
  readonly inflight: number;
  /** Resolves once nothing is queued or running. */
  drained(): Promise<void>;
}
