/**
 * The real Triton Python client (tritonclient.grpc, from .venv) and the grpc.health.v1 stub against nereid's gRPC
 * endpoint: runs test/python/test_grpc_client.py (unittest) and requires every case to pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

describe('tritonclient.grpc against the gRPC endpoint', () => {
  it('passes test/python/test_grpc_client.py (health, metadata, config, infer, streaming, compression, errors)', async () => {
    const python = venvPython();
    const server = await startGrpcTestServer();
    const result = await runProcess(python, ['test/python/test_grpc_client.py', '-v'], {
      env: { ...process.env, NEREID_GRPC_URL: server.hostPort, PYTHONDONTWRITEBYTECODE: '1' },
      echo: true,
      timeoutMs: 50_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    // unittest's closing lines: "Ran N tests" and "OK"; make sure the file really ran its cases.
    const ran = /Ran (\d+) tests?/.exec(result.output);
    assert.ok(ran !== null && Number(ran[1]) >= 20, `expected at least 20 unittest cases:\n${result.output}`);
    assert.match(result.output, /\nOK\b/);
  });
});
