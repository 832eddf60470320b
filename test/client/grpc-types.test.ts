/**
 * The generated gRPC types (packages/client/src/grpc/generated/) stay in step with the protos: the generator script
 * regenerates them into a temporary directory, and every file must equal the committed one (no file more or less).
 * After changing packages/client/protos/, run `node packages/client/scripts/generate-grpc-types.mjs`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../support/temp-dir.ts';

const PACKAGE = fileURLToPath(new URL('../../packages/client/', import.meta.url));
const COMMITTED = path.join(PACKAGE, 'src/grpc/generated');

/** The relative paths of every file under `dir`, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

it('the committed generated types are exactly what scripts/generate-grpc-types.mjs makes from the protos', () => {
  const out = path.join(tempDir('nereid-grpc-types-'), 'generated');
  execFileSync(process.execPath, [path.join(PACKAGE, 'scripts/generate-grpc-types.mjs'), out], { stdio: 'pipe' });
  const generated = filesUnder(out);
  assert.ok(generated.includes('grpc_service.ts') && generated.includes(path.join('inference', 'ModelInferRequest.ts')), generated.join(', '));
  assert.deepEqual(filesUnder(COMMITTED), generated, 'the same files (regenerate them after changing the protos)');
  for (const file of generated) {
    assert.equal(readFileSync(path.join(COMMITTED, file), 'utf8'), readFileSync(path.join(out, file), 'utf8'), `${file} is up to date`);
  }
});
