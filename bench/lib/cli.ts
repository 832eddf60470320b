/**
 * The benchmarks' command-line flags: `--name value` pairs and bare `--name` switches, read from process.argv.
 */

const argv = process.argv.slice(2);

/** The value after `--name`, or `fallback` when the flag is absent or has no value. */
export function flagValue(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}

/** `--name value` as a finite number; exits with a message when the value is not one. */
export function numberFlag(name: string, fallback: number): number {
  const text = flagValue(name, String(fallback));
  const value = Number(text);
  if (!Number.isFinite(value)) {
    console.error(`--${name} takes a number, got '${text}'`);
    process.exit(2);
  }
  return value;
}

/** `--name 1,16,64` as a list of positive integers. */
export function listFlag(name: string, fallback: readonly number[]): number[] {
  const text = flagValue(name, fallback.join(','));
  const values = text.split(',').map(Number);
  if (values.some((v) => !Number.isInteger(v) || v < 1)) {
    console.error(`--${name} takes a comma-separated list of positive integers, got '${text}'`);
    process.exit(2);
  }
  return values;
}

/** Whether the bare switch `--name` was given. */
export function hasFlag(name: string): boolean {
  return argv.includes(`--${name}`);
}
