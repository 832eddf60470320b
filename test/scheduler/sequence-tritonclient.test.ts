/**
 * The sequence batcher through the real Triton clients: test/python/test_sequence_client.py (tritonclient.http and
 * tritonclient.grpc, streaming included) against both endpoints over a repository holding seq_add_sub, the shipped
 * add_sub with `sequence_batching { }`.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { SHIPPED_REPOSITORY, startTestServer } from '../support/http-server.ts';
import { runPythonSuite } from '../python/venv-python.ts';
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
    const repo = sequenceRepository();
    const [http, grpc] = await Promise.all([startTestServer({ repositories: [repo] }), startGrpcTestServer({ repositories: [repo] })]);
    await runPythonSuite('test/python/test_sequence_client.py', { http: http.hostPort, grpc: grpc.hostPort }, 5);
  });
});
