/**
 * Messages between the main thread and an instance worker: a small discriminated union in each direction. Tensor
 * bytes travel in transfer lists, never by structured clone of large arrays.
 */
import type { ModelMetadata } from '../config/model-metadata.ts';
import type { Datatype } from '../protocol/datatypes.ts';

/** A tensor as the model sees it: model-side shape, raw little-endian bytes (BYTES framed with u32 lengths). */
export interface WireTensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** ONNX Runtime session options as a structured-cloneable object (onnxruntime-common SessionOptions). */
export type SessionOptionsData = Record<string, unknown>;

export type ToWorker =
  | { readonly type: 'load'; readonly modelPath: string; readonly sessionOptions: SessionOptionsData; readonly runOptions?: SessionOptionsData }
  | { readonly type: 'run'; readonly id: number; readonly inputs: readonly WireTensor[]; readonly outputNames: readonly string[] }
  /** End the thread once the operation in progress (a load or a run) has returned. */
  | { readonly type: 'exit' };

/** Where one execution spent its time, measured inside the worker (nanoseconds). */
export interface RunTimings {
  /** Wall-clock start and end of the execution in the worker (ms since the epoch, sub-ms precision). */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
}

export type FromWorker =
  | { readonly type: 'loaded'; readonly metadata: ModelMetadata }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly WireTensor[]; readonly timings: RunTimings }
  | { readonly type: 'run-failed'; readonly id: number; readonly message: string };
