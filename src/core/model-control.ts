/**
 * The repository extension's operations (index, load, unload) as the transports call them. The repository implements
 * it; its errors are Triton's (ServerError with Triton's codes and texts), including the refusal outside explicit mode.
 */
import type { VersionState } from './model-lookup.ts';

export interface LoadOverrides {
  /** ModelConfig as JSON text: replaces config.pbtxt for this load (a later load without it reverts to the repo's). */
  readonly config?: string;
  /** `<version>/<path>` → file bytes: an override model directory built from these files (needs `config`). */
  readonly files?: ReadonlyMap<string, Uint8Array>;
}

/** One row of the repository index (Triton: a never-loaded model has only its name). */
export interface IndexEntry {
  readonly name: string;
  readonly version?: string;
  readonly state?: VersionState;
  /** Omitted when empty. */
  readonly reason?: string;
}

export interface ModelControl {
  /** Every model directory of every repository, sorted by name; `readyOnly` keeps READY versions only. */
  index(readyOnly: boolean): IndexEntry[];
  /**
   * Loads or reloads a model and resolves once every selected version has finished loading. Load and unload refuse
   * (INVALID_ARG) a name that is not one safe path segment: empty, `.`, `..`, or holding `/`, `\` or NUL.
   */
  load(name: string, overrides?: LoadOverrides): Promise<void>;
  /** Unloads every version of a model (in-flight requests finish first); an unknown (but safe) name succeeds. */
  unload(name: string, options?: { unloadDependents?: boolean }): Promise<void>;
}
