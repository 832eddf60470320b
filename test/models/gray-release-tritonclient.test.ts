/**
 * Gray release through the real Triton clients under load: test/python/test_gray_release_client.py sends 20,000
 * requests at 16 in flight to a model with two loaded versions and a 95:5 policy, and checks rules and explicit versions
 * over HTTP and gRPC, against one server (one data plane behind both endpoints).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { startControlServers } from '../support/control-servers.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

const CONFIG = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
version_policy { all { } }
parameters { key: "nereid.routing.weights" value { string_value: "1:95,2:5" } }
parameters { key: "nereid.routing.rules" value { string_value: "header:x-canary=yes->2" } }`;

describe('gray release through tritonclient', () => {
  it('passes test/python/test_gray_release_client.py', async () => {
    const python = venvPython();
    const repo = tempDir();
    for (const version of [1, 2]) writeModelDir(repo, 'gray', addModel(), { config: CONFIG, version });
    const servers = await startControlServers({ repositories: [repo], controlMode: 'none' });
    const result = await runProcess(python, ['test/python/test_gray_release_client.py', '-v'], {
      env: { ...process.env, NEREID_HTTP_URL: servers.httpHostPort, NEREID_GRPC_URL: servers.grpcHostPort, PYTHONDONTWRITEBYTECODE: '1' },
      echo: true,
      timeoutMs: 240_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    assert.match(result.output, /Ran 2 tests/);
    assert.match(result.output, /\nOK\b/);
  });
});
