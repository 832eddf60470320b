/**
 * Runs the README's "HTTP walk-through (curl)" section against a live server: every ```sh block with bash and every
 * ```python block with .venv's python (localhost:8000 replaced by the test server), each compared with the ```text
 * block that follows it. JSON in the output is compared as JSON (so the README may wrap it), everything else exactly.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/http-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';
import { examples, readmeSection, segments } from '../support/readme-examples.ts';

const HEADING = '## HTTP walk-through (curl)';

describe(`README "${HEADING.slice(3)}"`, () => {
  const section = readmeSection(HEADING);
  const all = examples(section);
  let server: TestServer;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    dir = tempDir('nereid-readme-');
  });

  it('shows curl for health, metadata, config, JSON and binary infer, and a tritonclient example', () => {
    const code = all.map((example) => example.code).join('\n');
    for (const needle of ['/v2/health/live', '/v2/health/ready', 'localhost:8000/v2;', '/config', '/infer -d',
      'Inference-Header-Content-Length', 'od -A n -t f4', 'tritonclient.http']) {
      assert.ok(code.includes(needle), `the walk-through lacks ${needle}`);
    }
    assert.ok(all.some((example) => example.language === 'python'));
  });

  for (const example of all) {
    const title = example.code.split('\n').find((line) => line.trim() !== '')!.slice(0, 70);
    it(`${section.file}:${example.line} ${title}`, async () => {
      const code = example.code.replaceAll('localhost:8000', server.hostPort);
      let result;
      if (example.language === 'sh') {
        result = await runProcess('bash', ['-e', '-o', 'pipefail', '-c', code], { cwd: dir, timeoutMs: 20_000 });
      } else {
        const script = path.join(dir, `example-${example.line}.py`);
        writeFileSync(script, code);
        result = await runProcess(venvPython(), [script], { cwd: dir, timeoutMs: 20_000 });
      }
      assert.equal(result.code, 0, `the block failed (exit ${result.code}):\n${result.output}`);
      assert.deepEqual(
        segments(result.stdout),
        segments(example.expected),
        `output of the block at ${section.file}:${example.line} differs from the README:\n${result.stdout}`,
      );
    });
  }
});
