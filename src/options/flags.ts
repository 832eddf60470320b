/**
 * The whole flag table, in Triton's usage order, and flag lookup as GNU getopt_long does it: exact names or
 * unambiguous prefixes.
 */
import { BACKEND_FLAGS } from './backend-flags.ts';
import { ENDPOINT_FLAGS } from './endpoint-flags.ts';
import type { FlagSpec } from './flag-spec.ts';
import { OptionsError } from './server-options.ts';
import { SERVER_FLAGS } from './server-flags.ts';

/** Every flag, in the order the help text lists them and ambiguity errors name them. */
export const FLAGS: readonly FlagSpec[] = [...SERVER_FLAGS, ...ENDPOINT_FLAGS, ...BACKEND_FLAGS];

const FLAG_BY_NAME = new Map(FLAGS.map((f) => [f.name, f]));

/**
 * Exact name first, else a unique prefix as getopt_long allows (aliases of one option count as one). `key` is the
 * name after `--`; `arg` is the whole argument, for the error text. Throws OptionsError for an unknown or ambiguous
 * name.
 */
export function lookupFlag(key: string, arg: string): FlagSpec {
  const exact = FLAG_BY_NAME.get(key);
  if (exact !== undefined) return exact;
  const candidates = key === '' ? [] : FLAGS.filter((f) => f.name.startsWith(key));
  if (candidates.length === 0) throw new OptionsError(`unrecognized option '${arg}'`);
  if (candidates.some((f) => f.id !== candidates[0]!.id)) {
    const possibilities = candidates.map((f) => `'--${f.name}'`).join(' ');
    throw new OptionsError(`option '--${key}' is ambiguous; possibilities: ${possibilities}`);
  }
  return candidates[0]!;
}
