/**
 * The trace extension through the real Triton clients: test/python/test_trace_client.py reads and changes the trace
 * settings with tritonclient over HTTP and gRPC, globally and for the shipped add_sub, against
 * one server (one data plane behind both endpoints, so both see the same settings).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startControlServers } from '../support/control-servers.ts';
import { SHIPPED_REPOSITORY } from '../support/http-server.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

describe('trace settings through tritonclient', () => {
  it('passes test/python/test_trace_client.py', async () => {
    const python = venvPython();
    const servers = await startControlServers({ repositories: [SHIPPED_REPOSITORY], controlMode: 'explicit', startupModels: ['add_sub'] });
    const result = await runProcess(python, ['test/python/test_trace_client.py', '-v'], {
      env: { ...process.env, NEREID_HTTP_URL: servers.httpHostPort, NEREID_GRPC_URL: servers.grpcHostPort, PYTHONDONTWRITEBYTECODE: '1' },
      echo: true,
      timeoutMs: 50_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    assert.match(result.output, /Ran 4 tests/);
    assert.match(result.output, /\nOK\b/);
  });
});
