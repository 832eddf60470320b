/**
 * Types shared by the HTTP infer codec: how response outputs are to be written, what a raw binary request needs to
 * know about the model, and what the request decoder returns. Kept apart so the decoder and its helpers can share them
 * without importing each other.
 */
import type { Datatype } from '../../protocol/datatypes.ts';
import type { InferRequest } from '../../protocol/inference.ts';

/** How each response output is to be written. */
export interface OutputFormat {
  /** Output name → binary? for outputs listed in the request `outputs` (binary_data param; default false = JSON). */
  readonly listed: ReadonlyMap<string, boolean>;
  /** binary_data_output: the default for outputs NOT listed (T6). */
  readonly defaultBinary: boolean;
}

/** What the decoder needs to know about the model for a raw binary request (header value 0). */
export interface RawInputSpec {
  readonly name: string;
  readonly datatype: Datatype;
  /** Full shape including the -1 batch dimension when `batched`; -1 also marks variable-size dimensions. */
  readonly shape: readonly number[];
  /** True when the model batches (max_batch_size > 0): `shape[0]` is then the batch dimension, which becomes 1. */
  readonly batched: boolean;
}

export interface DecodedInferRequest {
  readonly request: InferRequest;
  readonly format: OutputFormat;
}
