/**
 * A model name becomes a directory name (the repository's `<repo>/<name>`, the load API's override directory), so it
 * must be exactly one path segment: not empty, not `.` or `..`, and free of `/`, `\` and NUL. tritonserver 2.51 does
 * not check this (it polls `<repo>/..` as a model); nereid refuses such names with INVALID_ARG before it touches the
 * filesystem.
 */
import { invalidArg, type ServerError } from '../protocol/errors.ts';

const EMPTY = 'Model name cannot be empty. Please enter a valid name to deploy.';

/** Why `name` cannot be a model name, as Triton-style error, or undefined when it is one safe path segment. */
export function modelNameError(name: string): ServerError | undefined {
  if (name === '') return invalidArg(EMPTY);
  if (name === '.' || name === '..' || /[/\\\0]/.test(name)) {
    const shown = name.replaceAll('\0', '\\0');
    return invalidArg(
      `invalid model name '${shown}': a model name must be a single path segment (not '.' or '..', and without '/', '\\' or NUL)`,
    );
  }
  return undefined;
}

export function isSafeModelName(name: string): boolean {
  return modelNameError(name) === undefined;
}

/** Throws INVALID_ARG unless `name` is one safe path segment. */
export function checkModelName(name: string): void {
  const error = modelNameError(name);
  if (error !== undefined) throw error;
}
