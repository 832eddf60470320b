/**
 * An input tensor's data as wire bytes (little-endian elements; BYTES length-prefixed), checked against its datatype
 * and shape so that a mistake is the caller's error here rather than the server's later.
 */
import { encodeBytesTensor } from './bytes-tensor.ts';
import { ARRAY_OF, bytesOf, isNumeric, type BytesElements, type NumericArray } from './datatypes.ts';
import type { InferInput } from './infer-types.ts';

/** The number of elements a shape holds. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The wire bytes of `input.data` (a view for typed arrays, no copy). Throws TypeError on a mismatch. */
export function inputBytes(input: InferInput): Uint8Array {
  const { name, datatype, data } = input;
  if (data === undefined) throw new TypeError(`input '${name}' has no data (and no shared-memory region)`);
  const count = elementCount(input.shape);
  if (datatype === 'BYTES') {
    if (!Array.isArray(data)) throw new TypeError(`input '${name}' is BYTES: give its elements as strings or Uint8Arrays`);
    if (data.length !== count) throw new TypeError(`input '${name}' has ${data.length} elements for shape [${input.shape.join(',')}] (${count})`);
    return encodeBytesTensor(data as BytesElements);
  }
  if (datatype === 'BOOL' && Array.isArray(data)) {
    if (data.length !== count) throw new TypeError(`input '${name}' has ${data.length} elements for shape [${input.shape.join(',')}] (${count})`);
    return Uint8Array.from(data as boolean[], (b) => (b ? 1 : 0));
  }
  if (!isNumeric(datatype)) throw new TypeError(`input '${name}': unknown datatype ${String(datatype)}`);
  const Expected = ARRAY_OF[datatype];
  if (!(data instanceof Expected)) {
    throw new TypeError(`input '${name}' is ${datatype}: give its data as a ${Expected.name}${datatype === 'BOOL' ? ' or boolean[]' : ''}`);
  }
  const array = data as NumericArray;
  if (array.length !== count) throw new TypeError(`input '${name}' has ${array.length} elements for shape [${input.shape.join(',')}] (${count})`);
  return bytesOf(array);
}
