/** Helpers shared by the option parser tests. */
import assert from 'node:assert/strict';
import { parseOptions } from '../../src/options/parse-options.ts';
import { OptionsError, type ServerOptions } from '../../src/options/server-options.ts';

/** The repository flag most tests add, so only the flags under test matter. */
export const REPO = '--model-repository=/models';

/** Parses with a repository added so only the flags under test matter. */
export function parse(...args: string[]): ServerOptions {
  return parseOptions([REPO, ...args]);
}

/** Triton's wrapping of a flag's value error. */
export function bad(flag: string, message: string): string {
  return `Bad option: "--${flag}".\n${message}`;
}

/** Asserts that parsing `args` throws an OptionsError with exactly `message`. */
export function fails(args: string[], message: string): void {
  assert.throws(
    () => parseOptions(args),
    (e: unknown) => {
      assert.ok(e instanceof OptionsError, `expected OptionsError, got ${String(e)}`);
      assert.equal(e.message, message);
      return true;
    },
  );
}
