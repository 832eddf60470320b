/**
 * Messages between the main thread and an instance worker: a small discriminated union in each direction. Tensor
 * bytes travel in transfer lists, never by structured clone of large arrays.
 */
import type { ModelMetadata } from '../config/model-metadata.ts';
import type { RunTimings } from '../protocol/execution.ts';
import type { WireTensor } from '../protocol/wire-tensor.ts';

/** ONNX Runtime session options as a structured-cloneable object (onnxruntime-common SessionOptions). */
export type SessionOptionsData = Record<string, unknown>;

export type ToWorker =
  | { readonly type: 'load'; readonly modelPath: string; readonly sessionOptions: SessionOptionsData; readonly runOptions?: SessionOptionsData }
  | { readonly type: 'run'; readonly id: number; readonly inputs: readonly WireTensor[]; readonly outputNames: readonly string[] }
  /** End the thread once the operation in progress (a load or a run) has returned. */
  | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'loaded'; readonly metadata: ModelMetadata }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly outputs: readonly WireTensor[]; readonly timings: RunTimings }
  | { readonly type: 'run-failed'; readonly id: number; readonly message: string };
