/**
 * Gray release through the real Triton clients under load: test/python/test_gray_release_client.py sends 20,000
 * requests at 16 in flight to a model with two loaded versions and a 95:5 policy, checks rules and explicit versions
 * over HTTP and gRPC, and raises a sticky candidate's share 5% -> 20% -> 50% through the repository API (explicit
 * mode), against one server (one data plane behind both endpoints).
 */
import { describe, it } from 'node:test';
import { addModel, writeModelDir } from '../../scripts/onnx/test-models.ts';
import { startControlServers } from '../support/control-servers.ts';
import { tempDir } from '../support/temp-dir.ts';
import { runPythonSuite } from '../python/venv-python.ts';

const CONFIG = `backend: "onnxruntime"
max_batch_size: 8
input [ { name: "INPUT0" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "INPUT1" data_type: TYPE_FP32 dims: [ 4 ] } ]
output [ { name: "OUTPUT0" data_type: TYPE_FP32 dims: [ 4 ] } ]
version_policy { all { } }
parameters { key: "nereid.routing.weights" value { string_value: "1:95,2:5" } }
parameters { key: "nereid.routing.rules" value { string_value: "header:x-canary=yes->2" } }`;

describe('gray release through tritonclient', () => {
  it('passes test/python/test_gray_release_client.py', async () => {
    const repo = tempDir();
    for (const version of [1, 2]) writeModelDir(repo, 'gray', addModel(), { config: CONFIG, version });
    const servers = await startControlServers({ repositories: [repo], controlMode: 'explicit', startupModels: ['*'] });
    await runPythonSuite('test/python/test_gray_release_client.py', { http: servers.httpHostPort, grpc: servers.grpcHostPort }, 3, 300_000);
  });
});
