/**
 * Reads a data file that a model's config names under a folder of its model directory (`warmup/` for warmup inputs,
 * `initial_state/` for sequence state), as Triton's ReadTextFile does and with its error text. The path must stay
 * inside the model directory (no absolute path, no `..` out of it, no symlink out of it): nereid's own check, since a
 * config can arrive through the repository API; `outside` words that refusal.
 */
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { internal } from '../protocol/errors.ts';

export function readModelDataFile(modelDir: string, folder: string, file: string, outside: () => Error): Uint8Array {
  const full = path.join(modelDir, folder, file);
  if (path.isAbsolute(file) || !isInside(path.resolve(modelDir), path.resolve(full))) throw outside();
  let data: Buffer;
  try {
    data = readFileSync(full);
  } catch (error) {
    throw internal(`failed to open text file for read ${full}: ${strerror(error as NodeJS.ErrnoException)}`);
  }
  if (!isInside(realpathSync(modelDir), realpathSync(full))) throw outside();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

/** The C library's text for the usual errno codes (Triton prints strerror); Node's message otherwise. */
function strerror(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'No such file or directory';
    case 'EACCES':
      return 'Permission denied';
    case 'EISDIR':
      return 'Is a directory';
    case 'ENOTDIR':
      return 'Not a directory';
    default:
      return error.message;
  }
}
