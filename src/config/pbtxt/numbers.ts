/** Numeric literal values and the integer ranges of protobuf's scalar types. */

/** Value of an integer token's text (decimal, `0x` hex or leading-`0` octal), exactly, as a bigint. */
export function integerTokenValue(text: string): bigint {
  if (/^0[xX]/.test(text)) return BigInt(text);
  if (text.length > 1 && text[0] === '0') return BigInt(`0o${text.slice(1)}`);
  return BigInt(text);
}

/** True for an integer token written in hex or octal (rejected where protobuf wants a decimal, e.g. floats). */
export function isHexOrOctal(text: string): boolean {
  return /^0[xX]/.test(text) || /^0[0-7]/.test(text);
}

/** Value of a float token's text (`1.`, `.5`, `1e3`, `1.5f`, `10f`). */
export function floatTokenValue(text: string): number {
  return Number(/[fF]$/.test(text) ? text.slice(0, -1) : text);
}

export interface IntegerRange {
  readonly min: bigint;
  readonly max: bigint;
  /** 64-bit types: values beyond 2^53 are handed to protobufjs as decimal strings so they stay exact. */
  readonly wide: boolean;
}

const INT32: IntegerRange = { min: -(2n ** 31n), max: 2n ** 31n - 1n, wide: false };
const UINT32: IntegerRange = { min: 0n, max: 2n ** 32n - 1n, wide: false };
const INT64: IntegerRange = { min: -(2n ** 63n), max: 2n ** 63n - 1n, wide: true };
const UINT64: IntegerRange = { min: 0n, max: 2n ** 64n - 1n, wide: true };

/** Range of each protobuf integer scalar type, by protobufjs type name. */
export const INTEGER_RANGES: Readonly<Record<string, IntegerRange>> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: INT64,
  sint64: INT64,
  sfixed64: INT64,
  uint64: UINT64,
  fixed64: UINT64,
};

/** An in-range integer as protobufjs `fromObject` takes it: a number, or a decimal string beyond 2^53. */
export function integerForObject(value: bigint): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}
