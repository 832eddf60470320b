/**
 * The sequence batcher through the real Triton clients: test/python/test_sequence_client.py (tritonclient.http and
 * tritonclient.grpc, streaming included) against both endpoints over a repository holding seq_add_sub, the shipped
 * add_sub with `sequence_batching { }`.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { SHIPPED_REPOSITORY, startTestServer } from '../support/http-server.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';
import { tempDir } from '../support/temp-dir.ts';

function sequenceRepository(): string {
  const repo = tempDir();
  const dir = path.join(repo, 'seq_add_sub');
  cpSync(path.join(SHIPPED_REPOSITORY, 'add_sub'), dir, { recursive: true });
  const config = readFileSync(path.join(dir, 'config.pbtxt'), 'utf8').replace(/^name:\s*"add_sub"/m, 'name: "seq_add_sub"');
  writeFileSync(path.join(dir, 'config.pbtxt'), `${config}\nsequence_batching { }\n`);
  return repo;
}

describe('sequence batcher through tritonclient', () => {
  it('passes test/python/test_sequence_client.py (HTTP, gRPC and its stream)', async () => {
    const python = venvPython();
    const repo = sequenceRepository();
    const [http, grpc] = await Promise.all([startTestServer({ repositories: [repo] }), startGrpcTestServer({ repositories: [repo] })]);
    const result = await runProcess(python, ['test/python/test_sequence_client.py', '-v'], {
      env: { ...process.env, NEREID_HTTP_URL: http.hostPort, NEREID_GRPC_URL: grpc.hostPort, PYTHONDONTWRITEBYTECODE: '1' },
      echo: true,
      timeoutMs: 50_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    assert.match(result.output, /Ran 5 tests/);
    assert.match(result.output, /\nOK\b/);
  });
});
