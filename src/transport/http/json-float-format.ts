/**
 * FP32/FP64 output `data` written as Triton writes it: rapidjson's Writer::Double, the float widened to double first.
 * Digits come from Grisu2 (grisu2.ts; sometimes a different last digit than JavaScript's printer), laid out as
 * rapidjson's Prettify does: an integral value keeps a fraction (`1.0`, `100000000000000000000.0`), exponent notation
 * from 1e21 up and below 1e-6 without a plus sign (`1e21`, `1.5e-7`), negative zero as `-0.0`.
 * NaN and ±Infinity stay `NaN`/`Infinity`/`-Infinity` (see json-tensor-data.ts; rapidjson would stop writing).
 * Found by the differential tests against tritonserver 2.51 (test/differential/).
 */
import { grisu2 } from './grisu2.ts';

/** One double as rapidjson writes it. */
export function rapidJsonDouble(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  if (!Number.isFinite(value)) return String(value);
  // A safe integer's Grisu2 digits are its own (its neighbours are integers too): checked over millions of values.
  if (Number.isSafeInteger(value)) return `${value}.0`;
  const sign = value < 0 ? '-' : '';
  const { digits, k } = grisu2(Math.abs(value));
  const text = digits.join('');
  const length = digits.length;
  const kk = length + k; // 10^(kk-1) <= value < 10^kk
  if (k >= 0 && kk <= 21) return `${sign}${text}${'0'.repeat(k)}.0`;
  if (kk > 0 && kk <= 21) return `${sign}${text.slice(0, kk)}.${text.slice(kk)}`;
  if (kk > -6 && kk <= 0) return `${sign}0.${'0'.repeat(-kk)}${text}`;
  const mantissa = length === 1 ? text : `${text[0]}.${text.slice(1)}`;
  return `${sign}${mantissa}e${kk - 1}`;
}

/**
 * The JSON array text of `count` FP32 or FP64 elements in `data` (little-endian), or undefined when the datatype is
 * another one or the bytes do not fit the count (the caller's general path then answers, with its errors).
 */
export function rapidJsonFloatArray(datatype: string, data: Uint8Array, count: number): string | undefined {
  const size = datatype === 'FP32' ? 4 : datatype === 'FP64' ? 8 : 0;
  if (size === 0 || data.byteLength !== count * size) return undefined;
  if (count === 0) return '[]';
  // Typed views need an aligned offset; a misaligned output is copied once.
  const aligned = data.byteOffset % size === 0 ? data : data.slice();
  const view =
    size === 4
      ? new Float32Array(aligned.buffer, aligned.byteOffset, count)
      : new Float64Array(aligned.buffer, aligned.byteOffset, count);
  const parts = new Array<string>(count);
  for (let i = 0; i < count; i++) parts[i] = rapidJsonDouble(view[i]!);
  return `[${parts.join(',')}]`;
}
