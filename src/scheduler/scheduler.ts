/**
 * What the core asks of a scheduler: take one request's execution, run it on an instance when one is free (alone or
 * batched with others), and say how much is in flight. The direct scheduler and the dynamic batcher sit behind it.
 */
import type { WireTensor } from '../instance/messages.ts';
import type { RunResult } from '../instance/worker-client.ts';

export interface Execution {
  /** Model-side tensors of one request (already reshaped for the model). */
  readonly inputs: readonly WireTensor[];
  readonly outputNames: readonly string[];
  /** The request's batch dimension (0 for models that do not batch). */
  readonly batchSize: number;
  /** The request's `priority` parameter (0 = the default level). */
  readonly priority: number;
  /** The request's `timeout` parameter in µs (0 = none). */
  readonly timeoutUs: number;
  /** Aborted when the client has gone: a queued execution is then dropped. */
  readonly signal?: AbortSignal;
}

/** One request's share of an execution's result. */
export interface ExecutionResult extends RunResult {
  /** Time spent queued before its batch started, in ns. */
  readonly queueNs: number;
  /** Batch elements in the execution it ran in (its own batch size when it ran alone). */
  readonly batchSize: number;
}

export interface Scheduler {
  enqueue(execution: Execution): Promise<ExecutionResult>;
  /** Requests queued or running. */
  readonly inflight: number;
  /** Requests waiting in the queue (Triton's pending request count). */
  readonly pending: number;
  /** Resolves once nothing is queued or running. */
  drained(): Promise<void>;
}
