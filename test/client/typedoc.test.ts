/**
 * The API reference of nereid-client is generated from its types by TypeDoc (packages/client/typedoc.json, warnings
 * are errors): it builds, and documents both clients, the shared interface and the shared-memory helpers.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { ROOT, runProcess } from '../python/venv-python.ts';
import { tempDir } from '../support/temp-dir.ts';

it('generates the API reference without warnings', async () => {
  const out = tempDir('nereid-client-docs-');
  const result = await runProcess(process.execPath, [path.join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', out], {
    cwd: path.join(ROOT, 'packages/client'),
    timeoutMs: 180_000,
  });
  assert.equal(result.code, 0, result.output);
  const pages = readdirSync(out, { recursive: true }).map(String);
  for (const page of ['HttpClient.html', 'GrpcClient.html', 'InferenceClient.html', 'SharedMemoryRegion.html', 'InferenceServerError.html']) {
    assert.ok(pages.some((p) => p.endsWith(page)), `${page} in ${pages.filter((p) => p.endsWith('.html')).join(', ')}`);
  }
  assert.ok(existsSync(path.join(out, 'index.html')));
});
