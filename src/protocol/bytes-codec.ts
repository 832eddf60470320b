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

/**
 * Frames elements (raw bytes, or strings as UTF-8) into one buffer that owns its ArrayBuffer exactly (transferable).
 * Strings are measured first and written in place: no per-element allocation.
 */
export function encodeBytesElements(items: readonly (Uint8Array | string)[]): Uint8Array {
  let total = items.length * BYTES_LENGTH_PREFIX;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    total += typeof item === 'string' ? utf8Length(item) : item.byteLength;
  }
  const out = Buffer.allocUnsafeSlow(total);
  let offset = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    let length: number;
    if (typeof item === 'string') length = item.length === 0 ? 0 : out.write(item, offset + BYTES_LENGTH_PREFIX, 'utf8');
    else {
      out.set(item, offset + BYTES_LENGTH_PREFIX);
      length = item.byteLength;
    }
    out.writeUInt32LE(length, offset);
    offset += BYTES_LENGTH_PREFIX + length;
  }
  return new Uint8Array(out.buffer, 0, total);
}

/**
 * Decodes every element as UTF-8 (what ONNX Runtime string tensors take), straight from `data`: one JS string per
 * element and nothing else (empty elements share ''). Invalid UTF-8 becomes U+FFFD rather than failing, as ONNX
 * Runtime string tensors are arbitrary bytes; a leading BOM is kept. Throws INVALID_ARG on malformed framing.
 */
export function bytesElementsToStrings(data: Uint8Array): string[] {
  const strings = new Array<string>(countBytesElements(data));
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (let i = 0; i < strings.length; i++) {
    const length = readU32(data, offset);
    const start = offset + BYTES_LENGTH_PREFIX;
    offset = start + length;
    strings[i] = length === 0 ? '' : buffer.toString('utf8', start, offset);
  }
  return strings;
}

/** Frames strings as UTF-8 elements (ONNX Runtime string outputs to the wire form). */
export function stringsToBytesElements(strings: readonly string[]): Uint8Array {
  return encodeBytesElements(strings);
}

/** UTF-8 byte length of `text` (lone surrogates count as the 3 bytes of U+FFFD, as Buffer#write writes them). */
function utf8Length(text: string): number {
  return text.length === 0 ? 0 : Buffer.byteLength(text, 'utf8');
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
