/**
 * The load API's file overrides (`file:<version>/<path>` → bytes) written out as a temporary model directory
 * `<tmp>/nereid-override-XXXXXX/<model>`. Every path must stay inside that directory: absolute paths and `..` segments
 * are refused before anything is written. Removal takes the root that was created (kept by the caller) and removes
 * only roots this process created, once: never a path derived from a name.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalidArg } from '../protocol/errors.ts';
import { checkModelName } from './model-name.ts';

export interface OverrideDir {
  /** The directory mkdtemp created: the only thing ever removed. */
  readonly root: string;
  /** `<root>/<model>`, the model directory to load from. */
  readonly modelDir: string;
}

/** Roots created and not yet removed. */
const created = new Set<string>();

/**
 * Writes the files under a new temporary directory. Refusals of the name or a path are INVALID_ARG; a filesystem
 * failure (an over-long name, say) removes what was written and throws the fs error.
 */
export function writeOverrideDir(modelName: string, files: ReadonlyMap<string, Uint8Array>): OverrideDir {
  checkModelName(modelName);
  for (const relative of files.keys()) checkRelative(relative);
  const root = mkdtempSync(path.join(os.tmpdir(), 'nereid-override-'));
  created.add(root);
  const dir: OverrideDir = { root, modelDir: path.join(root, modelName) };
  try {
    for (const [relative, bytes] of files) {
      const target = path.join(dir.modelDir, relative);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, bytes);
    }
    mkdirSync(dir.modelDir, { recursive: true });
  } catch (error) {
    removeOverrideDir(dir);
    throw error;
  }
  return dir;
}

/** Removes an override directory written by writeOverrideDir (a second call, or any other root, does nothing). */
export function removeOverrideDir(dir: OverrideDir): void {
  if (!created.delete(dir.root)) return;
  rmSync(dir.root, { recursive: true, force: true });
}

function checkRelative(relative: string): void {
  const parts = relative.split(/[\\/]/);
  if (relative === '' || path.isAbsolute(relative) || parts.includes('..') || parts.some((p) => p === '')) {
    throw invalidArg(`invalid file override path '${relative}': the path must be relative and stay inside the model directory`);
  }
}
