/**
 * String-to-value parsing with the Triton backend utilities' semantics and error texts (`ParseIntValue` = std::stoi,
 * `ParseUnsignedLongLongValue` = std::stoull, `ParseBoolValue`). The C++ functions accept a numeric prefix ("12abc" is
 * 12) and leading whitespace; so do these.
 */
import { invalidArg } from '../protocol/errors.ts';

const NUMERIC_PREFIX = /^[\s]*([+-]?\d+)/;

/** std::stoi-like: the leading integer of `value`; error `failed to convert '<v>' to integral number`. */
export function parseIntValue(value: string): number {
  const m = NUMERIC_PREFIX.exec(value);
  const n = m === null ? NaN : Number(m[1]);
  if (!Number.isSafeInteger(n) || n < -2147483648 || n > 2147483647) {
    throw invalidArg(`failed to convert '${value}' to integral number`);
  }
  return n;
}

/** std::stoull-like (non-negative); error `failed to convert '<v>' to unsigned long long integral number`. */
export function parseUnsignedValue(value: string): number {
  const m = NUMERIC_PREFIX.exec(value);
  const n = m === null ? NaN : Number(m[1]);
  if (!Number.isFinite(n) || n < 0) {
    throw invalidArg(`failed to convert '${value}' to unsigned long long integral number`);
  }
  return n;
}

/** true/on/1 and false/off/0, case-insensitive; error `failed to convert '<v>' to boolean`. */
export function parseBoolValue(value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'off' || v === '0') return false;
  throw invalidArg(`failed to convert '${value}' to boolean`);
}
