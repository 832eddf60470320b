/**
 * Shapes whose element count or byte size does not fit Triton's int64: refused with 400 rather than left to overflow
 * (Triton server PR #8182, 2025: L0_http test_buffer_size_overflow expects `causes total element count to exceed
 * maximum size of` and `byte size overflow for input`). Dimensions past 2^53 arrive here already rounded to doubles,
 * which only matters for shapes far beyond any real tensor; the arithmetic itself is exact (BigInt past 2^53).
 */
import { invalidArg, type ServerError } from './errors.ts';

const INT64_MAX = (1n << 63n) - 1n;

/**
 * True when the product of the (non-negative) dims exceeds INT64_MAX; wildcard, negative or non-integer dims (NaN, 1.5,
 * Infinity: refused by the validator with its own text) never overflow.
 */
export function elementCountOverflows(shape: readonly number[]): boolean {
  let product = 1;
  for (const d of shape) {
    if (d < 0 || !Number.isInteger(d)) return false; // the validator refuses non-integer dims itself
    product *= d;
  }
  if (product <= Number.MAX_SAFE_INTEGER) return false;
  let exact = 1n;
  for (const d of shape) exact *= BigInt(d);
  return exact > INT64_MAX;
}

/** True when `elements` × `elementByteSize` exceeds INT64_MAX (the element count itself fits). */
export function byteSizeOverflows(shape: readonly number[], elementByteSize: number): boolean {
  let product = elementByteSize;
  for (const d of shape) {
    if (d < 0 || !Number.isInteger(d)) return false; // the validator refuses non-integer dims itself
    product *= d;
  }
  if (product <= Number.MAX_SAFE_INTEGER) return false;
  let exact = BigInt(elementByteSize);
  for (const d of shape) exact *= BigInt(d);
  return exact > INT64_MAX;
}

export function elementCountTooLarge(input: string): ServerError {
  return invalidArg(`The shape of input '${input}' causes total element count to exceed maximum size of ${INT64_MAX}`);
}

export function byteSizeOverflow(input: string): ServerError {
  return invalidArg(`byte size overflow for input '${input}'`);
}
