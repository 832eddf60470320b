/**
 * The README's runnable examples: a section's ```sh / ```python blocks, each paired with the ```text block of its
 * output, and the comparison of outputs in which JSON counts as JSON (so the README may wrap it) and the rest as text.
 * Used by the README walk-through tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../python/venv-python.ts';

export interface Example {
  readonly language: 'sh' | 'python';
  readonly code: string;
  readonly expected: string;
  /** 1-based line of the code block in its file. */
  readonly line: number;
}

/** The section's text in README.md and the line it starts on. */
export function readmeSection(heading: string): { file: string; text: string; offset: number } {
  const file = 'README.md';
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  assert.ok(start >= 0, `README.md has no "${heading}" section`);
  // The section ends at the next level-1 or level-2 heading outside a code block.
  let end = start + 1;
  for (let fenced = false; end < lines.length; end++) {
    if (lines[end]!.startsWith('```')) fenced = !fenced;
    else if (!fenced && /^##? /.test(lines[end]!)) break;
  }
  return { file, text: lines.slice(start, end).join('\n'), offset: start };
}

/** Pairs each sh/bash/python block with the fenced output block that must follow it. */
export function examples(section: { file: string; text: string; offset: number }): Example[] {
  const blocks: { info: string; body: string; line: number }[] = [];
  const lines = section.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const close = lines.findIndex((line, j) => j > i && line.trimEnd() === '```');
    assert.ok(close > i, `${section.file}:${section.offset + i + 1}: unclosed code block`);
    blocks.push({ info: open[1]!, body: lines.slice(i + 1, close).join('\n'), line: section.offset + i + 1 });
    i = close;
  }
  const result: Example[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const language = block.info === 'sh' || block.info === 'bash' ? 'sh' : block.info === 'python' ? 'python' : null;
    assert.ok(language !== null, `${section.file}:${block.line}: unexpected \`\`\`${block.info} block (no command before it)`);
    const output = blocks[i + 1];
    assert.ok(
      output !== undefined && (output.info === 'text' || output.info === ''),
      `${section.file}:${block.line}: a \`\`\`${block.info} block must be followed by a \`\`\`text block of its output`,
    );
    result.push({ language, code: block.body, expected: output.body, line: block.line });
    i++;
  }
  return result;
}

export type Segment = { json: unknown } | { text: string };

/** Index just past the JSON value that starts at `text[start]` (`{` or `[`), or -1 when it never closes. */
function jsonEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Splits output into JSON values (which may span lines) and the remaining non-blank lines (right-trimmed).
 * The server version in server metadata is replaced by a marker, as it changes with releases.
 */
export function segments(output: string, normalize: (value: unknown) => unknown = normalizeMetadata): Segment[] {
  const result: Segment[] = [];
  let pos = 0;
  while (pos < output.length) {
    let lineEnd = output.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = output.length;
    const line = output.slice(pos, lineEnd);
    const first = line.search(/\S/);
    if (first < 0) {
      pos = lineEnd + 1;
      continue;
    }
    if (line[first] === '{' || line[first] === '[') {
      const end = jsonEnd(output, pos + first);
      if (end > 0) {
        try {
          result.push({ json: normalize(JSON.parse(output.slice(pos + first, end))) });
          pos = end;
          continue;
        } catch {
          // not JSON after all: compare the line as text
        }
      }
    }
    result.push({ text: line.trimEnd() });
    pos = lineEnd + 1;
  }
  return result;
}

export function normalizeMetadata(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'extensions' in value) {
    const metadata = value as Record<string, unknown>;
    if (typeof metadata['version'] === 'string') return { ...metadata, version: '<server version>' };
  }
  return value;
}

