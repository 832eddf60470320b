/**
 * How a shadow copy's outputs differ from the primary's, per output: the largest and the mean absolute element-wise
 * difference, and for classifier outputs (those with a label_filename) the share of batch rows whose argmax agrees.
 * BYTES and BOOL elements differ by 1 when unequal, 0 when equal. Outputs whose shape or datatype differ cannot be
 * compared and count as disagreeing.
 */
import { byteSizeOf, type Datatype } from '../protocol/datatypes.ts';
import type { OutputTensor } from '../protocol/inference.ts';

export interface OutputComparison {
  readonly output: string;
  /** False when the shapes or datatypes differ (the numbers below are then 0 and meaningless). */
  readonly comparable: boolean;
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
  /** Classifier outputs only: the share of rows whose argmax is the same, 0 to 1. */
  readonly argmaxAgreement?: number;
}

/** Compares every output the primary answered with the shadow's output of the same name. */
export function compareOutputs(
  primary: readonly OutputTensor[],
  shadow: readonly OutputTensor[],
  classifierOutputs: ReadonlySet<string>,
  batched: boolean,
): OutputComparison[] {
  return primary.map((p) => {
    const s = shadow.find((o) => o.name === p.name);
    if (s === undefined || s.datatype !== p.datatype || s.shape.length !== p.shape.length || s.shape.some((d, i) => d !== p.shape[i])) {
      return { output: p.name, comparable: false, maxAbsDiff: 0, meanAbsDiff: 0 };
    }
    return compareTensor(p, s, classifierOutputs.has(p.name), batched);
  });
}

/** Whether a comparison agrees within `tolerance` (and on every classifier row's argmax). */
export function agrees(comparisons: readonly OutputComparison[], tolerance: number): boolean {
  return comparisons.every((c) => c.comparable && c.maxAbsDiff <= tolerance && (c.argmaxAgreement === undefined || c.argmaxAgreement === 1));
}

function compareTensor(p: OutputTensor, s: OutputTensor, classifier: boolean, batched: boolean): OutputComparison {
  if (p.datatype === 'BYTES') {
    const equal = Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength).equals(s.data);
    return { output: p.name, comparable: true, maxAbsDiff: equal ? 0 : 1, meanAbsDiff: equal ? 0 : 1 };
  }
  const a = numbers(p.datatype, p.data);
  const b = numbers(s.datatype, s.data);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    // NaN on both sides agrees; NaN on one side is the largest difference there is.
    const diff = Number.isNaN(d) ? (Number.isNaN(a[i]!) && Number.isNaN(b[i]!) ? 0 : Infinity) : d;
    if (diff > max) max = diff;
    sum += diff;
  }
  const comparison = { output: p.name, comparable: true, maxAbsDiff: max, meanAbsDiff: a.length === 0 ? 0 : sum / a.length };
  if (!classifier) return comparison;
  const rows = batched && p.shape.length > 1 ? p.shape[0]! : 1;
  const perRow = rows === 0 ? 0 : a.length / rows;
  let same = 0;
  for (let row = 0; row < rows; row++) if (argmax(a, row * perRow, perRow) === argmax(b, row * perRow, perRow)) same++;
  return { ...comparison, argmaxAgreement: rows === 0 ? 1 : same / rows };
}

function argmax(values: ArrayLike<number>, offset: number, count: number): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
}

/** The elements of a numeric tensor as numbers (64-bit integers lose precision past 2^53, which is fine for a difference). */
function numbers(datatype: Datatype, data: Uint8Array): ArrayLike<number> {
  const count = data.byteLength / byteSizeOf(datatype);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Float64Array(count);
  const read = READERS[datatype as Exclude<Datatype, 'BYTES'>];
  for (let i = 0; i < count; i++) out[i] = read(view, i);
  return out;
}

type Read = (view: DataView, i: number) => number;

const READERS: Record<Exclude<Datatype, 'BYTES'>, Read> = {
  BOOL: (v, i) => v.getUint8(i) === 0 ? 0 : 1,
  UINT8: (v, i) => v.getUint8(i),
  UINT16: (v, i) => v.getUint16(2 * i, true),
  UINT32: (v, i) => v.getUint32(4 * i, true),
  UINT64: (v, i) => Number(v.getBigUint64(8 * i, true)),
  INT8: (v, i) => v.getInt8(i),
  INT16: (v, i) => v.getInt16(2 * i, true),
  INT32: (v, i) => v.getInt32(4 * i, true),
  INT64: (v, i) => Number(v.getBigInt64(8 * i, true)),
  FP16: (v, i) => halfToNumber(v.getUint16(2 * i, true)),
  BF16: (v, i) => new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0]!,
  FP32: (v, i) => v.getFloat32(4 * i, true),
  FP64: (v, i) => v.getFloat64(8 * i, true),
};

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
