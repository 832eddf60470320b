/** The model status table printed at start-up, in Triton's layout (Model | Version | Status). */
import type { ModelStatus } from './model-repository.ts';

export function renderStatusTable(rows: readonly ModelStatus[]): string {
  const body = rows.map((row) => [
    row.name,
    row.version === undefined ? '-' : String(row.version),
    row.state === 'READY' || row.reason === '' ? row.state : `${row.state}: ${row.reason}`,
  ]);
  const header = ['Model', 'Version', 'Status'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: readonly string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [rule, line(header), rule, ...body.map(line), rule].join('\n');
}
