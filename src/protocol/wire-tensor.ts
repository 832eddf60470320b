/** The tensor form shared by the core, the schedulers and the instance workers. */
import type { Datatype } from './datatypes.ts';

/** A tensor as the model sees it: model-side shape, raw little-endian bytes (BYTES framed with u32 lengths). */
export interface WireTensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}
