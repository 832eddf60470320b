/**
 * What the core asks of a scheduler: take one request's execution, run it on an instance when one is free (alone or
 * batched with others), and say how much is in flight. Defined here, where it is used; the direct scheduler and the
 * dynamic batcher (scheduler/) implement it.
 */
import type { ClientGoneSignal } from '../protocol/cancellation.ts';
import type { ExecutionResult } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';

/** A request's sequence parameters (sequence_id, sequence_start, sequence_end), for the sequence batcher. */
export interface SequenceFlags {
  /**
   * The correlation ID as its map key: `n<digits>` for an integer, `s<text>` for a string; '' when absent, 0 or empty
   * (Triton's "no correlation ID").
   */
  readonly key: string;
  /** The ID as Triton's messages print it. */
  readonly label: string;
  readonly start: boolean;
  readonly end: boolean;
}

/** One request's execution, as the core hands it to the version's scheduler. */
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
  /** The request's id ('' when it has none), which Triton's queue-full error quotes. */
  readonly requestId: string;
  /** The request's sequence parameters; only the sequence batcher reads them. */
  readonly sequence?: SequenceFlags;
  /** Aborted when the client has gone: a queued execution is then dropped. */
  readonly signal?: ClientGoneSignal;
}

/** Runs a version's executions on its instances (Triton's three-method scheduler). */
export interface Scheduler {
  /**
   * Queues `execution`. Throws (synchronously) when the request is refused before it is queued (a full queue): such a
   * request is counted nowhere, as in Triton. Every later failure rejects the promise.
   */
  enqueue(execution: Execution): Promise<ExecutionResult>;
  /** Requests queued or running. */
  readonly inflight: number;
  /** Requests waiting in the queue (Triton's pending request count). */
  readonly pending: number;
  /** Resolves once nothing is queued or running. */
  drained(): Promise<void>;
}
