/**
 * The trace extension through the real Triton clients: test/python/test_trace_client.py reads and changes the trace
 * settings with tritonclient over HTTP and gRPC, globally and for the shipped add_sub, against
 * one server (one data plane behind both endpoints, so both see the same settings).
 */
import { describe, it } from 'node:test';
import { startControlServers } from '../support/control-servers.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { runPythonSuite } from '../python/venv-python.ts';

describe('trace settings through tritonclient', () => {
  it('passes test/python/test_trace_client.py', async () => {
    const servers = await startControlServers({ repositories: [SHIPPED_REPOSITORY], controlMode: 'explicit', startupModels: ['add_sub'] });
    await runPythonSuite('test/python/test_trace_client.py', { http: servers.httpHostPort, grpc: servers.grpcHostPort }, 4);
  });
});
