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
  /**
   * Runs one execution (see PackedInputs); the slot must be available or able to stage it. `states` (a model with
   * implicit state): one entry per row of the batch (the sequence batcher's requests are one row each), in order,
   * naming whose state the instance feeds in.
   */
  run(inputs: PackedInputs, outputNames: readonly string[], states?: readonly StateRow[]): Promise<RunResult>;
  /**
   * Lets go of the implicit state the instance holds for these sequence keys (a sequence released without END);
   * resolves with how many sequences' state it still holds (an empty list only asks).
   */
  releaseStates(keys: readonly number[]): Promise<number>;
  /** Calls `listener` whenever the slot can take another execution (now, or staged). */
  addAvailabilityListener(listener: () => void): void;
  removeAvailabilityListener(listener: () => void): void;
}

/**
 * One row of an execution of a model with implicit state. The instance keeps each sequence's state where
 * the model runs (its worker) under `key`; the flags say what to feed in and what to keep:
 * - STATE_START: feed the initial state (the sequence starts, or starts again);
 * - STATE_END: feed the kept state, then let it go (the sequence ends);
 * - STATE_NOT_READY: a padding row of no sequence (Triton's not-ready slot): initial state in, nothing kept.
 * Without START or NOT_READY the state kept for `key` is fed in and replaced by the state output.
 */
export interface StateRow {
  readonly key: number;
  readonly flags: number;
}

export const STATE_START = 1;
export const STATE_END = 2;
export const STATE_NOT_READY = 4;
