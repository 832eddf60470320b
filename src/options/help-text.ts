/**
 * The usage text `--help` prints (and a refused command line follows with).
 */
import type { ArgKind } from './flag-spec.ts';
import { FLAGS } from './flags.ts';

/** The usage text `--help` prints: every flag with its argument kind, default and meaning, one line each. */
export function helpText(): string {
  const left = FLAGS.map((f) => `  --${f.name}${f.kind === 'none' ? '' : `=<${argName(f.kind)}>`}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  const lines = FLAGS.map((f, i) => `${left[i]!.padEnd(width)}${f.help} (default: ${f.shown})`);
  return ['Usage: nereid --model-repository=<path> [options]', '', ...lines, ''].join('\n');
}

function argName(kind: ArgKind): string {
  switch (kind) {
    case 'bool':
      return 'boolean';
    case 'int':
    case 'int64':
      return 'integer';
    case 'float':
      return 'float';
    default:
      return 'string';
  }
}
