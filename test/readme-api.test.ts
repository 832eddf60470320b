/**
 * Runs the README's "Embedding nereid (in-process API)" example as a user would: the ```js block written to a file
 * that imports 'nereid' (the built package, resolved through a node_modules link to this repository, so through
 * package.json `exports` to dist/), run with plain node from the repository root, its stdout compared with the
 * ```text block that follows it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { buildDist, ROOT } from './package/build.ts';
import { runProcess } from './python/venv-python.ts';
import { tempDir } from './support/temp-dir.ts';

const HEADING = '## Embedding nereid (in-process API)';

/** The first ```js block of the section and the ```text block after it. */
function example(): { code: string; expected: string } {
  const text = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = text.indexOf(`\n${HEADING}\n`);
  assert.ok(start >= 0, `README.md has no "${HEADING}" section`);
  const match = /\n```js\n([\s\S]*?)\n```\n\n```text\n([\s\S]*?)\n```\n/.exec(text.slice(start));
  assert.ok(match !== null, `"${HEADING}" has no \`\`\`js block followed by a \`\`\`text block`);
  return { code: match[1]!, expected: match[2]! };
}

it("the README's in-process API example runs against the built package and prints what the README shows", async () => {
  const { code, expected } = example();
  assert.match(code, /from 'nereid'/);
  buildDist();
  const app = tempDir('nereid-readme-api-');
  mkdirSync(path.join(app, 'node_modules'));
  symlinkSync(ROOT, path.join(app, 'node_modules', 'nereid'), 'dir');
  const file = path.join(app, 'example.mjs');
  writeFileSync(file, code + '\n');
  const result = await runProcess(process.execPath, [file], { cwd: ROOT, timeoutMs: 120_000 });
  assert.equal(result.code, 0, result.output);
  assert.equal(result.stdout.trimEnd(), expected);
});
