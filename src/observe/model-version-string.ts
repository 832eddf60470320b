/**
 * Triton's reading of a version string in the statistics calls (server `GetModelVersionFromString`): empty means
 * "every READY version" (-1); otherwise a decimal integer read as C's `std::stol` does (leading blanks and a sign
 * allowed, trailing text ignored), which must not be negative.
 */
import { invalidArg } from '../protocol/errors.ts';

/** The requested version, or -1 for all. Throws Triton's INVALID_ARG texts. */
export function parseModelVersion(text: string): number {
  if (text === '') return -1;
  const digits = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(text)?.[1];
  const value = digits === undefined ? NaN : Number(digits);
  // std::stol throws both for no digits and for values outside int64; its what() is "stol".
  if (Number.isNaN(value) || Math.abs(value) > 2 ** 63) {
    throw invalidArg(
      `failed to get model version from specified version string '${text}' (details: stol), ` +
        'version should be an integral value > 0',
    );
  }
  if (value < 0) {
    throw invalidArg(`invalid model version specified '${text}' , version should be an integral value > 0`);
  }
  return value;
}
