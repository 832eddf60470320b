/**
 * BYTES tensors on the wire: each element is a 4-byte little-endian length followed by its bytes (the binary tensor
 * extension's and gRPC raw contents' layout). Strings are UTF-8.
 */
import type { BytesElements } from './datatypes.ts';

const encoder = new TextEncoder();

/** The wire bytes of BYTES elements. */
export function encodeBytesTensor(elements: BytesElements): Uint8Array {
  const parts = elements.map((e) => (typeof e === 'string' ? encoder.encode(e) : e));
  let total = 0;
  for (const p of parts) total += 4 + p.byteLength;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.byteLength, true);
    out.set(p, at + 4);
    at += 4 + p.byteLength;
  }
  return out;
}

/** The elements of BYTES wire bytes, as views into them (no copies). */
export function decodeBytesTensor(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.byteLength;) {
    if (at + 4 > bytes.byteLength) throw new RangeError('BYTES tensor: truncated element length');
    const length = view.getUint32(at, true);
    if (at + 4 + length > bytes.byteLength) throw new RangeError('BYTES tensor: element runs past the end of the data');
    out.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return out;
}
