/**
 * The inputs of one execution laid out in a single fresh buffer: each tensor 8-byte aligned (so the worker can view
 * it as its element type without another copy), made of one or more parts (a batch concatenates its requests' inputs
 * here). Only this buffer is transferred to the worker; the callers' bytes, often views into a larger received body,
 * are never detached.
 */
import type { Datatype } from './datatypes.ts';
import type { WireTensor } from './wire-tensor.ts';

export interface InputParts {
  readonly name: string;
  readonly datatype: Datatype;
  /** The tensor's model-side shape (for a batch: the concatenated shape). */
  readonly shape: readonly number[];
  /** Byte runs written back to back (one per request in a batch). */
  readonly parts: readonly Uint8Array[];
}

/**
 * An execution's inputs as an instance takes them. With `buffer`, the tensors view that one buffer, which the instance
 * may transfer (detach). Without it (see `inputsInPlace`), the tensors view the callers' bytes: the instance copies
 * them (into its worker's ring slot, or with `transferable` when they must cross as a message) and never detaches them.
 */
export interface PackedInputs {
  readonly tensors: readonly WireTensor[];
  readonly buffer?: ArrayBuffer;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * One request's tensors handed over as they are: the instance copies them once, straight into its worker's ring slot
 * when they fit, so a request that runs alone costs no intermediate buffer.
 */
export function inputsInPlace(tensors: readonly WireTensor[]): PackedInputs {
  return { tensors };
}

/** The inputs with a buffer of their own that may be transferred (packed now when they had none). */
export function transferable(inputs: PackedInputs): { readonly tensors: readonly WireTensor[]; readonly buffer: ArrayBuffer } {
  if (inputs.buffer !== undefined) return { tensors: inputs.tensors, buffer: inputs.buffer };
  return packInputs(inputs.tensors.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape, parts: [t.data] })));
}

/** Copies every part once into one new buffer and returns tensors viewing it. */
export function packInputs(inputs: readonly InputParts[]): PackedInputs & { readonly buffer: ArrayBuffer } {
  let total = 0;
  for (const input of inputs) {
    total = align8(total);
    for (const part of input.parts) total += part.byteLength;
  }
  const buffer = new ArrayBuffer(total);
  const bytes = new Uint8Array(buffer);
  const tensors: WireTensor[] = [];
  let offset = 0;
  for (const input of inputs) {
    offset = align8(offset);
    const start = offset;
    for (const part of input.parts) {
      bytes.set(part, offset);
      offset += part.byteLength;
    }
    tensors.push({ name: input.name, datatype: input.datatype, shape: input.shape, data: new Uint8Array(buffer, start, offset - start) });
  }
  return { tensors, buffer };
}
