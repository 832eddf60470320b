/**
 * Reads the layout of model repositories: one model per subdirectory, numeric version subdirectories inside each.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { internal } from '../protocol/errors.ts';
import { isDirectory } from './fs-checks.ts';
import { isSafeModelName } from './model-name.ts';
import { log } from '../observe/log.ts';

export interface ModelLocation {
  readonly name: string;
  readonly dir: string;
}

export interface RepositoryScan {
  /** Models found in exactly one repository, sorted by name. */
  readonly models: readonly ModelLocation[];
  /** Names found in two or more repositories: these are not loaded. */
  readonly duplicates: readonly string[];
}

/** Unsafe model directories already warned about (the poller rescans every few seconds). */
const warned = new Set<string>();

/**
 * Lists the models of every repository path. A path that is not a readable directory is an error. A directory whose
 * name is not a safe model name (on Linux only a `\` can make it so) is skipped: the load API refuses that name.
 */
export function scanRepositories(repositories: readonly string[]): RepositoryScan {
  const seen = new Map<string, string[]>();
  for (const repository of repositories) {
    let entries;
    try {
      entries = readdirSync(repository, { withFileTypes: true });
    } catch (error) {
      throw internal(`failed to poll model repository '${repository}': ${(error as Error).message}`);
    }
    for (const entry of entries) {
      const dir = path.join(repository, entry.name);
      if (!isDirectory(dir)) continue;
      if (!isSafeModelName(entry.name)) {
        if (!warned.has(dir)) log.warn(`ignoring '${dir}': a model directory name must not contain '\\'`);
        warned.add(dir);
        continue;
      }
      seen.set(entry.name, [...(seen.get(entry.name) ?? []), dir]);
    }
  }
  const models: ModelLocation[] = [];
  const duplicates: string[] = [];
  for (const [name, dirs] of [...seen].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (dirs.length > 1) duplicates.push(name);
    else models.push({ name, dir: dirs[0]! });
  }
  return { models, duplicates };
}

/** Names inside a model directory that are never versions, skipped without a warning. */
const RESERVED_DIRS = new Set(['warmup', 'initial_state', 'configs']);
const VERSION_NAME = /^(0|[1-9][0-9]*)$/;

export interface VersionDirs {
  /** Numeric versions, ascending. */
  readonly versions: readonly number[];
  /** Directory names that are not versions (with a warning each). */
  readonly ignored: readonly string[];
}

/** Finds the version directories of a model. Only directories named like `0`, `1`, `42` count. */
export function listVersionDirs(modelDir: string): VersionDirs {
  const versions: number[] = [];
  const ignored: string[] = [];
  for (const entry of readdirSync(modelDir, { withFileTypes: true })) {
    if (!isDirectory(path.join(modelDir, entry.name)) || RESERVED_DIRS.has(entry.name)) continue;
    if (VERSION_NAME.test(entry.name) && Number.isSafeInteger(Number(entry.name))) versions.push(Number(entry.name));
    else ignored.push(entry.name);
  }
  return { versions: versions.sort((a, b) => a - b), ignored };
}

/** Whether the lexicographically first subdirectory holds a `model.onnx` (how Triton spots a config-less ONNX model). */
export function firstSubdirHasModelOnnx(modelDir: string): boolean {
  const dirs = readdirSync(modelDir, { withFileTypes: true })
    .filter((e) => isDirectory(path.join(modelDir, e.name)))
    .map((e) => e.name)
    .sort();
  if (dirs.length === 0) return false;
  try {
    return readdirSync(path.join(modelDir, dirs[0]!)).includes('model.onnx');
  } catch {
    return false;
  }
}
