/**
 * The classification extension: an output requested with a class count k comes back as BYTES strings
 * `"<value>:<index>"` (plus `":<label>"` when the output's label file has a non-empty line for that index), the k
 * largest values of each batch row in descending order, as Triton's front ends build them:
 * - the class indices are ordered with std::sort (std-sort.ts), so ties come out exactly as in Triton;
 * - values are printed as C++ std::to_string prints them: integers in decimal, FP32 and FP64 with printf's "%f"
 *   (six decimals, exact ties rounded to even, "inf", "nan");
 * - a batching model's output is classified per row (shape [batch, min(k, per-row elements)]), any other output as a
 *   whole (shape [min(k, elements)]);
 * - FP16, BF16, BOOL and BYTES outputs are refused with Triton's INVALID_ARG text, as a ResponseError (sent after the
 *   request was counted; tritonserver 2.51 itself crashes on a BYTES one over HTTP).
 */
import { encodeBytesElements } from '../protocol/bytes-codec.ts';
import { byteSizeOf, type Datatype } from '../protocol/datatypes.ts';
import { ResponseError } from '../protocol/errors.ts';
import type { OutputTensor } from '../protocol/inference.ts';
import { stdSort } from './std-sort.ts';

/** Reads element i as a number (a bigint for the 64-bit integers). */
type Reader = (i: number) => number | bigint;

function readerOf(datatype: Datatype, data: Uint8Array): Reader | undefined {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  switch (datatype) {
    case 'UINT8': return (i) => view.getUint8(i);
    case 'UINT16': return (i) => view.getUint16(2 * i, true);
    case 'UINT32': return (i) => view.getUint32(4 * i, true);
    case 'UINT64': return (i) => view.getBigUint64(8 * i, true);
    case 'INT8': return (i) => view.getInt8(i);
    case 'INT16': return (i) => view.getInt16(2 * i, true);
    case 'INT32': return (i) => view.getInt32(4 * i, true);
    case 'INT64': return (i) => view.getBigInt64(8 * i, true);
    case 'FP32': return (i) => view.getFloat32(4 * i, true);
    case 'FP64': return (i) => view.getFloat64(8 * i, true);
    default: return undefined;
  }
}

/** The classification of `output`; `batched`: the model batches (its first dimension is the batch). */
export function classify(output: OutputTensor, classCount: number, batched: boolean, labels: readonly string[] | undefined): OutputTensor {
  const read = readerOf(output.datatype, output.data);
  if (read === undefined) throw new ResponseError('INVALID_ARG', `class result not available for output due to unsupported type '${output.datatype}'`);
  const shape = output.shape;
  const batchSize = batched && shape.length > 0 ? shape[0]! : 0;
  let perRow = 1;
  for (let d = batchSize === 0 ? 0 : 1; d < shape.length; d++) perRow *= shape[d]!;
  const elementSize = byteSizeOf(output.datatype);
  const total = output.data.byteLength / elementSize;
  const isFloat = output.datatype === 'FP32' || output.datatype === 'FP64';
  const strings: string[] = [];
  for (let row = 0; row < Math.max(1, batchSize); row++) {
    const offset = row * perRow;
    // Triton classifies a row that would run past the data as empty.
    const count = offset + perRow > total ? 0 : perRow;
    const values = Array.from({ length: count }, (_, i) => read(offset + i));
    const order = Array.from({ length: count }, (_, i) => i);
    stdSort(order, (a, b) => values[a]! > values[b]!);
    for (let k = 0; k < Math.min(count, classCount); k++) {
      const index = order[k]!;
      const value = values[index]!;
      const text = isFloat ? printfFixed(value as number, nanIsNegative(output, offset + index)) : String(value);
      const label = labels?.[index];
      strings.push(label === undefined || label === '' ? `${text}:${index}` : `${text}:${index}:${label}`);
    }
  }
  const classes = Math.min(classCount, perRow);
  return {
    name: output.name,
    datatype: 'BYTES',
    shape: batchSize > 0 ? [batchSize, classes] : [classes],
    data: encodeBytesElements(strings),
  };
}

function nanIsNegative(output: OutputTensor, i: number): boolean {
  const size = byteSizeOf(output.datatype);
  return (output.data[i * size + size - 1]! & 0x80) !== 0;
}

/** printf("%f", x) for a double, exactly: six decimals, an exact tie rounded to even, as glibc does. */
export function printfFixed(x: number, negativeNaN = false): string {
  if (Number.isNaN(x)) return negativeNaN ? '-nan' : 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const { mantissa, exponent } = decompose(Math.abs(x));
  let millionths: bigint;
  if (exponent >= 0) {
    millionths = (mantissa << BigInt(exponent)) * 1_000_000n;
  } else {
    const scaled = mantissa * 1_000_000n;
    const divisor = 1n << BigInt(-exponent);
    millionths = scaled / divisor;
    const twice = 2n * (scaled % divisor);
    if (twice > divisor || (twice === divisor && millionths % 2n === 1n)) millionths += 1n;
  }
  const whole = millionths / 1_000_000n;
  const fraction = (millionths % 1_000_000n).toString().padStart(6, '0');
  return `${sign}${whole}.${fraction}`;
}

/** A finite non-negative double as mantissa · 2^exponent, exactly. */
function decompose(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const bits = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  return bits === 0 ? { mantissa: fraction, exponent: -1074 } : { mantissa: fraction | (1n << 52n), exponent: bits - 1075 };
}
