/** Runs the README's gRPC Python example against a live gRPC endpoint, so it cannot rot. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { ROOT, runProcess, venvPython } from '../python/venv-python.ts';
import { startGrpcTestServer } from '../support/grpc-server.ts';

function grpcExample(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## gRPC\n'));
  const match = /```python\n([\s\S]*?)```/.exec(section);
  assert.ok(match !== null, 'README.md has no python block under "## gRPC"');
  return match[1]!;
}

it('the README\'s gRPC example prints add_sub\'s sum', async () => {
  const server = await startGrpcTestServer();
  const code = grpcExample().replaceAll('localhost:8001', server.hostPort);
  const result = await runProcess(venvPython(), ['-c', code], { cwd: ROOT });
  assert.equal(result.code, 0, result.output);
  assert.match(result.stdout, /^\[\[ 1\. {2}2\. {2}3\..* 16\.\]\]\s*$/s);
});
