/**
 * A tensor's values as a TENSORS trace writes them: comma-separated, as C++ streams print them (integers in decimal,
 * floats as "%g" with six significant digits, booleans as 0/1, strings as they are).
 */
import { decodeBytesElements } from '../protocol/bytes-codec.ts';
import type { Datatype } from '../protocol/datatypes.ts';

export function formatTensorValues(datatype: Datatype, data: Uint8Array): string {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const each = (size: number, read: (offset: number) => string): string => {
    const out: string[] = [];
    for (let offset = 0; offset + size <= data.byteLength; offset += size) out.push(read(offset));
    return out.join(',');
  };
  switch (datatype) {
    case 'BOOL': return each(1, (o) => (view.getUint8(o) === 0 ? '0' : '1'));
    case 'UINT8': return each(1, (o) => String(view.getUint8(o)));
    case 'INT8': return each(1, (o) => String(view.getInt8(o)));
    case 'UINT16': return each(2, (o) => String(view.getUint16(o, true)));
    case 'INT16': return each(2, (o) => String(view.getInt16(o, true)));
    case 'UINT32': return each(4, (o) => String(view.getUint32(o, true)));
    case 'INT32': return each(4, (o) => String(view.getInt32(o, true)));
    case 'UINT64': return each(8, (o) => String(view.getBigUint64(o, true)));
    case 'INT64': return each(8, (o) => String(view.getBigInt64(o, true)));
    case 'FP16': return each(2, (o) => printfG(halfToFloat(view.getUint16(o, true))));
    case 'BF16': return each(2, (o) => printfG(new Float32Array(Uint32Array.of(view.getUint16(o, true) << 16).buffer)[0]!));
    case 'FP32': return each(4, (o) => printfG(view.getFloat32(o, true)));
    case 'FP64': return each(8, (o) => printfG(view.getFloat64(o, true)));
    case 'BYTES': return decodeBytesElements(data).map((b) => Buffer.from(b).toString('latin1')).join(',');
  }
}

/** printf("%g") with the default precision of 6: shortest of fixed and exponent forms, trailing zeros dropped. */
export function printfG(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exponent = Number(x.toExponential(5).split('e')[1]);
  if (exponent < -4 || exponent >= 6) {
    const [mantissa, exp] = x.toExponential(5).split('e') as [string, string];
    const digits = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const e = Number(exp);
    return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
