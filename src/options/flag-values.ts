/**
 * Value parsers for flag arguments, with the error texts of Triton's command_line_parser.cc: bools as
 * true/on/1/false/off/0 in any case, 32- and 64-bit integers, floats.
 */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Thrown inside a flag's parser; the caller prefixes Triton's `Bad option: "--flag".` line. */
export class BadValue extends Error {}

/** true/on/1 or false/off/0, in any case. */
export function parseBool(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === 'on' || lower === '1') return true;
  if (lower === 'false' || lower === 'off' || lower === '0') return false;
  throw new BadValue(`invalid value for bool option: ${value}`);
}

/** `--log-verbose` also takes true (1) and false (0). */
export function parseIntBool(value: string): number {
  const lower = value.toLowerCase();
  if (lower === 'true') return 1;
  if (lower === 'false') return 0;
  return parseInt32(value);
}

const INTEGER = /^\s*[+-]?\d+$/;

/** A decimal integer, optionally signed, within int32. */
export function parseInt32(value: string): number {
  if (!INTEGER.test(value)) throw new BadValue(`Invalid option value. Got ${value}`);
  const n = Number(value);
  if (n < INT32_MIN || n > INT32_MAX) throw new BadValue(`Provided option value is out of bound. Got ${value}`);
  return n;
}

/** A decimal integer, optionally signed; bounded by what a JS number holds exactly rather than by int64. */
export function parseInt64(value: string): number {
  if (!INTEGER.test(value)) throw new BadValue(`Invalid option value. Got ${value}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new BadValue(`Provided option value is out of bound. Got ${value}`);
  return n;
}

/** A finite number. */
export function parseFloat64(value: string): number {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) throw new BadValue(`Invalid option value. Got ${value}`);
  return n;
}
