/**
 * The real Triton Python client (tritonclient.http, from .venv) against nereid's HTTP endpoint:
 * runs test/python/test_http_client.py (unittest) and requires every case to pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from '../support/http-server.ts';
import { runProcess, venvPython } from '../python/venv-python.ts';

describe('tritonclient.http against the HTTP endpoint', () => {
  it('passes test/python/test_http_client.py (health, metadata, config, infer, compression, async, errors)', async () => {
    const python = venvPython();
    const server = await startTestServer();
    const result = await runProcess(python, ['test/python/test_http_client.py', '-v'], {
      env: { ...process.env, NEREID_HTTP_URL: server.hostPort, PYTHONDONTWRITEBYTECODE: '1' },
      echo: true,
      timeoutMs: 45_000,
    });
    assert.equal(result.code, 0, `python unittest failed (exit ${result.code}, signal ${result.signal}):\n${result.output}`);
    // unittest's closing lines: "Ran N tests" and "OK"; make sure the file really ran its cases.
    const ran = /Ran (\d+) tests?/.exec(result.output);
    assert.ok(ran !== null && Number(ran[1]) >= 30, `expected at least 30 unittest cases:\n${result.output}`);
    assert.match(result.output, /\nOK\b/);
  });
});
