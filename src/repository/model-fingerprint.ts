/**
 * Change detection for model directories: a fingerprint of every file below a directory (relative path, size, mtime),
 * leaving out editor and temporary files. A drop is acted on only once two observations agree, so a folder that is
 * still being copied is not loaded half-way.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Editor swap and backup files, partial downloads and other temporaries: never part of a model. */
const IGNORED = [/^\./, /~$/, /\.sw[a-p]$/, /\.tmp$/i, /\.temp$/i, /\.part$/i, /\.crdownload$/i, /^#.*#$/, /^\.#/];

export function isIgnoredName(name: string): boolean {
  return IGNORED.some((pattern) => pattern.test(name));
}

/** The fingerprint of everything under `dir` (empty string when it does not exist). */
export function fingerprint(dir: string): string {
  const entries: string[] = [];
  const walk = (current: string, relative: string): void => {
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (isIgnoredName(name)) continue;
      const full = path.join(current, name);
      let stat;
      try {
        stat = statSync(full);
      } catch {
        continue;
      }
      const rel = relative === '' ? name : `${relative}/${name}`;
      if (stat.isDirectory()) walk(full, rel);
      else entries.push(`${rel}\u0000${stat.size}\u0000${stat.mtimeMs}`);
    }
  };
  walk(dir, '');
  return entries.join('\n');
}
