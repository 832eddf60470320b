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
  /** True when the slot can take an execution now. */
  readonly available: boolean;
  /** Runs one execution (inputs packed by packInputs); the slot must be available. */
  run(inputs: PackedInputs, outputNames: readonly string[]): Promise<RunResult>;
  /** Calls `listener` whenever the slot can take another execution. */
  addAvailabilityListener(listener: () => void): void;
  removeAvailabilityListener(listener: () => void): void;
}
