/**
 * The shipped accumulator (sequence batcher with implicit state) and mlp_pipeline (an ensemble of preprocess,
 * mlp_classifier and postprocess) through the real Triton clients: test/python/test_shipped_pipeline_client.py over
 * HTTP, gRPC and the gRPC stream, against both endpoints serving model_repository/.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { SHIPPED_REPOSITORY, startTestServer } from '../support/http-server.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

describe('shipped stateful model and ensemble through tritonclient', () => {
  it('passes test/python/test_shipped_pipeline_client.py', async () => {
    const python = venvPython();
    const [http, grpc] = await Promise.all([
      startTestServer({ repositories: [SHIPPED_REPOSITORY] }),
      startGrpcTestServer({ repositories: [SHIPPED_REPOSITORY] }),
    ]);
    const result = await runProcess(python, ['test/python/test_shipped_pipeline_client.py', '-v'], {
      env: { ...process.env, NEREID_HTTP_URL: http.hostPort, NEREID_GRPC_URL: grpc.hostPort, PYTHONDONTWRITEBYTECODE: '1' },
      echo: true,
      timeoutMs: 50_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    assert.match(result.output, /Ran 11 tests/);
    assert.match(result.output, /\nOK\b/);
  });
});
