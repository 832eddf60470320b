/**
 * The shipped accumulator (sequence batcher with implicit state) and mlp_pipeline (an ensemble of preprocess,
 * mlp_classifier and postprocess) through the real Triton clients: test/python/test_shipped_pipeline_client.py over
 * HTTP, gRPC and the gRPC stream, against both endpoints serving model_repository/.
 */
import { describe, it } from 'node:test';
import { startGrpcTestServer } from '../support/grpc-server.ts';
import { SHIPPED_REPOSITORY, startTestServer } from '../support/http-server.ts';
import { runPythonSuite } from '../python/venv-python.ts';

describe('shipped stateful model and ensemble through tritonclient', () => {
  it('passes test/python/test_shipped_pipeline_client.py', async () => {
    const [http, grpc] = await Promise.all([
      startTestServer({ repositories: [SHIPPED_REPOSITORY] }),
      startGrpcTestServer({ repositories: [SHIPPED_REPOSITORY] }),
    ]);
    await runPythonSuite('test/python/test_shipped_pipeline_client.py', { http: http.hostPort, grpc: grpc.hostPort }, 11);
  });
});
