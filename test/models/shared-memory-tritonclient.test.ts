/**
 * System shared memory through the real Triton clients: test/python/test_shared_memory_client.py registers regions
 * with tritonclient's shared-memory utilities and runs the shipped add_sub through them over HTTP and gRPC, against
 * one server (one data plane behind both endpoints, so both see the same regions).
 */
import { describe, it } from 'node:test';
import { startControlServers } from '../support/control-servers.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { runPythonSuite } from '../python/venv-python.ts';

describe('system shared memory through tritonclient', () => {
  it('passes test/python/test_shared_memory_client.py', async () => {
    const servers = await startControlServers({ repositories: [SHIPPED_REPOSITORY], controlMode: 'explicit', startupModels: ['add_sub'] });
    await runPythonSuite('test/python/test_shared_memory_client.py', { http: servers.httpHostPort, grpc: servers.grpcHostPort }, 8);
  });
});
