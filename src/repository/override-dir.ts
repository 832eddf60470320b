/**
 * The load API's file overrides (`file:<version>/<path>` → bytes) written out as a temporary model directory. Every
 * path must stay inside that directory: absolute paths and `..` segments are refused before anything is written.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invalidArg } from '../protocol/errors.ts';

/** Writes the files under a new temporary directory and returns `<tmp>/<modelName>` (the override model dir). */
export function writeOverrideDir(modelName: string, files: ReadonlyMap<string, Uint8Array>): string {
  for (const relative of files.keys()) checkRelative(relative);
  const root = mkdtempSync(path.join(os.tmpdir(), 'nereid-override-'));
  const modelDir = path.join(root, modelName);
  for (const [relative, bytes] of files) {
    const target = path.join(modelDir, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, bytes);
  }
  mkdirSync(modelDir, { recursive: true });
  return modelDir;
}

/** Removes an override directory written by writeOverrideDir. */
export function removeOverrideDir(modelDir: string): void {
  rmSync(path.dirname(modelDir), { recursive: true, force: true });
}

function checkRelative(relative: string): void {
  const parts = relative.split(/[\\/]/);
  if (relative === '' || path.isAbsolute(relative) || parts.includes('..') || parts.some((p) => p === '')) {
    throw invalidArg(`invalid file override path '${relative}': the path must be relative and stay inside the model directory`);
  }
}
