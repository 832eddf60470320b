/**
 * BYTES tensor framing: each element is a u32 little-endian byte length followed by that many bytes, elements back to
 * back with no padding. This is the layout of binary HTTP tensors and gRPC raw contents, and the one the server keeps
 * internally, so requests pass through as views.
 */
import { invalidArg } from './errors.ts';

/** Bytes of the length prefix in front of every element. */
export const BYTES_LENGTH_PREFIX = 4;

/**
 * What is wrong with a framed buffer when compared with an expected element count (see `checkBytesFraming`). The
 * kinds follow the checks Triton's core makes, in the same order, so callers can word each one as Triton does.
 */
export type BytesFramingIssue =
  /** A length prefix was needed but fewer than 4 bytes were left. */
  | { readonly kind: 'short-prefix'; readonly available: number }
  /** A prefix announced `length` bytes but only `available` were left. */
  | { readonly kind: 'short-data'; readonly length: number; readonly available: number }
  /** More elements than expected; `count` is the 1-based index of the first surplus element. */
  | { readonly kind: 'too-many'; readonly count: number }
  /** The buffer ended after `count` elements, fewer than expected. */
  | { readonly kind: 'too-few'; readonly count: number };

/**
 * Walks the framing of `data` and compares it with `expected` elements, stopping at the first problem. Returns
 * undefined when the buffer holds exactly `expected` well-formed elements. Reads only the prefixes (no copies).
 */
export function checkBytesFraming(data: Uint8Array, expected: number): BytesFramingIssue | undefined {
  const end = data.byteLength;
  let offset = 0;
  let count = 0;
  while (offset < end) {
    const available = end - offset;
    if (available < BYTES_LENGTH_PREFIX) return { kind: 'short-prefix', available };
    count++;
    if (count > expected) return { kind: 'too-many', count };
    const length = readU32(data, offset);
    offset += BYTES_LENGTH_PREFIX;
    if (length > end - offset) return { kind: 'short-data', length, available: end - offset };
    offset += length;
  }
  return count === expected ? undefined : { kind: 'too-few', count };
}

/** Number of elements in a framed buffer; throws INVALID_ARG when the framing is malformed. */
export function countBytesElements(data: Uint8Array): number {
  const end = data.byteLength;
  let offset = 0;
  let count = 0;
  while (offset < end) {
    offset = nextElementEnd(data, offset, count);
    count++;
  }
  return count;
}

/** Splits a framed buffer into its elements: views into `data`, no copies. Throws INVALID_ARG on malformed framing. */
export function decodeBytesElements(data: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  const end = data.byteLength;
  let offset = 0;
  while (offset < end) {
    const next = nextElementEnd(data, offset, items.length);
    items.push(data.subarray(offset + BYTES_LENGTH_PREFIX, next));
    offset = next;
  }
  return items;
}

const encoder = new TextEncoder();
// Not fatal: ONNX Runtime string tensors are arbitrary bytes; invalid UTF-8 becomes U+FFFD rather than failing.
const decoder = new TextDecoder('utf-8');

/** Frames elements (raw bytes, or strings as UTF-8) into one buffer. */
export function encodeBytesElements(items: readonly (Uint8Array | string)[]): Uint8Array {
  const parts: Uint8Array[] = new Array<Uint8Array>(items.length);
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const bytes = typeof item === 'string' ? encoder.encode(item) : item;
    parts[i] = bytes;
    total += BYTES_LENGTH_PREFIX + bytes.byteLength;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const bytes of parts) {
    view.setUint32(offset, bytes.byteLength, true);
    out.set(bytes, offset + BYTES_LENGTH_PREFIX);
    offset += BYTES_LENGTH_PREFIX + bytes.byteLength;
  }
  return out;
}

/** Decodes every element as UTF-8 (what ONNX Runtime string tensors take). Throws INVALID_ARG on malformed framing. */
export function bytesElementsToStrings(data: Uint8Array): string[] {
  return decodeBytesElements(data).map((item) => decoder.decode(item));
}

/** Frames strings as UTF-8 elements (ONNX Runtime string outputs to the wire form). */
export function stringsToBytesElements(strings: readonly string[]): Uint8Array {
  return encodeBytesElements(strings);
}

/** Offset just past the element starting at `offset`; throws on a truncated prefix or body. */
function nextElementEnd(data: Uint8Array, offset: number, index: number): number {
  const available = data.byteLength - offset;
  if (available < BYTES_LENGTH_PREFIX) {
    throw invalidArg(
      `malformed BYTES data: element ${index} needs a ${BYTES_LENGTH_PREFIX}-byte length prefix but only ` +
        `${available} bytes remain`,
    );
  }
  const length = readU32(data, offset);
  if (length > available - BYTES_LENGTH_PREFIX) {
    throw invalidArg(
      `malformed BYTES data: element ${index} has length ${length} but only ` +
        `${available - BYTES_LENGTH_PREFIX} bytes remain`,
    );
  }
  return offset + BYTES_LENGTH_PREFIX + length;
}

/** u32 little-endian at `offset`, without allocating a DataView per read. */
function readU32(data: Uint8Array, offset: number): number {
  return (data[offset]! | (data[offset + 1]! << 8) | (data[offset + 2]! << 16)) + data[offset + 3]! * 0x1000000;
}
