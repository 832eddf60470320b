/**
 * What one model execution yields, as instances report it and schedulers hand it to the core, and what a scheduler
 * needs of an instance (an execution slot). Shared by core, scheduler and instance, so it lives in the leaf vocabulary.
 */
import type { PackedInputs } from './packed-inputs.ts';
import type { WireTensor } from './wire-tensor.ts';

/** Where one execution spent its time, measured inside the worker (nanoseconds). */
export interface RunTimings {
  /** Wall-clock start and end of the execution in the worker (ms since the epoch, sub-ms precision). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
}

/** The outputs and timings of one execution on an instance. */
export interface RunResult {
  readonly outputs: readonly WireTensor[];
  readonly timings: RunTimings;
}

/** One request's share of an execution's result. */
export interface ExecutionResult extends RunResult {
  /** Time spent queued before its batch started, in ns. */
  readonly queueNs: number;
  /** Batch elements in the execution it ran in (its own batch size when it ran alone). */
  readonly batchSize: number;
}

/**
 * What a scheduler needs of a model instance: whether it is free, running one execution on it, and being told when it
 * becomes free again (after a run, or once a replacement worker is up).
 */
export interface ExecutionSlot {
  readonly name: string;
  /** True when the slot can take an execution now (it runs nothing). */
  readonly available: boolean;
  /**
   * True when the slot runs one execution and can take one more, staged: it starts in the worker as soon as the
   * running one ends, without a round trip to the main thread. Only the direct scheduler stages; the dynamic batcher
   * waits for `available`, so that its batches are formed when an instance is really free.
   */
  readonly canStage: boolean;
  /** Runs one execution (see PackedInputs); the slot must be available or able to stage it. */
  run(inputs: PackedInputs, outputNames: readonly string[]): Promise<RunResult>;
  /** Calls `listener` whenever the slot can take another execution (now, or staged). */
  addAvailabilityListener(listener: () => void): void;
  removeAvailabilityListener(listener: () => void): void;
}
