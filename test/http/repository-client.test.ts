/**
 * The real Triton Python clients (tritonclient.http and .grpc, from .venv) against the repository extension: runs
 * test/python/test_repository_client.py (unittest) against two servers over one temporary repository, one in explicit
 * mode with nothing loaded at start-up and one in none mode, and requires every case to pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { controlTestRepository, startControlServers } from '../support/control-servers.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

describe('tritonclient.http and .grpc against the repository extension', () => {
  it('passes test/python/test_repository_client.py (index, load with overrides, unload, errors, none mode)', async () => {
    const python = venvPython();
    const repository = controlTestRepository();
    const explicit = await startControlServers({ repositories: [repository], controlMode: 'explicit' });
    const none = await startControlServers({ repositories: [repository], controlMode: 'none' });
    const result = await runProcess(python, ['test/python/test_repository_client.py', '-v'], {
      env: {
        ...process.env,
        NEREID_HTTP_URL: explicit.httpHostPort,
        NEREID_GRPC_URL: explicit.grpcHostPort,
        NEREID_NONE_HTTP_URL: none.httpHostPort,
        NEREID_NONE_GRPC_URL: none.grpcHostPort,
        NEREID_REPOSITORY: repository,
        PYTHONDONTWRITEBYTECODE: '1',
      },
      echo: true,
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    const ran = /Ran (\d+) tests?/.exec(result.output);
    assert.ok(ran !== null && Number(ran[1]) >= 14, `expected at least 14 unittest cases:\n${result.output}`);
    assert.match(result.output, /\nOK\b/);
  });
});
