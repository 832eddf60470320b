/**
 * Seeded random tensors of every datatype, in the three forms a request carries them: JSON `data` tokens (exact text,
 * so 64-bit integers beyond 2^53 stay exact), little-endian raw bytes (Triton's binary extension and gRPC
 * raw_input_contents) and gRPC InferTensorContents. Edge values (type limits, -0, tiny and huge floats) are drawn
 * often; NaN/±Infinity only in `raw` (JSON cannot carry them).
 */
import { seededRandom } from '../../scripts/onnx/builder.ts';

export interface TensorValues {
  readonly json: string[] | undefined; // undefined: the datatype cannot be JSON (FP16)
  readonly raw: Buffer;
  /** gRPC InferTensorContents field and values, or undefined when only raw works (FP16). */
  readonly contents: Record<string, unknown[]> | undefined;
}

const INT_RANGES: Record<string, [bigint, bigint, string]> = {
  UINT8: [0n, 255n, 'uint_contents'],
  UINT16: [0n, 65535n, 'uint_contents'],
  UINT32: [0n, 4294967295n, 'uint_contents'],
  UINT64: [0n, 18446744073709551615n, 'uint64_contents'],
  INT8: [-128n, 127n, 'int_contents'],
  INT16: [-32768n, 32767n, 'int_contents'],
  INT32: [-2147483648n, 2147483647n, 'int_contents'],
  INT64: [-9223372036854775808n, 9223372036854775807n, 'int64_contents'],
};

export function randomValues(datatype: string, count: number, random: () => number, allowNonFinite = false): TensorValues {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  if (datatype === 'BOOL') {
    const values = Array.from({ length: count }, () => random() < 0.5);
    return { json: values.map(String), raw: Buffer.from(values.map((v) => (v ? 1 : 0))), contents: { bool_contents: values } };
  }
  if (datatype === 'BYTES') {
    const values = Array.from({ length: count }, () =>
      pick(['', 'a', 'héllo', 'tab\there "quoted"', '😀', 'x'.repeat(Math.floor(random() * 40))]));
    const parts = values.flatMap((v) => {
      const b = Buffer.from(v, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return [len, b];
    });
    return {
      json: values.map((v) => JSON.stringify(v)),
      raw: Buffer.concat(parts),
      contents: { bytes_contents: values.map((v) => Buffer.from(v, 'utf8')) },
    };
  }
  const range = INT_RANGES[datatype];
  if (range !== undefined) {
    const [min, max, field] = range;
    const size = { UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, UINT32: 4, INT32: 4, UINT64: 8, INT64: 8 }[datatype]!;
    const values = Array.from({ length: count }, () => {
      const r = random();
      if (r < 0.15) return min;
      if (r < 0.3) return max;
      if (r < 0.4) return 0n;
      const span = max - min + 1n;
      const fraction = BigInt(Math.floor(random() * 2 ** 26)) * BigInt(Math.floor(random() * 2 ** 26)) * BigInt(Math.floor(random() * 2 ** 26));
      return min + (fraction % span);
    });
    const raw = Buffer.alloc(count * size);
    values.forEach((v, i) => {
      if (size === 8 && min < 0n) raw.writeBigInt64LE(v, i * 8);
      else if (size === 8) raw.writeBigUInt64LE(v, i * 8);
      else if (min < 0n) raw.writeIntLE(Number(v), i * size, size);
      else raw.writeUIntLE(Number(v), i * size, size);
    });
    const asContents = size === 8 ? values.map(String) : values.map(Number);
    return { json: values.map(String), raw, contents: { [field]: asContents } };
  }
  if (datatype === 'FP16') {
    const raw = Buffer.alloc(count * 2);
    for (let i = 0; i < count; i++) raw.writeUInt16LE(Math.floor(random() * 0x7c00) | (random() < 0.5 ? 0x8000 : 0), i * 2);
    return { json: undefined, raw, contents: undefined };
  }
  const double = datatype === 'FP64';
  const values = Array.from({ length: count }, () => {
    const r = random();
    if (r < 0.1) return pick([0, -0, 1, -2, 0.5, 1e20, 1e21, 1e-6, 1e-7, 123456789, 3.4028234663852886e38]);
    if (allowNonFinite && r < 0.15) return pick([NaN, Infinity, -Infinity]);
    if (r < 0.4) return Math.round((random() - 0.5) * 2000);
    // Random bit patterns: every exponent, the hardest case for shortest round-trip printing.
    const bits = Buffer.alloc(8);
    bits.writeUInt32LE(Math.floor(random() * 2 ** 32), 0);
    bits.writeUInt32LE(Math.floor(random() * 2 ** 32), 4);
    const v = double ? bits.readDoubleLE(0) : bits.readFloatLE(0);
    return Number.isFinite(v) ? v : 1.5;
  });
  const raw = Buffer.alloc(count * (double ? 8 : 4));
  values.forEach((v, i) => (double ? raw.writeDoubleLE(v, i * 8) : raw.writeFloatLE(v, i * 4)));
  const stored = values.map((v, i) => (double ? v : raw.readFloatLE(i * 4)));
  const finite = stored.every(Number.isFinite);
  return {
    json: finite ? stored.map((v) => (Object.is(v, -0) ? '-0.0' : String(v))) : undefined,
    raw,
    contents: { [double ? 'fp64_contents' : 'fp32_contents']: stored },
  };
}

export { seededRandom };
