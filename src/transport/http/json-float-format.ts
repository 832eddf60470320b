/**
 * FP32/FP64 output `data` written as Triton writes it: rapidjson's Writer::Double (Grisu2 digits, then Prettify), the
 * float widened to double first. Against JavaScript's Number#toString the digits are the same shortest round-trip
 * ones, and the thresholds for exponent notation are the same (1e21 and 1e-7); the text differs in three ways:
 *   - an integral value keeps a fraction: `1.0`, `100000000000000000000.0` (JS: `1`);
 *   - the exponent has no plus sign: `1e21`, `1.5e300` (JS: `1e+21`);
 *   - negative zero is `-0.0` (JS: `0`).
 * NaN and ±Infinity stay `NaN`/`Infinity`/`-Infinity` (see json-tensor-data.ts; rapidjson would stop writing).
 * Found by the differential tests against tritonserver 2.51 (test/differential/).
 */

/** One double as rapidjson writes it. */
export function rapidJsonDouble(value: number): string {
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const text = String(value);
  if (!Number.isFinite(value)) return text;
  const exponent = text.indexOf('e');
  if (exponent >= 0) return text[exponent + 1] === '+' ? text.slice(0, exponent + 1) + text.slice(exponent + 2) : text;
  return text.includes('.') ? text : `${text}.0`;
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
